/*
 * Fuzz target: a whole .evtx file through the collector: libevtx, our
 * container walk (offsets, dropped records, damaged chunks), the XML reader
 * and the normalizer, with every record kept and rendered as JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shoseki/collector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct sho_buf *b = ctx;

    int rc;

    (void)err;
    sho_buf_reset(b);
    rc = sho_event_to_json(ev, 0, b); /* a render past the buffer's cap is fine here */
    (void)rc;
    return 0;
}

static void on_problem(void *ctx, const struct sho_err *problem)
{
    (void)ctx;
    (void)problem;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/shoseki-fuzz-evtx-XXXXXX";
    struct sho_collect_opts opts = { SHO_COLLECT_ALL_EVENTS | SHO_COLLECT_ALL_OBJECTS, 64 };
    struct sho_collect_stats st;
    struct sho_collector *c;
    struct sho_buf json;
    struct sho_collect_sink sink = { on_event, on_problem, &json };
    int fd = mkstemp(path);

    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        sho_buf_init(&json, (size_t)1 << 24);
        c = sho_collector_new(&opts);
        (void)sho_collector_read_evtx(c, path, &sink, &st, NULL);
        sho_collector_free(c);
        sho_buf_release(&json);
    }
    (void)close(fd);
    (void)unlink(path);
    return 0;
}
