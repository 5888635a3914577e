/*
 * index_sort: a stable least-significant-digit radix sort of (key, value)
 * pairs by key, byte by byte, skipping the bytes all keys share. The writer
 * sorts every batch by time and every postings list by file and person: at
 * a quarter of a million pairs per batch this is several times quicker than
 * qsort, and stable, which the writer relies on (pairs arrive in archive
 * order, so equal keys stay in it).
 */
#include <string.h>

#include "index_priv.h"

struct ix_kv *ix_sort_kv(struct ix_kv *a, struct ix_kv *tmp, size_t n)
{
    size_t count[8][256];
    size_t i;
    unsigned d;

    memset(count, 0, sizeof(count));
    for (i = 0; i < n; i++) {
        uint64_t k = a[i].key;
        for (d = 0; d < 8; d++) {
            count[d][(k >> (8 * d)) & 0xFF]++;
        }
    }
    for (d = 0; d < 8; d++) {
        size_t pos = 0, b;
        if (n == 0 || count[d][(a[0].key >> (8 * d)) & 0xFF] == n) {
            continue; /* every key has this byte: the pass would change nothing */
        }
        for (b = 0; b < 256; b++) {
            size_t c = count[d][b];
            count[d][b] = pos;
            pos += c;
        }
        for (i = 0; i < n; i++) {
            tmp[count[d][(a[i].key >> (8 * d)) & 0xFF]++] = a[i];
        }
        {
            struct ix_kv *t = a;
            a = tmp;
            tmp = t;
        }
    }
    return a;
}
