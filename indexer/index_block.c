/*
 * index_block: an index block packs up to IX_BLK_EVENTS events column by
 * column, each column frame-of-reference bit-packed: the column's smallest
 * value, then every value minus it in a fixed number of bits. Any event is
 * read in constant time without decoding its neighbours, which is what a
 * search by file or person needs (it wants a few events of many blocks).
 *
 *   u16 n                        events, 1..1024
 *   IX_COLS x (i64 base, u8 w)   per column: smallest value, bits per value (0..64)
 *   IX_COLS x packed             per column, ceil(n * w / 8) bytes, LSB first
 *
 * All integers little-endian. The layout is in docs/decisions.md ("The index").
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define BLK_HEAD (2 + IX_COLS * 9)
#define BLK_PAD  16 /* zero bytes after a loaded block: 64-bit reads never run past it */

static int64_t row_col(const struct ix_row *r, enum ix_col c)
{
    switch (c) {
    case IX_COL_T:
        return r->t;
    case IX_COL_FILE:
        return r->file;
    case IX_COL_PERSON:
        return r->person;
    case IX_COL_CTX:
        return r->ctx;
    case IX_COL_REF:
        return r->ref;
    default:
        return r->sess;
    }
}

static unsigned bits_of(uint64_t range)
{
    return range == 0 ? 0 : 64 - (unsigned)__builtin_clzll(range);
}

static size_t packed_len(size_t n, unsigned w)
{
    return (n * w + 7) / 8;
}

/* OR `w` low bits of `v` into `p` at bit `pos` (p zeroed beforehand). */
static void bits_put(uint8_t *p, size_t pos, unsigned w, uint64_t v)
{
    size_t byte = pos / 8;
    unsigned sh = (unsigned)(pos % 8);
    unsigned done = 0;

    while (done < w) {
        p[byte++] |= (uint8_t)((v >> done) << sh);
        done += 8 - sh;
        sh = 0;
    }
}

size_t ix_block_fit(const struct ix_row *rows, size_t n, size_t max_bytes)
{
    int64_t lo[IX_COLS], hi[IX_COLS];
    size_t k = 0;
    int c;

    while (k < n && k < IX_BLK_EVENTS) {
        size_t total = BLK_HEAD;
        for (c = 0; c < IX_COLS; c++) {
            int64_t v = row_col(&rows[k], (enum ix_col)c);
            int64_t l = k == 0 || v < lo[c] ? v : lo[c];
            int64_t h = k == 0 || v > hi[c] ? v : hi[c];
            total += packed_len(k + 1, bits_of((uint64_t)h - (uint64_t)l));
        }
        if (k > 0 && total > max_bytes) {
            break;
        }
        for (c = 0; c < IX_COLS; c++) {
            int64_t v = row_col(&rows[k], (enum ix_col)c);
            lo[c] = k == 0 || v < lo[c] ? v : lo[c];
            hi[c] = k == 0 || v > hi[c] ? v : hi[c];
        }
        k++;
    }
    return k;
}

int ix_block_pack(const struct ix_row *rows, size_t n, struct sho_buf *out)
{
    int64_t base[IX_COLS];
    unsigned w[IX_COLS];
    size_t total = BLK_HEAD, at, i;
    uint8_t *p;
    int c, rc;

    for (c = 0; c < IX_COLS; c++) {
        int64_t lo = row_col(&rows[0], (enum ix_col)c), hi = lo;
        for (i = 1; i < n; i++) {
            int64_t v = row_col(&rows[i], (enum ix_col)c);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        base[c] = lo;
        w[c] = bits_of((uint64_t)hi - (uint64_t)lo);
        total += packed_len(n, w[c]);
    }
    rc = sho_buf_reserve(out, total);
    if (rc != 0) {
        return rc;
    }
    p = (uint8_t *)out->data + out->len;
    memset(p, 0, total);
    p[0] = (uint8_t)n;
    p[1] = (uint8_t)(n >> 8);
    at = BLK_HEAD;
    for (c = 0; c < IX_COLS; c++) {
        sho_put_le64(p + 2 + (size_t)c * 9, (uint64_t)base[c]);
        p[2 + (size_t)c * 9 + 8] = (uint8_t)w[c];
        for (i = 0; w[c] != 0 && i < n; i++) {
            uint64_t v = (uint64_t)row_col(&rows[i], (enum ix_col)c) - (uint64_t)base[c];
            bits_put(p + at, i * w[c], w[c], v);
        }
        at += packed_len(n, w[c]);
    }
    out->len += total;
    return 0;
}

int ix_block_load(struct ix_block *b, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t at = BLK_HEAD;
    int c;

    b->n = 0;
    if (len < BLK_HEAD) {
        return SHO_ECORRUPT;
    }
    b->n = (size_t)p[0] | ((size_t)p[1] << 8);
    if (b->n == 0 || b->n > IX_BLK_EVENTS) {
        b->n = 0;
        return SHO_ECORRUPT;
    }
    for (c = 0; c < IX_COLS; c++) {
        b->base[c] = (int64_t)sho_le64(p + 2 + (size_t)c * 9);
        b->width[c] = p[2 + (size_t)c * 9 + 8];
        b->off[c] = at;
        if (b->width[c] > 64) {
            b->n = 0;
            return SHO_ECORRUPT;
        }
        at += packed_len(b->n, b->width[c]);
    }
    if (at != len) {
        b->n = 0;
        return SHO_ECORRUPT;
    }
    if (b->cap < len + BLK_PAD) {
        free(b->data);
        b->cap = len + BLK_PAD > 65536 ? len + BLK_PAD : 65536;
        b->data = sho_xmalloc(b->cap);
    }
    memcpy(b->data, data, len);
    memset(b->data + len, 0, BLK_PAD);
    return 0;
}

int64_t ix_block_get(const struct ix_block *b, size_t i, enum ix_col c)
{
    unsigned w = b->width[c];
    size_t pos = i * w;
    const uint8_t *p = b->data + b->off[c] + pos / 8;
    unsigned sh = (unsigned)(pos % 8);
    uint64_t v;

    if (w == 0) {
        return b->base[c];
    }
    v = sho_le64(p) >> sh;
    if (w + sh > 64) {
        v |= (uint64_t)p[8] << (64 - sh);
    }
    if (w < 64) {
        v &= ((uint64_t)1 << w) - 1;
    }
    return (int64_t)((uint64_t)b->base[c] + v);
}

void ix_block_row(const struct ix_block *b, size_t i, struct ix_row *r)
{
    r->t = ix_block_get(b, i, IX_COL_T);
    r->file = ix_block_get(b, i, IX_COL_FILE);
    r->person = ix_block_get(b, i, IX_COL_PERSON);
    r->ctx = ix_block_get(b, i, IX_COL_CTX);
    r->ref = ix_block_get(b, i, IX_COL_REF);
    r->sess = ix_block_get(b, i, IX_COL_SESS);
}

void ix_block_release(struct ix_block *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}
