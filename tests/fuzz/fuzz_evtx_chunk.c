/*
 * Fuzz target: the EVTX container walk over one chunk image (the input,
 * zero-padded or cut to 64 KiB): record chaining and every length check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void visit(void *ctx, uint32_t off, uint64_t id, uint32_t size)
{
    uint64_t *sum = ctx;

    *sum += off + id + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *chunk = calloc(1, EVTX_CHUNK_SIZE);
    volatile uint64_t keep;
    uint64_t sum = 0;

    if (chunk == NULL) {
        return 0;
    }
    memcpy(chunk, data, size < EVTX_CHUNK_SIZE ? size : EVTX_CHUNK_SIZE);
    (void)evtx_scan_chunk(chunk, visit, &sum);
    keep = sum; /* the walk's results must not be optimised away */
    (void)keep;
    free(chunk);
    return 0;
}
