/*
 * index_search: the searches. A search first puts the files or persons it
 * is about into a temporary table (by normalized-path hash, by the FTS5
 * trigram index for substrings, by PCRE2 for regular expressions, by SID or
 * name), then reads their events through events_file / events_person, whose
 * entries end in the event id and so come out in time order; a timeline is
 * a range scan of the events table itself. Filters on host, action, outcome
 * and client address are checked against the small ctx table. All SQL is
 * fixed text assembled from constant pieces; user input is only bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define TIME_EXPR "(((e.id - (e.id & 127)) / 128) * 19531 + e.sub)"

/* Parameters ?1..?8 of every search: id range, exact time range, filters. */
static const char where_common[] =
    " AND e.id BETWEEN ?1 AND ?2 AND " TIME_EXPR " >= ?3 AND " TIME_EXPR " < ?4"
    " AND (?5 = 0 OR (c.actions & ?5) != 0) AND (?6 = 0 OR c.outcome = ?6)"
    " AND (?7 IS NULL OR c.host IN (SELECT id FROM hosts WHERE name = ?7 COLLATE NOCASE"
    " OR lower(substr(name, 1, length(?7) + 1)) = lower(?7) || '.'))"
    " AND (?8 IS NULL OR c.client_ip = ?8)";

static const char *const where_select[] = {
    [SHO_SELECT_ALL] = "1",
    [SHO_SELECT_PATH] = "e.file IN (SELECT id FROM temp.sel)",
    [SHO_SELECT_LIKE] = "e.file IN (SELECT id FROM temp.sel)",
    [SHO_SELECT_REGEX] = "e.file IN (SELECT id FROM temp.sel)",
    [SHO_SELECT_PERSON] = "e.person IN (SELECT id FROM temp.sel)",
};

#define PERSON_NAME_JOIN                                                                           \
    " LEFT JOIN person_names pn ON pn.id = (SELECT id FROM person_names WHERE person = p.id"       \
    " ORDER BY last_time DESC, id LIMIT 1)"

static const char search_head[] =
    "SELECT e.id, e.sub, e.ref, f.path, h.name, c.channel, c.event_id, c.actions, c.outcome,"
    " c.object_type, c.process, c.client_ip, c.share, e.person"
    " FROM events e JOIN ctx c ON c.id = e.ctx LEFT JOIN files f ON f.id = e.file"
    " LEFT JOIN hosts h ON h.id = c.host WHERE ";

/* A person's SID and latest name: looked up once per person a search meets, not per row. */
static const char person_sql[] =
    "SELECT p.sid, pn.domain, pn.name FROM persons p" PERSON_NAME_JOIN " WHERE p.id = ?1";

/* ---- the selection ------------------------------------------------------------------ */

static int sel_exec(struct sho_index *ix, const char *sql, const char *a, const char *b,
                    struct sho_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return ix_sql_fail(ix, "cannot search", err);
    }
    if (a != NULL) {
        (void)sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    }
    if (b != NULL) {
        (void)sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        rc = sho_err_set(err, SHO_EINVAL, NULL, -1, "search failed: %s", sqlite3_errmsg(ix->db));
    } else {
        rc = 0;
    }
    (void)sqlite3_finalize(st);
    return rc;
}

/* Length in bytes of the UTF-8 character starting at `p` (1 for a stray byte). */
static size_t utf8_len(const unsigned char *p)
{
    size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
    size_t i;

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 1;
        }
    }
    return n;
}

/*
 * An FTS5 query that every path containing `text` matches: the AND of the
 * text's trigrams, each quoted. Returns 1 when built, 0 when the text is
 * shorter than three characters (no trigram to look up).
 */
static int sel_fts_query(const char *text, struct sho_buf *q)
{
    size_t starts[4096];
    size_t count = 0, pos = 0, len = strlen(text), i, step, done = 0;
    int rc = 0;

    while (pos < len && count < SHO_ARRAY_COUNT(starts)) {
        starts[count++] = pos;
        pos += utf8_len((const unsigned char *)text + pos);
    }
    if (count < 3 || pos < len) {
        return 0;
    }
    /* At most 48 trigrams, spread over the text: each one only narrows. */
    step = (count - 2 + 47) / 48;
    for (i = 0; rc == 0 && i + 2 < count; i += step) {
        size_t end = i + 3 < count ? starts[i + 3] : len;
        const char *p;
        rc = sho_buf_appends(q, done++ != 0 ? " AND \"" : "\"");
        for (p = text + starts[i]; rc == 0 && p < text + end; p++) {
            rc = *p == '"' ? sho_buf_append(q, "\"\"", 2) : sho_buf_putc(q, *p);
        }
        if (rc == 0) {
            rc = sho_buf_putc(q, '"');
        }
    }
    return rc == 0 ? 1 : 0;
}

static int sel_files_containing(struct sho_index *ix, const char *folded, bool prefix,
                                struct sho_err *err)
{
    struct sho_buf q;
    int rc;

    sho_buf_init(&q, 65536);
    if (sel_fts_query(folded, &q) == 1) {
        rc = sel_exec(ix,
                      prefix ? "INSERT OR IGNORE INTO temp.sel SELECT f.id FROM files f"
                               " WHERE f.id IN (SELECT rowid FROM files_fts WHERE files_fts"
                               " MATCH ?1) AND substr(shoseki_norm(f.path), 1, length(?2)) = ?2"
                             : "INSERT OR IGNORE INTO temp.sel SELECT f.id FROM files f"
                               " WHERE f.id IN (SELECT rowid FROM files_fts WHERE files_fts"
                               " MATCH ?1) AND instr(shoseki_norm(f.path), ?2) > 0",
                      q.data, folded, err);
    } else {
        rc = sel_exec(ix,
                      prefix ? "INSERT OR IGNORE INTO temp.sel SELECT id FROM files"
                               " WHERE ?1 IS NULL AND substr(shoseki_norm(path), 1, length(?2))"
                               " = ?2"
                             : "INSERT OR IGNORE INTO temp.sel SELECT id FROM files"
                               " WHERE ?1 IS NULL AND instr(shoseki_norm(path), ?2) > 0",
                      NULL, folded, err);
    }
    sho_buf_release(&q);
    return rc;
}

static int sel_path(struct sho_index *ix, const char *text, struct sho_err *err)
{
    size_t n = strlen(text);
    size_t cap = n * 2 + 8;
    char *norm = sho_xmalloc(cap);
    char hash[32];
    int rc;

    (void)sho_index_path_norm(text, norm, cap);
    if (n > 0 && (text[n - 1] == '\\' || text[n - 1] == '/')) {
        /* A folder: everything beneath it. */
        size_t m = strlen(norm);
        if (m > 0 && norm[m - 1] != '\\') {
            norm[m++] = '\\';
            norm[m] = '\0';
        }
        rc = sel_files_containing(ix, norm, true, err);
    } else {
        (void)snprintf(hash, sizeof(hash), "%lld", (long long)(int64_t)ix_hash(norm, strlen(norm)));
        rc = sel_exec(ix,
                      "INSERT OR IGNORE INTO temp.sel SELECT id FROM files"
                      " WHERE nhash = CAST(?1 AS INTEGER) AND shoseki_norm(path) = ?2",
                      hash, norm, err);
    }
    free(norm);
    return rc;
}

static int sel_person(struct sho_index *ix, const char *text, struct sho_err *err)
{
    const char *slash = strchr(text, '\\');

    if ((text[0] == 'S' || text[0] == 's') && text[1] == '-' && text[2] == '1' && text[3] == '-') {
        return sel_exec(ix,
                        "INSERT OR IGNORE INTO temp.sel SELECT id FROM persons WHERE pkey ="
                        " upper(?1)",
                        text, NULL, err);
    }
    if (slash != NULL) {
        char *domain = sho_xstrdup(text);
        int rc;
        domain[slash - text] = '\0';
        rc = sel_exec(ix,
                      "INSERT OR IGNORE INTO temp.sel SELECT person FROM person_names"
                      " WHERE name = ?2 COLLATE NOCASE AND domain = ?1 COLLATE NOCASE",
                      domain, slash + 1, err);
        free(domain);
        return rc;
    }
    return sel_exec(ix,
                    "INSERT OR IGNORE INTO temp.sel SELECT person FROM person_names"
                    " WHERE name = ?1 COLLATE NOCASE",
                    text, NULL, err);
}

static int sel_kind(struct sho_index *ix, const struct sho_index_query *q, struct sho_err *err)
{
    char *folded;
    size_t n;
    int rc;

    if (q->select == SHO_SELECT_ALL) {
        return 0;
    }
    if (q->text == NULL || q->text[0] == '\0') {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "nothing to search for");
    }
    rc = ix_sql_exec(ix,
                     "CREATE TEMP TABLE IF NOT EXISTS sel(id INTEGER PRIMARY KEY);"
                     "DELETE FROM temp.sel;",
                     err);
    if (rc != 0) {
        return rc;
    }
    switch (q->select) {
    case SHO_SELECT_PATH:
        return sel_path(ix, q->text, err);
    case SHO_SELECT_LIKE:
        n = strlen(q->text) + 1;
        folded = sho_xmalloc(n);
        (void)ix_text_fold(q->text, folded, n);
        rc = sel_files_containing(ix, folded, false, err);
        free(folded);
        return rc;
    case SHO_SELECT_REGEX:
        rc = ix_regex_check(q->text, err);
        return rc != 0 ? rc
                       : sel_exec(ix,
                                  "INSERT OR IGNORE INTO temp.sel SELECT id FROM files"
                                  " WHERE shoseki_regexp(?1, path)",
                                  q->text, NULL, err);
    case SHO_SELECT_PERSON:
        return sel_person(ix, q->text, err);
    default:
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "unknown selection");
    }
}

/* The id range of a query's window: a group of slack below (a full group spills its events
 * into the next one) and above. */
static void window_ids(const struct sho_index_query *q, int64_t *lo, int64_t *hi)
{
    int64_t since = q->since != 0 ? ix_ticks(q->since) : INT64_MIN / 2;
    int64_t until = q->until != 0 ? ix_ticks(q->until) : INT64_MAX / 2;

    *lo = q->since != 0 ? (ix_floor_div(since, IX_GROUP_TICKS) - 1) * IX_GROUP_SLOTS : INT64_MIN;
    *hi = q->until != 0 ? (ix_floor_div(until, IX_GROUP_TICKS) + 2) * IX_GROUP_SLOTS : INT64_MAX;
}

/* One hop: replace the selected persons by the files they touched in the window, or the
 * selected files by the persons who touched them. */
static int sel_hop(struct sho_index *ix, const struct sho_index_query *q, struct sho_err *err)
{
    static const char *const sql[] = {
        [SHO_HOP_FILES] = "INSERT OR IGNORE INTO temp.hop SELECT DISTINCT file FROM events"
                          " WHERE person IN (SELECT id FROM temp.sel) AND file IS NOT NULL"
                          " AND id BETWEEN ?1 AND ?2",
        [SHO_HOP_PERSONS] = "INSERT OR IGNORE INTO temp.hop SELECT DISTINCT person FROM events"
                            " WHERE file IN (SELECT id FROM temp.sel) AND person IS NOT NULL"
                            " AND id BETWEEN ?1 AND ?2",
    };
    sqlite3_stmt *st = NULL;
    int64_t lo, hi;
    int rc;

    rc = ix_sql_exec(ix,
                     "CREATE TEMP TABLE IF NOT EXISTS hop(id INTEGER PRIMARY KEY);"
                     "DELETE FROM temp.hop;",
                     err);
    if (rc != 0) {
        return rc;
    }
    if (sqlite3_prepare_v2(ix->db, sql[q->hop], -1, &st, NULL) != SQLITE_OK) {
        return ix_sql_fail(ix, "cannot search", err);
    }
    window_ids(q, &lo, &hi);
    (void)sqlite3_bind_int64(st, 1, lo);
    (void)sqlite3_bind_int64(st, 2, hi);
    rc = sqlite3_step(st);
    (void)sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        return ix_sql_fail(ix, "cannot search", err);
    }
    return ix_sql_exec(ix, "DELETE FROM temp.sel; INSERT INTO temp.sel SELECT id FROM temp.hop;",
                       err);
}

static int sel_fill(struct sho_index *ix, const struct sho_index_query *q, struct sho_err *err)
{
    bool persons = q->select == SHO_SELECT_PERSON;
    int rc;

    if (q->hop != SHO_HOP_NONE &&
        (q->select == SHO_SELECT_ALL || persons != (q->hop == SHO_HOP_FILES))) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1,
                           "a hop goes from persons to files or from files to persons");
    }
    rc = sel_kind(ix, q, err);
    if (rc == 0 && q->hop != SHO_HOP_NONE) {
        rc = sel_hop(ix, q, err);
    }
    return rc;
}

/* ---- binding the common parameters -------------------------------------------------- */

static void bind_common(sqlite3_stmt *st, const struct sho_index_query *q)
{
    int64_t since = q->since != 0 ? ix_ticks(q->since) : INT64_MIN / 2;
    int64_t until = q->until != 0 ? ix_ticks(q->until) : INT64_MAX / 2;
    int64_t lo, hi;

    window_ids(q, &lo, &hi);
    (void)sqlite3_bind_int64(st, 1, lo);
    (void)sqlite3_bind_int64(st, 2, hi);
    (void)sqlite3_bind_int64(st, 3, since);
    (void)sqlite3_bind_int64(st, 4, until);
    (void)sqlite3_bind_int64(st, 5, q->actions);
    (void)sqlite3_bind_int64(st, 6, (int)q->outcome);
    if (q->host != NULL) {
        (void)sqlite3_bind_text(st, 7, q->host, -1, SQLITE_STATIC);
    }
    if (q->client_ip != NULL) {
        (void)sqlite3_bind_text(st, 8, q->client_ip, -1, SQLITE_STATIC);
    }
}

static int search_prepare(struct sho_index *ix, const char *head, const struct sho_index_query *q,
                          const char *tail, sqlite3_stmt **st, struct sho_err *err)
{
    struct sho_buf sql;
    int rc;

    sho_buf_init(&sql, 16384);
    rc = sho_buf_appends(&sql, head);
    if (rc == 0) {
        rc = sho_buf_appends(&sql, q->hop == SHO_HOP_FILES     ? where_select[SHO_SELECT_PATH]
                                   : q->hop == SHO_HOP_PERSONS ? where_select[SHO_SELECT_PERSON]
                                                               : where_select[q->select]);
    }
    if (rc == 0) {
        rc = sho_buf_appends(&sql, where_common);
    }
    if (rc == 0) {
        rc = sho_buf_appends(&sql, tail);
    }
    if (rc != 0 || sqlite3_prepare_v2(ix->db, sql.data, -1, st, NULL) != SQLITE_OK) {
        sho_buf_release(&sql);
        return ix_sql_fail(ix, "cannot search", err);
    }
    sho_buf_release(&sql);
    bind_common(*st, q);
    return 0;
}

/* ---- rows in exact time order ------------------------------------------------------- */

enum {
    R_PATH,
    R_HOST,
    R_CHANNEL,
    R_OBJECT,
    R_PROCESS,
    R_IP,
    R_SHARE,
    R_SID,
    R_DOMAIN,
    R_USER,
    R_STRINGS
};

/* Column of each string in search_head's SELECT list. */
static const int string_col[R_SID] = { 3, 4, 5, 9, 10, 11, 12 };

#define PERSON_CACHE 256 /* persons remembered per search (direct-mapped by id) */

struct person_slot {
    int64_t id;   /* 0: empty */
    char *str[3]; /* sid, domain, name (owned), NULL when absent */
};

struct held {
    uint64_t time;
    int64_t ref;
    uint32_t event_id, actions;
    int outcome;
    size_t str[R_STRINGS]; /* offsets into the arena, SIZE_MAX for NULL */
};

struct reorder {
    struct held *rows;
    size_t count, cap;
    struct sho_buf arena;
    int64_t group;
    sqlite3_stmt *person; /* person_sql, owned */
    struct person_slot pcache[PERSON_CACHE];
};

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s != NULL && *s != '\0' ? sho_xstrdup((const char *)s) : NULL;
}

/* The cached SID and name of person `id`. */
static const struct person_slot *person_get(struct reorder *ro, int64_t id)
{
    struct person_slot *p = &ro->pcache[(uint64_t)id % PERSON_CACHE];
    int k;

    if (p->id == id) {
        return p;
    }
    for (k = 0; k < 3; k++) {
        free(p->str[k]);
        p->str[k] = NULL;
    }
    p->id = id;
    (void)sqlite3_bind_int64(ro->person, 1, id);
    if (sqlite3_step(ro->person) == SQLITE_ROW) {
        for (k = 0; k < 3; k++) {
            p->str[k] = dup_col(ro->person, k);
        }
    }
    (void)sqlite3_reset(ro->person);
    return p;
}

static void reorder_release(struct reorder *ro)
{
    size_t i;
    int k;

    for (i = 0; i < PERSON_CACHE; i++) {
        for (k = 0; k < 3; k++) {
            free(ro->pcache[i].str[k]);
        }
    }
    (void)sqlite3_finalize(ro->person);
    free(ro->rows);
    sho_buf_release(&ro->arena);
}

static int held_cmp(const void *a, const void *b)
{
    const struct held *x = a, *y = b;

    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    return x->ref < y->ref ? -1 : (x->ref > y->ref ? 1 : 0);
}

static int reorder_hold(struct reorder *ro, sqlite3_stmt *st)
{
    struct held *h;
    int i, rc = 0;

    if (ro->count == ro->cap) {
        ro->cap = ro->cap != 0 ? ro->cap * 2 : 64;
        ro->rows = sho_xrealloc(ro->rows, ro->cap * sizeof(*ro->rows));
    }
    h = &ro->rows[ro->count];
    h->time = ix_id_time(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    h->ref = sqlite3_column_int64(st, 2);
    h->event_id = (uint32_t)sqlite3_column_int64(st, 6);
    h->actions = (uint32_t)sqlite3_column_int64(st, 7);
    h->outcome = sqlite3_column_int(st, 8);
    for (i = 0; rc == 0 && i < R_SID; i++) {
        const unsigned char *s = sqlite3_column_text(st, string_col[i]);
        if (s == NULL || *s == '\0') {
            h->str[i] = SIZE_MAX;
            continue;
        }
        h->str[i] = ro->arena.len;
        rc = sho_buf_append(&ro->arena, s, (size_t)sqlite3_column_bytes(st, string_col[i]) + 1);
    }
    {
        int64_t person = sqlite3_column_int64(st, 13);
        const struct person_slot *p = person != 0 ? person_get(ro, person) : NULL;
        for (i = R_SID; rc == 0 && i < R_STRINGS; i++) {
            const char *s = p != NULL ? p->str[i - R_SID] : NULL;
            if (s == NULL) {
                h->str[i] = SIZE_MAX;
                continue;
            }
            h->str[i] = ro->arena.len;
            rc = sho_buf_append(&ro->arena, s, strlen(s) + 1);
        }
    }
    if (rc == 0) {
        ro->count++;
    }
    return rc;
}

static int reorder_emit(struct reorder *ro, uint64_t *left,
                        int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx)
{
    size_t i;
    int rc = 0;

    qsort(ro->rows, ro->count, sizeof(*ro->rows), held_cmp);
    for (i = 0; rc == 0 && i<ro->count && * left> 0; i++) {
        const struct held *h = &ro->rows[i];
        const char *s[R_STRINGS];
        struct sho_index_row row;
        int k;
        for (k = 0; k < R_STRINGS; k++) {
            s[k] = h->str[k] == SIZE_MAX ? NULL : ro->arena.data + h->str[k];
        }
        memset(&row, 0, sizeof(row));
        row.time = h->time;
        row.host = s[R_HOST];
        row.user_sid = s[R_SID];
        row.user = s[R_USER];
        row.domain = s[R_DOMAIN];
        row.path = s[R_PATH];
        row.object_type = s[R_OBJECT];
        row.process = s[R_PROCESS];
        row.client_ip = s[R_IP];
        row.share = s[R_SHARE];
        row.channel = s[R_CHANNEL];
        row.event_id = h->event_id;
        row.actions = h->actions;
        row.outcome = (enum sho_outcome)h->outcome;
        (void)snprintf(row.ref, sizeof(row.ref), "%lld:%lld", (long long)(h->ref >> IX_REF_SHIFT),
                       (long long)(h->ref & ((1 << IX_REF_SHIFT) - 1)));
        rc = fn(ctx, &row);
        (*left)--;
    }
    ro->count = 0;
    sho_buf_reset(&ro->arena);
    return rc;
}

int sho_index_search(struct sho_index *ix, const struct sho_index_query *q,
                     int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx,
                     struct sho_err *err)
{
    sqlite3_stmt *st = NULL;
    struct reorder ro;
    uint64_t left = q->limit != 0 ? q->limit : UINT64_MAX;
    int rc;

    memset(&ro, 0, sizeof(ro));
    sho_buf_init(&ro.arena, (size_t)1 << 30);
    rc = ix_sql_exec(ix, "BEGIN", err); /* one snapshot for the selection and the rows */
    if (rc == 0) {
        rc = sel_fill(ix, q, err);
    }
    if (rc == 0) {
        rc = search_prepare(ix, search_head, q, q->any_order ? "" : " ORDER BY e.id", &st, err);
    }
    if (rc == 0 && sqlite3_prepare_v2(ix->db, person_sql, -1, &ro.person, NULL) != SQLITE_OK) {
        rc = ix_sql_fail(ix, "cannot search", err);
    }
    while (rc == 0 && left > 0) {
        int step = sqlite3_step(st);
        int64_t group;
        if (step == SQLITE_DONE) {
            break;
        }
        if (step != SQLITE_ROW) {
            rc = sho_err_set(err, SHO_ESQL, ix->path, -1, "search failed: %s",
                             sqlite3_errmsg(ix->db));
            break;
        }
        /* Rows come in id order; within one group, exact times decide. */
        group = ix_id_group(sqlite3_column_int64(st, 0));
        if (ro.count > 0 && group != ro.group) {
            rc = reorder_emit(&ro, &left, fn, ctx);
        }
        ro.group = group;
        if (rc == 0 && left > 0) {
            rc = reorder_hold(&ro, st) == 0
                     ? 0
                     : sho_err_set(err, SHO_ELIMIT, NULL, -1, "too many events at one instant");
        }
    }
    if (rc == 0 && ro.count > 0) {
        rc = reorder_emit(&ro, &left, fn, ctx);
    }
    (void)sqlite3_finalize(st);
    (void)sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    reorder_release(&ro);
    return rc;
}

/* ---- summaries ---------------------------------------------------------------------- */

/* Run a grouped query (head, the selection and window, tail; ?9 the limit) and hand each
 * row to `row`. */
static int grouped_run(struct sho_index *ix, const struct sho_index_query *q, const char *head,
                       const char *tail, int (*row)(void *ctx, sqlite3_stmt *st), void *ctx,
                       struct sho_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    rc = ix_sql_exec(ix, "BEGIN", err);
    if (rc == 0) {
        rc = sel_fill(ix, q, err);
    }
    if (rc == 0) {
        rc = search_prepare(ix, head, q, tail, &st, err);
    }
    if (rc == 0) {
        (void)sqlite3_bind_int64(st, 9,
                                 q->limit != 0 && q->limit < INT64_MAX ? (int64_t)q->limit : -1);
    }
    while (rc == 0) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE) {
            break;
        }
        if (step != SQLITE_ROW) {
            rc = sho_err_set(err, SHO_ESQL, ix->path, -1, "search failed: %s",
                             sqlite3_errmsg(ix->db));
            break;
        }
        rc = row(ctx, st);
    }
    (void)sqlite3_finalize(st);
    (void)sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

static uint64_t col_filetime(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? 0
               : (uint64_t)(sqlite3_column_int64(st, col) + (int64_t)SHO_FILETIME_UNIX_EPOCH);
}

struct group_fn {
    int (*fn)(void *ctx, const struct sho_index_group *g);
    void *ctx;
};

static int group_row(void *ctx, sqlite3_stmt *st)
{
    struct group_fn *gf = ctx;
    struct sho_index_group g;

    memset(&g, 0, sizeof(g));
    g.first = col_filetime(st, 0);
    g.last = col_filetime(st, 1);
    g.count = (uint64_t)sqlite3_column_int64(st, 2);
    g.actions = (uint32_t)sqlite3_column_int64(st, 3);
    g.user_sid = (const char *)sqlite3_column_text(st, 4);
    g.domain = (const char *)sqlite3_column_text(st, 5);
    g.user = (const char *)sqlite3_column_text(st, 6);
    g.path = (const char *)sqlite3_column_text(st, 7);
    return gf->fn(gf->ctx, &g);
}

int sho_index_summary(struct sho_index *ix, const struct sho_index_query *q,
                      enum sho_index_group_by by,
                      int (*fn)(void *ctx, const struct sho_index_group *g), void *ctx,
                      struct sho_err *err)
{
    const char *head =
        by == SHO_GROUP_PERSON
            ? "SELECT g.first, g.last, g.n, g.acts, p.sid, pn.domain, pn.name, NULL FROM"
              " (SELECT e.person AS k, min(" TIME_EXPR ") AS first, max(" TIME_EXPR ") AS last,"
              " count(*) AS n, shoseki_bitor(c.actions) AS acts"
              " FROM events e JOIN ctx c ON c.id = e.ctx WHERE "
            : "SELECT g.first, g.last, g.n, g.acts, NULL, NULL, NULL, f.path FROM"
              " (SELECT e.file AS k, min(" TIME_EXPR ") AS first, max(" TIME_EXPR ") AS last,"
              " count(*) AS n, shoseki_bitor(c.actions) AS acts"
              " FROM events e JOIN ctx c ON c.id = e.ctx WHERE ";
    const char *tail =
        by == SHO_GROUP_PERSON
            ? " GROUP BY e.person) g LEFT JOIN persons p ON p.id = g.k" PERSON_NAME_JOIN
              " ORDER BY g.first, g.k LIMIT ?9"
            : " GROUP BY e.file) g LEFT JOIN files f ON f.id = g.k ORDER BY g.first, g.k"
              " LIMIT ?9";
    struct group_fn gf = { fn, ctx };

    return grouped_run(ix, q, head, tail, group_row, &gf, err);
}

struct session_fn {
    int (*fn)(void *ctx, const struct sho_index_session *s);
    void *ctx;
};

static int session_row(void *ctx, sqlite3_stmt *st)
{
    struct session_fn *sf = ctx;
    struct sho_index_session s;

    memset(&s, 0, sizeof(s));
    s.first = col_filetime(st, 0);
    s.last = col_filetime(st, 1);
    s.events = (uint64_t)sqlite3_column_int64(st, 2);
    s.actions = (uint32_t)sqlite3_column_int64(st, 3);
    s.user_sid = (const char *)sqlite3_column_text(st, 4);
    s.domain = (const char *)sqlite3_column_text(st, 5);
    s.user = (const char *)sqlite3_column_text(st, 6);
    s.host = (const char *)sqlite3_column_text(st, 7);
    s.logon_id = (uint64_t)sqlite3_column_int64(st, 8);
    s.logon_time = col_filetime(st, 9);
    s.logoff_time = col_filetime(st, 10);
    s.logon_type = (uint32_t)sqlite3_column_int64(st, 11);
    s.client_ip = (const char *)sqlite3_column_text(st, 12);
    s.files = (uint64_t)sqlite3_column_int64(st, 13);
    return sf->fn(sf->ctx, &s);
}

int sho_index_sessions(struct sho_index *ix, const struct sho_index_query *q,
                       int (*fn)(void *ctx, const struct sho_index_session *s), void *ctx,
                       struct sho_err *err)
{
    static const char head[] =
        "SELECT g.first, g.last, g.n, g.acts, p.sid, pn.domain, pn.name, h.name, s.logon_id,"
        " s.logon_time, s.logoff_time, s.logon_type, s.client_ip, g.files FROM"
        " (SELECT e.sess AS k, min(" TIME_EXPR ") AS first, max(" TIME_EXPR ") AS last,"
        " count(*) AS n, shoseki_bitor(c.actions) AS acts, count(DISTINCT e.file) AS files"
        " FROM events e JOIN ctx c ON c.id = e.ctx WHERE e.sess IS NOT NULL AND ";
    static const char tail[] =
        " GROUP BY e.sess) g JOIN sessions s ON s.id = g.k LEFT JOIN hosts h ON h.id = s.host"
        " LEFT JOIN persons p ON p.id = s.person" PERSON_NAME_JOIN
        " WHERE g.files > 0 ORDER BY g.first, g.k LIMIT ?9";
    struct session_fn sf = { fn, ctx };

    return grouped_run(ix, q, head, tail, session_row, &sf, err);
}
