/*
 * index_search: the searches. The selection (index_select.c) names files or
 * persons; the event store (index_scan.c) hands out their events in the
 * window in exact time order; here each event's context, file and person are
 * looked up (each distinct one once per search, through small caches),
 * filters on host, action, outcome and client address are applied, and rows,
 * per-person or per-file groups or logon sessions are handed to the caller.
 * All SQL is fixed text; user input is only ever bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define CTX_CACHE    4096 /* contexts remembered per search (direct-mapped by id) */
#define FILE_CACHE   4096 /* paths remembered per search */
#define PERSON_CACHE 256  /* persons remembered per search */

#define PERSON_NAME_JOIN                                                                           \
    " LEFT JOIN person_names pn ON pn.id = (SELECT id FROM person_names WHERE person = p.id"       \
    " ORDER BY last_time DESC, id LIMIT 1)"

enum { C_HOST, C_CHANNEL, C_OBJECT, C_PROCESS, C_IP, C_SHARE, C_STRINGS };

struct ctx_slot {
    int64_t id; /* 0: empty */
    bool found, pass;
    uint32_t event_id, actions;
    int outcome;
    char *str[C_STRINGS]; /* owned; NULL for SQL NULL */
};

struct file_slot {
    int64_t id;
    char *path;
};

struct person_slot {
    int64_t id;
    char *str[3]; /* sid, domain, name */
};

struct look {
    struct sho_index *ix;
    const struct sho_index_query *q;
    sqlite3_stmt *ctx_st, *file_st, *person_st; /* owned */
    int64_t *hosts;                             /* owned: ids the host filter admits */
    size_t nhosts;
    struct ctx_slot ctxs[CTX_CACHE];
    struct file_slot files[FILE_CACHE];
    struct person_slot persons[PERSON_CACHE];
};

static char *col_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s != NULL ? sho_xstrdup((const char *)s) : NULL;
}

static int look_hosts(struct look *lk, struct sho_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step;

    if (sqlite3_prepare_v2(lk->ix->db,
                           "SELECT id FROM hosts WHERE name = ?1 COLLATE NOCASE"
                           " OR lower(substr(name, 1, length(?1) + 1)) = lower(?1) || '.'",
                           -1, &st, NULL) != SQLITE_OK) {
        return ix_sql_fail(lk->ix, "cannot search", err);
    }
    (void)sqlite3_bind_text(st, 1, lk->q->host, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (lk->nhosts == cap) {
            cap = cap != 0 ? cap * 2 : 16;
            lk->hosts = sho_xrealloc(lk->hosts, cap * sizeof(*lk->hosts));
        }
        lk->hosts[lk->nhosts++] = sqlite3_column_int64(st, 0);
    }
    (void)sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : ix_sql_fail(lk->ix, "cannot search", err);
}

static int look_open(struct sho_index *ix, const struct sho_index_query *q, struct look **out,
                     struct sho_err *err)
{
    struct look *lk = sho_xcalloc(1, sizeof(*lk));

    lk->ix = ix;
    lk->q = q;
    *out = lk;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT c.host, h.name, c.channel, c.event_id, c.actions, c.outcome,"
                           " c.object_type, c.process, c.client_ip, c.share FROM ctx c"
                           " LEFT JOIN hosts h ON h.id = c.host WHERE c.id = ?1",
                           -1, &lk->ctx_st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ix->db, "SELECT path FROM files WHERE id = ?1", -1, &lk->file_st,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ix->db,
                           "SELECT p.sid, pn.domain, pn.name FROM persons p" PERSON_NAME_JOIN
                           " WHERE p.id = ?1",
                           -1, &lk->person_st, NULL) != SQLITE_OK) {
        return ix_sql_fail(ix, "cannot search", err);
    }
    return q->host != NULL ? look_hosts(lk, err) : 0;
}

static void look_close(struct look *lk)
{
    size_t i;
    int k;

    if (lk == NULL) {
        return;
    }
    for (i = 0; i < CTX_CACHE; i++) {
        for (k = 0; k < C_STRINGS; k++) {
            free(lk->ctxs[i].str[k]);
        }
    }
    for (i = 0; i < FILE_CACHE; i++) {
        free(lk->files[i].path);
    }
    for (i = 0; i < PERSON_CACHE; i++) {
        for (k = 0; k < 3; k++) {
            free(lk->persons[i].str[k]);
        }
    }
    (void)sqlite3_finalize(lk->ctx_st);
    (void)sqlite3_finalize(lk->file_st);
    (void)sqlite3_finalize(lk->person_st);
    free(lk->hosts);
    free(lk);
}

/* Does a context pass the query's filters? */
static bool ctx_pass(const struct look *lk, const struct ctx_slot *c, int64_t host)
{
    const struct sho_index_query *q = lk->q;
    size_t i;

    if ((q->actions != 0 && (c->actions & q->actions) == 0) ||
        (q->outcome != SHO_OUTCOME_UNKNOWN && c->outcome != (int)q->outcome)) {
        return false;
    }
    if (q->client_ip != NULL && (c->str[C_IP] == NULL || strcmp(c->str[C_IP], q->client_ip) != 0)) {
        return false;
    }
    if (q->host == NULL) {
        return true;
    }
    for (i = 0; i < lk->nhosts; i++) {
        if (lk->hosts[i] == host) {
            return true;
        }
    }
    return false;
}

static const struct ctx_slot *ctx_get(struct look *lk, int64_t id)
{
    static const int cols[C_STRINGS] = { 1, 2, 6, 7, 8, 9 };
    struct ctx_slot *c = &lk->ctxs[(uint64_t)id % CTX_CACHE];
    int k;

    if (c->id == id) {
        return c;
    }
    for (k = 0; k < C_STRINGS; k++) {
        free(c->str[k]);
        c->str[k] = NULL;
    }
    c->id = id;
    (void)sqlite3_bind_int64(lk->ctx_st, 1, id);
    c->found = sqlite3_step(lk->ctx_st) == SQLITE_ROW;
    if (c->found) {
        for (k = 0; k < C_STRINGS; k++) {
            c->str[k] = col_dup(lk->ctx_st, cols[k]);
        }
        c->event_id = (uint32_t)sqlite3_column_int64(lk->ctx_st, 3);
        c->actions = (uint32_t)sqlite3_column_int64(lk->ctx_st, 4);
        c->outcome = sqlite3_column_int(lk->ctx_st, 5);
        c->pass = ctx_pass(lk, c, sqlite3_column_int64(lk->ctx_st, 0));
    }
    (void)sqlite3_reset(lk->ctx_st);
    return c;
}

/* A file's path as logged (NULL when the event names none). */
static const char *file_get(struct look *lk, int64_t id)
{
    struct file_slot *f = &lk->files[(uint64_t)id % FILE_CACHE];

    if (id <= 0) {
        return NULL;
    }
    if (f->id != id) {
        free(f->path);
        f->id = id;
        (void)sqlite3_bind_int64(lk->file_st, 1, id);
        f->path = sqlite3_step(lk->file_st) == SQLITE_ROW ? col_dup(lk->file_st, 0) : NULL;
        (void)sqlite3_reset(lk->file_st);
    }
    return f->path;
}

/* A person's SID and latest domain and name (NULL slot when the event names none). */
static const struct person_slot *person_get(struct look *lk, int64_t id)
{
    struct person_slot *p = &lk->persons[(uint64_t)id % PERSON_CACHE];
    int k;

    if (id <= 0) {
        return NULL;
    }
    if (p->id != id) {
        for (k = 0; k < 3; k++) {
            free(p->str[k]);
            p->str[k] = NULL;
        }
        p->id = id;
        (void)sqlite3_bind_int64(lk->person_st, 1, id);
        if (sqlite3_step(lk->person_st) == SQLITE_ROW) {
            for (k = 0; k < 3; k++) {
                p->str[k] = col_dup(lk->person_st, k);
            }
        }
        (void)sqlite3_reset(lk->person_st);
    }
    return p;
}

/* A row's text: absent or empty is NULL. */
static const char *nz(const char *s)
{
    return s != NULL && *s != '\0' ? s : NULL;
}

/* ---- walking the selected events ---------------------------------------------------- */

struct walk {
    int (*fn)(void *ctx, struct look *lk, const struct ix_row *r, const struct ctx_slot *c);
    void *ctx;
};

/* Open a read transaction, select, and hand every event that passes the filters to `w`. */
static int walk_events(struct sho_index *ix, const struct sho_index_query *q, struct look **lkp,
                       const struct walk *w, struct sho_err *err)
{
    struct ix_sel sel;
    struct ix_scan *scan = NULL;
    struct ix_row r;
    int64_t since, until;
    int rc;

    memset(&sel, 0, sizeof(sel));
    rc = look_open(ix, q, lkp, err);
    if (rc == 0) {
        rc = ix_sql_exec(ix, "BEGIN", err); /* one snapshot for the selection and the events */
    }
    if (rc != 0) {
        return rc;
    }
    rc = ix_select(ix, q, &sel, err);
    ix_window(q, &since, &until);
    if (rc == 0) {
        rc = ix_scan_open(ix, q->select == SHO_SELECT_ALL ? NULL : &sel, since, until, &scan, err);
    }
    while (rc == 0 && (rc = ix_scan_next(scan, &r, err)) == 1) {
        const struct ctx_slot *c = ctx_get(*lkp, r.ctx);
        rc = c->found && c->pass ? w->fn(w->ctx, *lkp, &r, c) : 0;
    }
    ix_scan_close(scan);
    free(sel.ids);
    (void)sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* ---- rows --------------------------------------------------------------------------- */

struct rows {
    int (*fn)(void *ctx, const struct sho_index_row *row);
    void *ctx;
    uint64_t left;
    bool stopped; /* the limit was reached */
};

#define WALK_STOP (-1000) /* with `stopped`: the limit, not an error */

static int row_emit(void *ctx, struct look *lk, const struct ix_row *r, const struct ctx_slot *c)
{
    struct rows *rs = ctx;
    const struct person_slot *p = person_get(lk, r->person);
    struct sho_index_row row;
    int rc;

    memset(&row, 0, sizeof(row));
    row.time = ix_filetime(r->t);
    row.host = nz(c->str[C_HOST]);
    row.channel = nz(c->str[C_CHANNEL]);
    row.object_type = nz(c->str[C_OBJECT]);
    row.process = nz(c->str[C_PROCESS]);
    row.client_ip = nz(c->str[C_IP]);
    row.share = nz(c->str[C_SHARE]);
    row.path = nz(file_get(lk, r->file));
    if (p != NULL) {
        row.user_sid = nz(p->str[0]);
        row.domain = nz(p->str[1]);
        row.user = nz(p->str[2]);
    }
    row.event_id = c->event_id;
    row.actions = c->actions;
    row.outcome = (enum sho_outcome)c->outcome;
    (void)snprintf(row.ref, sizeof(row.ref), "%lld:%lld", (long long)(r->ref >> IX_REF_SHIFT),
                   (long long)(r->ref & ((1 << IX_REF_SHIFT) - 1)));
    rc = rs->fn(rs->ctx, &row);
    if (rc == 0 && --rs->left == 0) {
        rs->stopped = true;
        return WALK_STOP;
    }
    return rc;
}

int sho_index_search(struct sho_index *ix, const struct sho_index_query *q,
                     int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx,
                     struct sho_err *err)
{
    struct rows rs = { fn, ctx, q->limit != 0 ? q->limit : UINT64_MAX, false };
    struct walk w = { row_emit, &rs };
    struct look *lk = NULL;
    int rc = walk_events(ix, q, &lk, &w, err);

    look_close(lk);
    return rs.stopped && rc == WALK_STOP ? 0 : rc;
}

/* ---- groups: per person, per file, per logon session --------------------------------- */

struct agg {
    int64_t key;
    int64_t first, last; /* ticks */
    uint64_t count, files;
    uint32_t actions;
};

/* Groups by key, and a set of (key, file) pairs for distinct counts: open addressing. */
struct aggs {
    struct agg *a; /* owned */
    size_t n, cap;
    uint32_t *slot; /* owned: index + 1 into a, 0 empty */
    size_t nslot;
    int64_t (*pairs)[2]; /* owned: (key, file) seen; key 0 = empty (keys are ids > 0) */
    size_t npairs, pcap;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static struct agg *aggs_get(struct aggs *g, int64_t key)
{
    size_t i;

    if (g->n * 2 >= g->nslot) {
        size_t k;
        free(g->slot);
        g->nslot = g->nslot != 0 ? g->nslot * 2 : 1024;
        g->slot = sho_xcalloc(g->nslot, sizeof(*g->slot));
        for (k = 0; k < g->n; k++) {
            for (i = mix((uint64_t)g->a[k].key) & (g->nslot - 1); g->slot[i] != 0;
                 i = (i + 1) & (g->nslot - 1)) {
            }
            g->slot[i] = (uint32_t)k + 1;
        }
    }
    for (i = mix((uint64_t)key) & (g->nslot - 1); g->slot[i] != 0; i = (i + 1) & (g->nslot - 1)) {
        if (g->a[g->slot[i] - 1].key == key) {
            return &g->a[g->slot[i] - 1];
        }
    }
    if (g->n == g->cap) {
        g->cap = g->cap != 0 ? g->cap * 2 : 256;
        g->a = sho_xrealloc(g->a, g->cap * sizeof(*g->a));
    }
    memset(&g->a[g->n], 0, sizeof(g->a[g->n]));
    g->a[g->n].key = key;
    g->slot[i] = (uint32_t)++g->n;
    return &g->a[g->n - 1];
}

/* Record the pair (key, file); true when it is new. */
static bool aggs_pair(struct aggs *g, int64_t key, int64_t file)
{
    size_t i;

    if (g->npairs * 2 >= g->pcap) {
        int64_t(*old)[2] = g->pairs;
        size_t oldcap = g->pcap, k;
        g->pcap = g->pcap != 0 ? g->pcap * 2 : 1024;
        g->pairs = sho_xcalloc(g->pcap, sizeof(*g->pairs));
        for (k = 0; k < oldcap; k++) {
            if (old[k][0] == 0) {
                continue;
            }
            for (i = mix((uint64_t)old[k][0] * 31 + (uint64_t)old[k][1]) & (g->pcap - 1);
                 g->pairs[i][0] != 0; i = (i + 1) & (g->pcap - 1)) {
            }
            g->pairs[i][0] = old[k][0];
            g->pairs[i][1] = old[k][1];
        }
        free(old);
    }
    for (i = mix((uint64_t)key * 31 + (uint64_t)file) & (g->pcap - 1); g->pairs[i][0] != 0;
         i = (i + 1) & (g->pcap - 1)) {
        if (g->pairs[i][0] == key && g->pairs[i][1] == file) {
            return false;
        }
    }
    g->pairs[i][0] = key;
    g->pairs[i][1] = file;
    g->npairs++;
    return true;
}

static void aggs_release(struct aggs *g)
{
    free(g->a);
    free(g->slot);
    free(g->pairs);
}

static int agg_cmp(const void *a, const void *b)
{
    const struct agg *x = a, *y = b;

    if (x->first != y->first) {
        return x->first < y->first ? -1 : 1;
    }
    return x->key < y->key ? -1 : (x->key > y->key ? 1 : 0);
}

struct group_walk {
    struct aggs g;
    enum sho_index_group_by by;
    bool sessions;
};

static int group_add(void *ctx, struct look *lk, const struct ix_row *r, const struct ctx_slot *c)
{
    struct group_walk *gw = ctx;
    int64_t key = gw->sessions ? r->sess : gw->by == SHO_GROUP_PERSON ? r->person : r->file;
    struct agg *a;

    (void)lk;
    if (gw->sessions && key <= 0) {
        return 0;
    }
    a = aggs_get(&gw->g, key);
    if (a->count == 0 || r->t < a->first) {
        a->first = r->t;
    }
    if (a->count == 0 || r->t > a->last) {
        a->last = r->t;
    }
    a->count++;
    a->actions |= c->actions;
    if (gw->sessions && r->file > 0 && aggs_pair(&gw->g, key, r->file)) {
        a->files++;
    }
    return 0;
}

/* Walk the events into groups, sorted by first event then key. */
static int group_walk(struct sho_index *ix, const struct sho_index_query *q, struct group_walk *gw,
                      struct look **lk, struct sho_err *err)
{
    struct walk w = { group_add, gw };
    int rc = walk_events(ix, q, lk, &w, err);

    if (rc == 0 && gw->g.n > 1) {
        qsort(gw->g.a, gw->g.n, sizeof(*gw->g.a), agg_cmp);
    }
    return rc;
}

int sho_index_summary(struct sho_index *ix, const struct sho_index_query *q,
                      enum sho_index_group_by by,
                      int (*fn)(void *ctx, const struct sho_index_group *g), void *ctx,
                      struct sho_err *err)
{
    struct group_walk gw;
    struct look *lk = NULL;
    uint64_t left = q->limit != 0 ? q->limit : UINT64_MAX;
    size_t i;
    int rc;

    memset(&gw, 0, sizeof(gw));
    gw.by = by;
    rc = group_walk(ix, q, &gw, &lk, err);
    for (i = 0; rc == 0 && i < gw.g.n && left > 0; i++, left--) {
        const struct agg *a = &gw.g.a[i];
        struct sho_index_group g;
        memset(&g, 0, sizeof(g));
        g.first = ix_filetime(a->first);
        g.last = ix_filetime(a->last);
        g.count = a->count;
        g.actions = a->actions;
        if (by == SHO_GROUP_PERSON) {
            const struct person_slot *p = person_get(lk, a->key);
            g.user_sid = p != NULL ? p->str[0] : NULL;
            g.domain = p != NULL ? p->str[1] : NULL;
            g.user = p != NULL ? p->str[2] : NULL;
        } else {
            g.path = file_get(lk, a->key);
        }
        rc = fn(ctx, &g);
    }
    aggs_release(&gw.g);
    look_close(lk);
    return rc;
}

static int session_row(sqlite3_stmt *st, const struct agg *a,
                       int (*fn)(void *ctx, const struct sho_index_session *s), void *ctx)
{
    struct sho_index_session s;
    int rc;

    memset(&s, 0, sizeof(s));
    (void)sqlite3_bind_int64(st, 1, a->key);
    if (sqlite3_step(st) != SQLITE_ROW) {
        (void)sqlite3_reset(st);
        return 0; /* a session the index does not have: not shown (as a join would) */
    }
    s.first = ix_filetime(a->first);
    s.last = ix_filetime(a->last);
    s.events = a->count;
    s.files = a->files;
    s.actions = a->actions;
    s.host = (const char *)sqlite3_column_text(st, 0);
    s.logon_id = (uint64_t)sqlite3_column_int64(st, 1);
    s.logon_time =
        sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : ix_filetime(sqlite3_column_int64(st, 2));
    s.logoff_time =
        sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : ix_filetime(sqlite3_column_int64(st, 3));
    s.logon_type = (uint32_t)sqlite3_column_int64(st, 4);
    s.client_ip = (const char *)sqlite3_column_text(st, 5);
    s.user_sid = (const char *)sqlite3_column_text(st, 6);
    s.domain = (const char *)sqlite3_column_text(st, 7);
    s.user = (const char *)sqlite3_column_text(st, 8);
    rc = fn(ctx, &s);
    (void)sqlite3_reset(st);
    return rc;
}

int sho_index_sessions(struct sho_index *ix, const struct sho_index_query *q,
                       int (*fn)(void *ctx, const struct sho_index_session *s), void *ctx,
                       struct sho_err *err)
{
    struct group_walk gw;
    struct look *lk = NULL;
    sqlite3_stmt *st = NULL;
    uint64_t left = q->limit != 0 ? q->limit : UINT64_MAX;
    size_t i;
    int rc;

    memset(&gw, 0, sizeof(gw));
    gw.sessions = true;
    rc = group_walk(ix, q, &gw, &lk, err);
    if (rc == 0 &&
        sqlite3_prepare_v2(ix->db,
                           "SELECT h.name, s.logon_id, s.logon_time, s.logoff_time, s.logon_type,"
                           " s.client_ip, p.sid, pn.domain, pn.name FROM sessions s"
                           " LEFT JOIN hosts h ON h.id = s.host"
                           " LEFT JOIN persons p ON p.id = s.person" PERSON_NAME_JOIN
                           " WHERE s.id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = ix_sql_fail(ix, "cannot search", err);
    }
    for (i = 0; rc == 0 && i < gw.g.n && left > 0; i++) {
        if (gw.g.a[i].files == 0) {
            continue;
        }
        rc = session_row(st, &gw.g.a[i], fn, ctx);
        left--;
    }
    (void)sqlite3_finalize(st);
    aggs_release(&gw.g);
    look_close(lk);
    return rc;
}
