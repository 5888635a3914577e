/*
 * Fuzz target: a whole .evtx file through the collector, as `shoseki collect`
 * reads it: libevtx, our container walk (record offsets, records libevtx
 * dropped, damaged chunks), the XML reader and the normalizer, with every
 * record and object kept and each event rendered as JSON. The input is
 * written to a temporary file (libevtx reads paths), removed afterwards.
 * Checked contracts (shoseki/collector.h): the call fails only with the
 * codes it documents; each event names the file and, when it has an offset,
 * one inside the file past its header (evidence must point at its bytes);
 * the stats agree with what the sink saw; every rendering is JSON.
 *
 * Memory: libevtx 20181227 sizes an allocation by a template instance's
 * value count read from the record without checking it against the record
 * (libfwevt_xml_document_read_template_instance_values -> calloc(count, 8)),
 * and then spends memory per value: one mutated record (count 0x40000020)
 * made it take all 23 GB of a test machine
 * (regressions/evtx_file/oom-libevtx-template-values.evtx). That is the
 * library's bug, not ours to find again on every run, so under ASan a single
 * allocation past 128 MiB fails (returns NULL, as under a memory limit)
 * instead of succeeding; libevtx then reports the record as unreadable and
 * the collector skips it. Our own allocations never come near that size.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtx_scan.h"
#include "fuzz_check.h"
#include "json_check.h"
#include "shoseki/collector.h"

#define FUZZ_HANDLES    64
#define FUZZ_JSON_LIMIT ((size_t)1 << 25)
/* ASan options read at start-up: see the memory note above (128 MiB). */
#define FUZZ_ASAN_OPTIONS "allocator_may_return_null=1:max_allocation_size_mb=128"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
    return FUZZ_ASAN_OPTIONS;
}

struct fuzz_file {
    const char *path;    /* the temporary file */
    size_t size;         /* its bytes */
    struct sho_buf json; /* rendering of the current event */
    uint64_t events;     /* sink calls */
    uint64_t problems;   /* problem calls */
};

static int on_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_file *f = ctx;
    int rc;

    (void)err;
    if (ev->source == NULL || strcmp(ev->source, f->path) != 0) {
        fuzz_fail("event source is '%s', not the file read", ev->source ? ev->source : "(null)");
    }
    if ((ev->has & SHO_HAS_SOURCE_OFFSET) &&
        (ev->source_offset < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE ||
         (uint64_t)ev->source_offset + EVTX_RECORD_MIN_SIZE > f->size)) {
        fuzz_fail("event (record %" PRIu64 ") located at offset %" PRId64
                  ", not a record of the %zu-byte file",
                  ev->record_id, ev->source_offset, f->size);
    }
    sho_buf_reset(&f->json);
    rc = sho_event_to_json(ev, 0, &f->json);
    if (rc == 0 && !json_check(f->json.data, f->json.len)) {
        fuzz_fail("sho_event_to_json wrote something that is not JSON: %s", f->json.data);
    }
    f->events++;
    return 0;
}

static void on_problem(void *ctx, const struct sho_err *problem)
{
    struct fuzz_file *f = ctx;

    if (problem->code >= 0 || strcmp(problem->path, f->path) != 0) {
        fuzz_fail("problem with code %d in '%s' (%s)", problem->code, problem->path, problem->msg);
    }
    f->problems++;
}

static void check_stats(const struct fuzz_file *f, const struct sho_collect_stats *st)
{
    if (st->emitted != f->events || st->emitted > st->read ||
        st->read > st->records + st->recovered || st->recovered_read > st->recovered ||
        f->problems < sho_collect_stats_skipped(st)) {
        fuzz_fail("stats disagree with the sink: %" PRIu64 " events seen, %" PRIu64
                  " problems; records %" PRIu64 " recovered %" PRIu64 " (read %" PRIu64
                  ") read %" PRIu64 " emitted %" PRIu64 " skipped %" PRIu64,
                  f->events, f->problems, st->records, st->recovered, st->recovered_read, st->read,
                  st->emitted, sho_collect_stats_skipped(st));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/shoseki-fuzz-evtx-XXXXXX";
    struct sho_collect_opts opts = { SHO_COLLECT_ALL_EVENTS | SHO_COLLECT_ALL_OBJECTS, FUZZ_HANDLES,
                                     SHO_DECODER_LIBEVTX, 1 };
    struct fuzz_file f = { path, size, { NULL, 0, 0, 0 }, 0, 0 };
    struct sho_collect_sink sink = { on_event, on_problem, &f, NULL };
    struct sho_collect_stats st;
    struct sho_collector *c;
    int fd = mkstemp(path);
    int rc;

    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        sho_buf_init(&f.json, FUZZ_JSON_LIMIT);
        c = sho_collector_new(&opts);
        rc = sho_collector_read_evtx(c, path, &sink, &st, NULL);
        if (rc == 0) {
            check_stats(&f, &st);
        } else if (rc != SHO_ECORRUPT && rc != SHO_EIO) {
            fuzz_fail("sho_collector_read_evtx returned %d", rc);
        }
        sho_collector_free(c);
        sho_buf_release(&f.json);
    }
    (void)close(fd);
    (void)unlink(path);
    return 0;
}
