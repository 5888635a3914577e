/*
 * Fuzz target: everything that reads archive bytes: a segment file walked
 * frame by frame (hash, lengths, decompression, dictionary references), and
 * the payload parsers on the raw input: block tables, SOURCE and SEGMENT
 * records, and the event codec.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
