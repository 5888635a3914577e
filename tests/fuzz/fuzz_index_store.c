/*
 * Fuzz target: the index's event store decoders, which read blobs from
 * DATA/index.sqlite (a file that can be damaged or edited): a block
 * (indexer/index_block.c: ix_block_load, ix_block_get) and a postings row
 * (indexer/index_post.c: ix_post_pick). The first byte chooses which. Contracts
 * checked beyond sanitizer reports:
 *   - a block that loads gives back rows that pack and load again to the same
 *     rows (values survive whatever bases and widths the input chose);
 *   - a postings row that decodes gives increasing event numbers per id at or
 *     above the run's first, and only for ids asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "index_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void block_case(const uint8_t *data, size_t size)
{
    static struct ix_row rows[IX_BLK_EVENTS], again;
    struct ix_block b, b2;
    struct sho_buf buf;
    size_t i;

    memset(&b, 0, sizeof(b));
    memset(&b2, 0, sizeof(b2));
    if (ix_block_load(&b, data, size) == 0) {
        for (i = 0; i < b.n; i++) {
            ix_block_row(&b, i, &rows[i]);
        }
        sho_buf_init(&buf, (size_t)1 << 24);
        if (ix_block_pack(rows, b.n, &buf) != 0 || ix_block_load(&b2, buf.data, buf.len) != 0 ||
            b2.n != b.n) {
            fuzz_fail("a block of %zu events does not pack and load again", b.n);
        }
        for (i = 0; i < b.n; i++) {
            ix_block_row(&b2, i, &again);
            if (memcmp(&again, &rows[i], sizeof(again)) != 0) {
                fuzz_fail("event %zu of %zu changed in a pack and load", i, b.n);
            }
        }
        sho_buf_release(&buf);
    }
    ix_block_release(&b);
    ix_block_release(&b2);
}

static void postings_case(const uint8_t *data, size_t size)
{
    int64_t keys[3] = { 3, 4, 200 };
    struct ix_evnos e = { NULL, 0, 0 };
    size_t i;

    if (ix_post_pick(data, size, 0, 1024, keys, 3, &e) == 0) {
        for (i = 0; i < e.n; i++) {
            if (e.v[i] < 1024) {
                fuzz_fail("event number %lld below the run's first", (long long)e.v[i]);
            }
        }
    }
    free(e.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    if (data[0] & 1) {
        postings_case(data + 1, size - 1);
    } else {
        block_case(data + 1, size - 1);
    }
    return 0;
}
