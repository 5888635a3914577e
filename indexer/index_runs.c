/*
 * index_runs: the writer's side of the event store. A batch of events
 * becomes one run: sorted by (time, archive reference), cut into
 * blocks of one page each (at most IX_BLK_EVENTS events), with the postings
 * of its files and persons and one `runs`
 * row that says where its blocks are and when each begins. Small runs (the
 * few events an incremental update finds) are merged into the run before
 * them while that one is not much larger, so the number of runs stays near
 * the number of full batches and a search visits few of them.
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define RUN_MERGE_RATIO 4 /* merge the last run while it holds at most 4x the new events */

struct run_head {
    int64_t id, blk_first, nblk, events;
};

static int step_done(struct sho_index *ix, sqlite3_stmt *st, struct sho_err *err)
{
    int rc = sqlite3_step(st);

    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ix_sql_fail(ix, "cannot write the index", err);
}

/* The last run, if any: returns 1 found, 0 none, negative on error. */
static int run_last(struct sho_index *ix, struct run_head *h, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_RUN_LAST];
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        h->id = sqlite3_column_int64(st, 0);
        h->blk_first = sqlite3_column_int64(st, 1);
        h->nblk = sqlite3_column_int64(st, 2);
        h->events = sqlite3_column_int64(st, 3);
    }
    (void)sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return ix_sql_fail(ix, "cannot read the index", err);
    }
    return rc == SQLITE_ROW ? 1 : 0;
}

/* Read run `h`'s events back, in their order, into a new array. */
static int run_load(struct sho_index *ix, const struct run_head *h, struct ix_row **out,
                    struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_BLK_GET];
    struct ix_block blk;
    struct ix_row *rows = sho_xmalloc(((size_t)h->events + 1) * sizeof(*rows));
    size_t n = 0, i;
    int64_t b;
    int rc = 0;

    memset(&blk, 0, sizeof(blk));
    for (b = h->blk_first; rc == 0 && b < h->blk_first + h->nblk; b++) {
        (void)sqlite3_bind_int64(st, 1, b);
        rc = sqlite3_step(st) == SQLITE_ROW ? ix_block_load(&blk, sqlite3_column_blob(st, 0),
                                                            (size_t)sqlite3_column_bytes(st, 0))
                                            : SHO_ECORRUPT;
        (void)sqlite3_reset(st);
        for (i = 0; rc == 0 && i < blk.n; i++) {
            if (n == (size_t)h->events) {
                rc = SHO_ECORRUPT;
                break;
            }
            ix_block_row(&blk, i, &rows[n++]);
        }
    }
    ix_block_release(&blk);
    if (rc == 0 && n != (size_t)h->events) {
        rc = SHO_ECORRUPT;
    }
    if (rc != 0) {
        free(rows);
        return sho_err_set(err, SHO_ECORRUPT, ix->path, -1,
                           "index run %lld is damaged (run 'shoseki index --rebuild')",
                           (long long)h->id);
    }
    *out = rows;
    return 0;
}

static int run_delete(struct sho_index *ix, const struct run_head *h, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_BLK_DEL];
    int rc;

    (void)sqlite3_bind_int64(st, 1, h->blk_first);
    (void)sqlite3_bind_int64(st, 2, h->blk_first + h->nblk);
    rc = step_done(ix, st, err);
    if (rc == 0) {
        st = ix->stmt[S_POST_DEL];
        (void)sqlite3_bind_int64(st, 1, ix_post_key(h->id, IX_KIND_FILE, 0));
        (void)sqlite3_bind_int64(st, 2, ix_post_key(h->id + 1, IX_KIND_FILE, 0));
        rc = step_done(ix, st, err);
    }
    if (rc == 0) {
        st = ix->stmt[S_RUN_DEL];
        (void)sqlite3_bind_int64(st, 1, h->id);
        rc = step_done(ix, st, err);
    }
    return rc;
}

static bool row_before(const struct ix_row *a, const struct ix_row *b)
{
    return a->t != b->t ? a->t < b->t : a->ref < b->ref;
}

/* Merge two runs' rows (each in (time, reference) order) into a new array. */
static struct ix_row *rows_merge(const struct ix_row *a, size_t na, const struct ix_row *b,
                                 size_t nb)
{
    struct ix_row *m = sho_xmalloc((na + nb + 1) * sizeof(*m));
    size_t i = 0, j = 0, k = 0;

    if (a == NULL || b == NULL) {
        na = a == NULL ? 0 : na;
        nb = b == NULL ? 0 : nb;
    }
    while (i < na && j < nb) {
        m[k++] = row_before(&b[j], &a[i]) ? b[j++] : a[i++];
    }
    while (i < na) {
        m[k++] = a[i++];
    }
    while (j < nb) {
        m[k++] = b[j++];
    }
    return m;
}

/* Room for `n` in the writer's sort buffers, kept from batch to batch: fresh memory for every
 * batch cost a page fault and a zeroed page per 4 KiB, a tenth of the kernel's share. */
static void scratch_reserve(struct sho_index *ix, size_t n)
{
    if (ix->scratch_cap < n + 1) {
        ix->scratch_cap = n + 1;
        ix->scratch[0] = sho_xrealloc(ix->scratch[0], ix->scratch_cap * sizeof(struct ix_kv));
        ix->scratch[1] = sho_xrealloc(ix->scratch[1], ix->scratch_cap * sizeof(struct ix_kv));
        ix->scratch_evno = sho_xrealloc(ix->scratch_evno, ix->scratch_cap * sizeof(int64_t));
    }
}

/* The rows sorted by time; equal times keep their (archive) order. */
static struct ix_row *rows_sort(struct sho_index *ix, const struct ix_row *rows, size_t n)
{
    struct ix_kv *a, *tmp;
    struct ix_row *out = sho_xmalloc((n + 1) * sizeof(*out));
    struct ix_kv *s;
    size_t i;

    scratch_reserve(ix, n);
    a = ix->scratch[0];
    tmp = ix->scratch[1];
    for (i = 0; i < n; i++) {
        a[i].key = (uint64_t)rows[i].t ^ ((uint64_t)1 << 63);
        a[i].val = i;
    }
    s = ix_sort_kv(a, tmp, n);
    for (i = 0; i < n; i++) {
        out[i] = rows[s[i].val];
    }
    return out;
}

/*
 * Cut the rows into blocks that each fit one page (IX_BLK_BYTES) and store them; `bstart`
 * gets each block's first time. Row i's event number goes into `evno[i]`. Returns the
 * number of blocks in *nblk.
 */
static int run_blocks(struct sho_index *ix, const struct ix_row *rows, size_t n, int64_t blk_first,
                      int64_t *evno, struct sho_buf *bstart, int64_t *nblk, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_BLK_ADD];
    struct sho_buf b;
    size_t i, k;
    int64_t blk = blk_first;
    int rc = 0;

    sho_buf_init(&b, (size_t)1 << 24);
    for (i = 0; rc == 0 && i < n; i += k, blk++) {
        uint8_t t[8];
        k = ix_block_fit(&rows[i], n - i, IX_BLK_BYTES);
        sho_buf_reset(&b);
        sho_put_le64(t, (uint64_t)rows[i].t);
        rc = sho_buf_append(bstart, t, 8);
        if (rc == 0) {
            rc = ix_block_pack(&rows[i], k, &b);
        }
        if (rc != 0) {
            rc = sho_err_set(err, rc, ix->path, -1, "index block too large");
            break;
        }
        for (size_t j = 0; j < k; j++) {
            evno[i + j] = blk << IX_BLK_SHIFT | (int64_t)j;
        }
        (void)sqlite3_bind_int64(st, 1, blk);
        (void)sqlite3_bind_blob(st, 2, b.data, (int)b.len, SQLITE_STATIC);
        rc = step_done(ix, st, err);
    }
    sho_buf_release(&b);
    *nblk = blk - blk_first;
    return rc;
}

static int run_postings(struct sho_index *ix, const struct ix_row *rows, const int64_t *evno,
                        size_t n, int64_t run, int64_t blk_first, struct sho_err *err)
{
    struct ix_kv *a, *tmp;
    int64_t base = blk_first << IX_BLK_SHIFT;
    int kind, rc = 0;

    scratch_reserve(ix, n);
    a = ix->scratch[0];
    tmp = ix->scratch[1];
    for (kind = IX_KIND_FILE; rc == 0 && kind <= IX_KIND_PERSON; kind++) {
        size_t i, m = 0;
        for (i = 0; i < n; i++) {
            int64_t key = kind == IX_KIND_FILE ? rows[i].file : rows[i].person;
            if (key > 0) {
                a[m].key = (uint64_t)key;
                a[m++].val = (uint64_t)evno[i];
            }
        }
        rc = ix_post_write(ix, (enum ix_kind)kind, run, base, ix_sort_kv(a, tmp, m), m, err);
    }
    return rc;
}

static int run_write(struct sho_index *ix, const struct ix_row *rows, size_t n, int64_t run,
                     int64_t blk_first, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_RUN_ADD];
    struct sho_buf bstart;
    int64_t *evno;
    int64_t nblk = 0;
    int rc;

    scratch_reserve(ix, n);
    evno = ix->scratch_evno;
    sho_buf_init(&bstart, (size_t)1 << 30);
    rc = run_blocks(ix, rows, n, blk_first, evno, &bstart, &nblk, err);
    if (rc == 0) {
        rc = run_postings(ix, rows, evno, n, run, blk_first, err);
    }
    if (rc == 0) {
        (void)sqlite3_bind_int64(st, 1, run);
        (void)sqlite3_bind_int64(st, 2, blk_first);
        (void)sqlite3_bind_int64(st, 3, nblk);
        (void)sqlite3_bind_int64(st, 4, (int64_t)n);
        (void)sqlite3_bind_int64(st, 5, rows[0].t);
        (void)sqlite3_bind_int64(st, 6, rows[n - 1].t);
        (void)sqlite3_bind_blob(st, 7, bstart.data, (int)bstart.len, SQLITE_STATIC);
        rc = step_done(ix, st, err);
    }
    sho_buf_release(&bstart);
    return rc;
}

int ix_run_store(struct sho_index *ix, struct ix_row *rows, size_t n, size_t cap,
                 struct sho_err *err)
{
    struct run_head last = { 0, 0, 0, 0 };
    struct ix_row *cur;
    int64_t run = 1, blk_first = 0;
    int rc, found;

    if (n == 0) {
        return 0;
    }
    cur = rows_sort(ix, rows, n);
    while ((found = run_last(ix, &last, err)) == 1) {
        struct ix_row *old = NULL, *merged;
        run = last.id + 1;
        blk_first = last.blk_first + last.nblk;
        if ((uint64_t)last.events + n > cap || (uint64_t)last.events > RUN_MERGE_RATIO * n) {
            break;
        }
        rc = run_load(ix, &last, &old, err);
        if (rc == 0) {
            rc = run_delete(ix, &last, err);
        }
        if (rc != 0) {
            free(old);
            free(cur);
            return rc;
        }
        merged = rows_merge(old, (size_t)last.events, cur, n);
        n += (size_t)last.events;
        free(old);
        free(cur);
        cur = merged;
        run = last.id;
        blk_first = last.blk_first;
    }
    rc = found < 0 ? found : run_write(ix, cur, n, run, blk_first, err);
    free(cur);
    return rc;
}
