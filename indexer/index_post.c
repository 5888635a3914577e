/*
 * index_post: the postings lists. For one run and one kind (files or
 * persons), the event numbers of every id, grouped into one `post` row per
 * bucket of 2^shift neighbouring ids:
 *
 *   repeated: varint (id - previous id, the first from the bucket's first id)
 *             varint count (>= 1)
 *             count varints: the first event number minus the run's first,
 *             then each minus the one before (> 0: numbers strictly increase)
 *
 * A search by file or person reads one row per run for each bucket its ids
 * fall in and keeps the numbers of its ids.
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

static int post_put(struct sho_index *ix, enum ix_kind kind, int64_t run, int64_t bucket,
                    const struct sho_buf *b, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_POST_ADD];
    int rc;

    if (bucket >= IX_POST_BUCKETS || run >= ((int64_t)1 << 32)) {
        return sho_err_set(err, SHO_ELIMIT, ix->path, -1,
                           "more files or persons than the index holds");
    }
    (void)sqlite3_bind_int64(st, 1, ix_post_key(run, kind, bucket));
    (void)sqlite3_bind_blob(st, 2, b->data, (int)b->len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ix_sql_fail(ix, "cannot write the index", err);
}

/* Append the group of pairs [i, j) (one id) to `b`. */
static int post_group(struct sho_buf *b, const struct ix_kv *p, size_t i, size_t j,
                      uint64_t prev_key, int64_t evno_base)
{
    uint8_t *o;
    int64_t prev = evno_base;
    size_t k;
    int rc = sho_buf_reserve(b, (j - i + 2) * SHO_VARINT_MAX);

    if (rc != 0) {
        return rc;
    }
    o = (uint8_t *)b->data + b->len;
    o += sho_varint_put(o, p[i].key - prev_key);
    o += sho_varint_put(o, (uint64_t)(j - i));
    for (k = i; k < j; k++) {
        o += sho_varint_put(o, (uint64_t)((int64_t)p[k].val - prev));
        prev = (int64_t)p[k].val;
    }
    b->len = (size_t)(o - (uint8_t *)b->data);
    return 0;
}

int ix_post_write(struct sho_index *ix, enum ix_kind kind, int64_t run, int64_t evno_base,
                  const struct ix_kv *p, size_t n, struct sho_err *err)
{
    unsigned shift = kind == IX_KIND_FILE ? IX_FILE_SHIFT : IX_PERSON_SHIFT;
    struct sho_buf b;
    size_t i = 0;
    int rc = 0;

    sho_buf_init(&b, (size_t)1 << 30);
    while (rc == 0 && i < n) {
        uint64_t bucket = p[i].key >> shift;
        uint64_t prev_key = bucket << shift;
        sho_buf_reset(&b);
        while (rc == 0 && i < n && p[i].key >> shift == bucket) {
            size_t j = i + 1;
            while (j < n && p[j].key == p[i].key) {
                j++;
            }
            rc = post_group(&b, p, i, j, prev_key, evno_base);
            prev_key = p[i].key;
            i = j;
        }
        if (rc == 0) {
            rc = post_put(ix, kind, run, (int64_t)bucket, &b, err);
        } else {
            rc = sho_err_set(err, rc, ix->path, -1, "postings list too large");
        }
    }
    sho_buf_release(&b);
    return rc;
}

void ix_evnos_push(struct ix_evnos *e, int64_t v)
{
    if (e->n == e->cap) {
        e->cap = e->cap != 0 ? e->cap * 2 : 256;
        e->v = sho_xrealloc(e->v, e->cap * sizeof(*e->v));
    }
    e->v[e->n++] = v;
}

/* Skip `count` event numbers of a group not asked for, checking their form. */
static int post_skip(const uint8_t *p, size_t len, size_t *pos, uint64_t count)
{
    uint64_t i, d;

    for (i = 0; i < count; i++) {
        if (sho_varint_get(p, len, pos, &d) != 0) {
            return SHO_ECORRUPT;
        }
    }
    return 0;
}

int ix_post_pick(const uint8_t *p, size_t len, int64_t key0, int64_t evno_base, const int64_t *keys,
                 size_t nkeys, struct ix_evnos *out)
{
    size_t pos = 0, k = 0;
    uint64_t key = (uint64_t)key0;

    while (pos < len) {
        uint64_t delta, count, i, d;
        int64_t evno = evno_base;
        if (sho_varint_get(p, len, &pos, &delta) != 0 ||
            sho_varint_get(p, len, &pos, &count) != 0 || count == 0 || count > len - pos ||
            delta > (uint64_t)INT64_MAX - key) {
            return SHO_ECORRUPT;
        }
        key += delta;
        while (k < nkeys && (uint64_t)keys[k] < key) {
            k++;
        }
        if (k == nkeys || (uint64_t)keys[k] != key) {
            if (post_skip(p, len, &pos, count) != 0) {
                return SHO_ECORRUPT;
            }
            continue;
        }
        for (i = 0; i < count; i++) {
            if (sho_varint_get(p, len, &pos, &d) != 0 || d > ((uint64_t)1 << 53) ||
                (i > 0 && d == 0)) {
                return SHO_ECORRUPT;
            }
            evno += (int64_t)d;
            if (evno > ((int64_t)1 << 62)) {
                return SHO_ECORRUPT;
            }
            ix_evnos_push(out, evno);
        }
    }
    return 0;
}
