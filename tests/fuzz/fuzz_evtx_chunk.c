/*
 * Fuzz target: the EVTX container walk (collector/evtx_scan.c) over one chunk
 * image: the input, zero-padded or cut to EVTX_CHUNK_SIZE bytes, through
 * evtx_scan_chunk. Besides memory errors it checks what the walk promises
 * the collector, which turns its offsets into evidence locations: -1 exactly
 * when the chunk signature is wrong, one callback per record counted, and
 * records that tile the chunk from its header onwards without overlapping
 * or leaving it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_scan.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct chunk_walk {
    uint32_t next_off; /* where the next record must start */
    int count;         /* records seen */
};

static void visit(void *ctx, uint32_t off, uint64_t id, uint32_t size)
{
    struct chunk_walk *w = ctx;

    (void)id;
    if (off != w->next_off || size < EVTX_RECORD_MIN_SIZE || size > EVTX_CHUNK_SIZE - off) {
        fuzz_fail("record %u at chunk offset %u (%u bytes): expected one at %u, inside the chunk",
                  w->count, off, size, w->next_off);
    }
    w->next_off = off + size;
    w->count++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t magic[8] = { 'E', 'l', 'f', 'C', 'h', 'n', 'k', 0 };
    uint8_t *chunk = calloc(1, EVTX_CHUNK_SIZE);
    struct chunk_walk w = { EVTX_CHUNK_HEADER_SIZE, 0 };
    int count;

    if (chunk == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(chunk, data, size < EVTX_CHUNK_SIZE ? size : EVTX_CHUNK_SIZE);
    }
    count = evtx_scan_chunk(chunk, visit, &w);
    if (memcmp(chunk, magic, sizeof(magic)) != 0 ? count != -1 : count != w.count) {
        fuzz_fail("evtx_scan_chunk returned %d after %d callbacks", count, w.count);
    }
    /* Without a callback the walk must count the same records. */
    if (evtx_scan_chunk(chunk, NULL, NULL) != count) {
        fuzz_fail("evtx_scan_chunk counts differently without a callback");
    }
    free(chunk);
    return 0;
}
