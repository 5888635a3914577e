/*
 * index_scan: reading the event store. A scan visits the runs whose time
 * range meets the window; in each it walks either every block of the window
 * (a timeline) or the event numbers the postings give for the selected files
 * or persons. Runs are each in (time, reference) order, so a heap over one
 * cursor per run hands out every event of the selection in exactly that
 * order, holding one block per run: the same order whatever the runs are,
 * so a rebuilt index answers identically.
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

struct cursor {
    int64_t run, blk_first;
    int64_t *ev; /* list mode: event numbers, increasing (owned) */
    size_t nev, at;
    int64_t next, end; /* all mode: next event number, end of the window's blocks */
    struct ix_block blk;
    struct ix_row cur; /* the cursor's current event, when `live` */
    bool live;
};

struct ix_scan {
    struct sho_index *ix;
    sqlite3_stmt *blk_get, *post_get; /* owned */
    struct cursor *c;                 /* owned */
    size_t nc;
    size_t *heap; /* indexes into c of live cursors, a min-heap on (t, ref) */
    size_t nheap;
    int64_t since, until;
    bool all;
};

static int scan_corrupt(struct ix_scan *s, int64_t run, struct sho_err *err)
{
    return sho_err_set(err, SHO_ECORRUPT, s->ix->path, -1,
                       "index run %lld is damaged (run 'shoseki index --rebuild')", (long long)run);
}

/* Make block `id` the cursor's loaded block. */
static int cursor_block(struct ix_scan *s, struct cursor *c, int64_t id, struct sho_err *err)
{
    int rc;

    if (c->blk.n != 0 && c->blk.id == id) {
        return 0;
    }
    (void)sqlite3_bind_int64(s->blk_get, 1, id);
    rc = sqlite3_step(s->blk_get);
    if (rc == SQLITE_ROW) {
        rc = ix_block_load(&c->blk, sqlite3_column_blob(s->blk_get, 0),
                           (size_t)sqlite3_column_bytes(s->blk_get, 0));
    } else {
        rc = rc == SQLITE_DONE ? SHO_ECORRUPT : SHO_ESQL;
    }
    (void)sqlite3_reset(s->blk_get);
    if (rc == SHO_ESQL) {
        return ix_sql_fail(s->ix, "cannot read the index", err);
    }
    c->blk.id = id;
    return rc == 0 ? 0 : scan_corrupt(s, c->run, err);
}

/* Move the cursor to its next event in the window; clears `live` at its end. */
static int cursor_advance(struct ix_scan *s, struct cursor *c, struct sho_err *err)
{
    for (;;) {
        int64_t evno;
        size_t pos;
        int rc;
        if (s->all) {
            if (c->next >= c->end) {
                break;
            }
            evno = c->next++;
        } else {
            if (c->at >= c->nev) {
                break;
            }
            evno = c->ev[c->at++];
        }
        rc = cursor_block(s, c, evno >> IX_BLK_SHIFT, err);
        if (rc != 0) {
            return rc;
        }
        pos = (size_t)(evno & (int64_t)(IX_BLK_EVENTS - 1));
        if (pos >= c->blk.n) {
            if (!s->all) {
                return scan_corrupt(s, c->run, err);
            }
            c->next = ((evno >> IX_BLK_SHIFT) + 1) << IX_BLK_SHIFT; /* the block's end */
            continue;
        }
        ix_block_row(&c->blk, pos, &c->cur);
        if (c->cur.t >= s->until) {
            break; /* a run is in time order: nothing further is in the window */
        }
        if (c->cur.t >= s->since) {
            c->live = true;
            return 0;
        }
    }
    c->live = false;
    return 0;
}

static bool cur_less(const struct ix_scan *s, size_t a, size_t b)
{
    const struct ix_row *x = &s->c[a].cur, *y = &s->c[b].cur;

    return x->t != y->t ? x->t < y->t : x->ref < y->ref;
}

static void heap_down(struct ix_scan *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && cur_less(s, s->heap[l], s->heap[m])) {
            m = l;
        }
        if (r < s->nheap && cur_less(s, s->heap[r], s->heap[m])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        {
            size_t t = s->heap[i];
            s->heap[i] = s->heap[m];
            s->heap[m] = t;
        }
        i = m;
    }
}

/* The blocks [*lo, *hi) of a run that may hold events of the window. */
static int run_window(const uint8_t *bstart, size_t len, int64_t nblk, int64_t tmax, int64_t since,
                      int64_t until, int64_t *lo, int64_t *hi)
{
    int64_t a = 0, b = nblk;

    if (nblk <= 0 || len != (size_t)nblk * 8) {
        return SHO_ECORRUPT;
    }
    /* lo: the first block whose end (the next block's start, or tmax) is >= since */
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        int64_t end = m + 1 < nblk ? (int64_t)sho_le64(bstart + (m + 1) * 8) : tmax;
        if (end < since) {
            a = m + 1;
        } else {
            b = m;
        }
    }
    *lo = a;
    /* hi: the first block starting at or after until */
    b = nblk;
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        if ((int64_t)sho_le64(bstart + m * 8) < until) {
            a = m + 1;
        } else {
            b = m;
        }
    }
    *hi = a;
    return 0;
}

/* List mode: the event numbers of the selection in run `c`, within [lo, hi). */
static int cursor_list(struct ix_scan *s, struct cursor *c, const struct ix_sel *sel, int64_t lo,
                       int64_t hi, struct sho_err *err)
{
    unsigned shift = sel->kind == IX_KIND_FILE ? IX_FILE_SHIFT : IX_PERSON_SHIFT;
    struct ix_evnos e = { NULL, 0, 0 };
    size_t i = 0, k, a, b;
    int rc = 0;

    while (rc == 0 && i < sel->n) {
        int64_t bucket = sel->ids[i] >> shift;
        size_t j = i;
        while (j < sel->n && sel->ids[j] >> shift == bucket) {
            j++;
        }
        (void)sqlite3_bind_int64(s->post_get, 1, ix_post_key(c->run, sel->kind, bucket));
        rc = bucket < IX_POST_BUCKETS ? sqlite3_step(s->post_get) : SQLITE_DONE;
        if (rc == SQLITE_ROW) {
            rc = ix_post_pick(sqlite3_column_blob(s->post_get, 0),
                              (size_t)sqlite3_column_bytes(s->post_get, 0), bucket << shift,
                              c->blk_first << IX_BLK_SHIFT, sel->ids + i, j - i, &e);
            rc = rc == 0 ? 0 : scan_corrupt(s, c->run, err);
        } else {
            rc = rc == SQLITE_DONE ? 0 : ix_sql_fail(s->ix, "cannot read the index", err);
        }
        (void)sqlite3_reset(s->post_get);
        i = j;
    }
    if (rc != 0) {
        free(e.v);
        return rc;
    }
    if (e.n > 1) {
        qsort(e.v, e.n, sizeof(*e.v), ix_id_cmp);
    }
    for (a = 0; a < e.n && e.v[a] < lo; a++) {
    }
    for (b = e.n; b > a && e.v[b - 1] >= hi; b--) {
    }
    for (k = a; k < b; k++) {
        e.v[k - a] = e.v[k];
    }
    c->ev = e.v;
    c->nev = b - a;
    return 0;
}

static int scan_run(struct ix_scan *s, sqlite3_stmt *st, const struct ix_sel *sel,
                    struct sho_err *err)
{
    struct cursor *c = &s->c[s->nc];
    int64_t nblk = sqlite3_column_int64(st, 2), tmax = sqlite3_column_int64(st, 5);
    int64_t lo, hi;
    int rc;

    memset(c, 0, sizeof(*c));
    c->run = sqlite3_column_int64(st, 0);
    c->blk_first = sqlite3_column_int64(st, 1);
    if (run_window(sqlite3_column_blob(st, 6), (size_t)sqlite3_column_bytes(st, 6), nblk, tmax,
                   s->since, s->until, &lo, &hi) != 0 ||
        c->blk_first < 0 || c->blk_first > ((int64_t)1 << 50)) {
        return scan_corrupt(s, c->run, err);
    }
    if (lo >= hi) {
        return 0;
    }
    lo = (c->blk_first + lo) << IX_BLK_SHIFT;
    hi = (c->blk_first + hi) << IX_BLK_SHIFT;
    if (s->all) {
        c->next = lo;
        c->end = hi;
        rc = 0;
    } else {
        rc = cursor_list(s, c, sel, lo, hi, err);
    }
    if (rc == 0) {
        s->nc++;
        rc = cursor_advance(s, c, err);
    }
    if (rc == 0 && c->live) {
        s->heap[s->nheap++] = s->nc - 1;
    }
    return rc;
}

static int scan_runs(struct ix_scan *s, const struct ix_sel *sel, struct sho_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc = 0, step;

    if (sqlite3_prepare_v2(s->ix->db,
                           "SELECT id, blk_first, nblk, events, tmin, tmax, bstart FROM runs"
                           " WHERE tmax >= ?1 AND tmin < ?2 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        return ix_sql_fail(s->ix, "cannot search", err);
    }
    (void)sqlite3_bind_int64(st, 1, s->since);
    (void)sqlite3_bind_int64(st, 2, s->until);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->nc == cap) {
            cap = cap != 0 ? cap * 2 : 64;
            s->c = sho_xrealloc(s->c, cap * sizeof(*s->c));
            s->heap = sho_xrealloc(s->heap, cap * sizeof(*s->heap));
        }
        rc = scan_run(s, st, sel, err);
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = ix_sql_fail(s->ix, "cannot search", err);
    }
    (void)sqlite3_finalize(st);
    return rc;
}

int ix_scan_open(struct sho_index *ix, const struct ix_sel *sel, int64_t since, int64_t until,
                 struct ix_scan **out, struct sho_err *err)
{
    struct ix_scan *s = sho_xcalloc(1, sizeof(*s));
    size_t i;
    int rc = 0;

    s->ix = ix;
    s->since = since;
    s->until = until;
    s->all = sel == NULL;
    *out = s;
    if (sel != NULL && sel->n == 0) {
        return 0; /* nothing selected: no event */
    }
    if (sqlite3_prepare_v2(ix->db, "SELECT data FROM eblk WHERE id = ?1", -1, &s->blk_get, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(ix->db, "SELECT data FROM post WHERE id = ?1", -1, &s->post_get, NULL) !=
            SQLITE_OK) {
        return ix_sql_fail(ix, "cannot search", err);
    }
    rc = scan_runs(s, sel, err);
    for (i = s->nheap; rc == 0 && i-- > 0;) {
        heap_down(s, i);
    }
    return rc;
}

int ix_scan_next(struct ix_scan *s, struct ix_row *r, struct sho_err *err)
{
    struct cursor *c;
    int rc;

    if (s->nheap == 0) {
        return 0;
    }
    c = &s->c[s->heap[0]];
    *r = c->cur;
    rc = cursor_advance(s, c, err);
    if (rc != 0) {
        return rc;
    }
    if (!c->live) {
        s->heap[0] = s->heap[--s->nheap];
    }
    heap_down(s, 0);
    return 1;
}

void ix_scan_close(struct ix_scan *s)
{
    size_t i;

    if (s == NULL) {
        return;
    }
    for (i = 0; i < s->nc; i++) {
        free(s->c[i].ev);
        ix_block_release(&s->c[i].blk);
    }
    free(s->c);
    free(s->heap);
    (void)sqlite3_finalize(s->blk_get);
    (void)sqlite3_finalize(s->post_get);
    free(s);
}
