/*
 * Fuzz target: everything that reads archive bytes: a segment file walked
 * frame by frame (hash, lengths, decompression, dictionary references), and
 * the payload parsers on the raw input: block tables, SOURCE and SEGMENT
 * records, EVENTS payloads of both versions, the version 1 event codec and
 * the columnar batch. A batch that decodes must encode back to exactly the
 * bytes it came from (the decoder accepts only minimal varints).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_priv.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The columnar batch at `data`: decode, read every event, encode again. */
static void fuzz_batch(const uint8_t *data, size_t size)
{
    struct sho_event_batch *b = sho_event_batch_new((size_t)1 << 24);
    struct sho_event ev;
    struct sho_buf again;
    size_t used = 0, i;

    sho_buf_init(&again, (size_t)1 << 25);
    if (sho_event_batch_decode(b, data, size, &used) == 0) {
        if (used > size) {
            fuzz_fail("batch: used %zu of %zu bytes", used, size);
        }
        for (i = 0; i < sho_event_batch_count(b); i++) {
            sho_event_batch_get(b, i, &ev);
        }
        if (sho_event_batch_encode(b, &again) != 0 || again.len != used ||
            memcmp(again.data, data, used) != 0) {
            fuzz_fail("batch: %zu bytes decode but encode to %zu other bytes", used, again.len);
        }
    }
    sho_buf_release(&again);
    sho_event_batch_free(b);
}

/* An EVENTS payload, either version, read to its end with each event's key. */
static void fuzz_events(const uint8_t *data, size_t size)
{
    struct arc_events r;
    struct sho_event ev;
    uint8_t key[SHO_HASH_LEN];
    uint32_t n = 0;
    int rc = 0;

    arc_events_init(&r);
    if (arc_events_load(&r, data, size) == 0) {
        while ((rc = arc_events_next(&r, &ev)) == 1) {
            sho_event_key(&ev, sho_sha256, key);
            n++;
        }
        if (rc == 0 && n != r.count) {
            fuzz_fail("events: %u events read of %u counted", n, r.count);
        }
    }
    arc_events_release(&r);
}

static void fuzz_payloads(const uint8_t *data, size_t size)
{
    struct arc_block_table t;
    struct arc_source_rec rec;
    struct sho_event ev;
    struct sho_buf strings;
    uint32_t n;
    uint64_t a, b;
    size_t pos = 0, used;
    int rc;

    /* Results are ignored: any answer is fine, only memory errors and crashes are bugs. */
    rc = arc_blocks_parse(data, size, &t);
    if (arc_source_parse(data, size, &rec) == 0) {
        arc_source_release(&rec);
    }
    rc |= arc_segment_parse(data, size, &n, &a, &b);
    (void)rc;
    sho_buf_init(&strings, (size_t)1 << 24);
    while (pos < size && sho_event_decode(data + pos, size - pos, &ev, &strings, &used) == 0) {
        pos += used;
    }
    sho_buf_release(&strings);
    fuzz_events(data, size);
    fuzz_batch(data, size);
}

static int on_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    (void)ctx;
    (void)fi;
    fuzz_payloads(p, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[] = "/tmp/shoseki-fuzz-arc-XXXXXX";
    char path[256];
    struct sho_archive *a = NULL;
    struct sho_verify_report r;
    FILE *f;
    int rc;

    fuzz_payloads(data, size);
    if (mkdtemp(dir) == NULL) {
        return 0;
    }
    (void)snprintf(path, sizeof(path), "%s/archive", dir);
    (void)mkdir(path, 0700);
    (void)snprintf(path, sizeof(path), "%s/archive/seg-00000001.sho", dir);
    f = fopen(path, "wb");
    if (f != NULL && fwrite(data, 1, size, f) == size && fclose(f) == 0 &&
        sho_archive_open(dir, NULL, &a, NULL) == 0) {
        rc = sho_archive_verify(a, NULL, &r, NULL);
        rc |= sho_archive_walk(a, SHO_FRAME_ALL, on_frame, NULL, NULL);
        (void)rc;
        sho_archive_close(a);
    } else if (f != NULL) {
        (void)fclose(f);
    }
    (void)unlink(path);
    (void)snprintf(path, sizeof(path), "%s/archive", dir);
    (void)rmdir(path);
    (void)rmdir(dir);
    return 0;
}
