/*
 * ch_search: the index's searches against the ClickHouse table, giving the
 * same rows as indexer/index_search.c. The selection is made the way the
 * index makes it: a file by its normalized path (a folder by prefix, --like
 * by substring of the normalized path, --regex by PCRE2 on the distinct
 * logged paths, here), a person by key (SID) or by any name seen for a key.
 * A row shows the person's name as the index does: of the person's names,
 * the one whose first event (in archive order) is latest in time.
 *
 * Order is time, then archive reference; a reference sent twice (a retried
 * batch not yet merged away) is printed once. Every query runs with
 * skip_unavailable_shards=0: a shard that does not answer fails the search.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_people.h"

#define CH_SQL_MAX        ((size_t)64 << 20)
#define CH_PARAMS         "&skip_unavailable_shards=0"
#define CH_REF_SHIFT      16
#define CH_TABLE_NAME_MAX 200

/* ---- lists of values fetched first ---------------------------------------------------- */

struct ch_list {
    struct sho_buf *in;             /* "'a', 'b'" */
    struct sho_regex *keep;         /* NULL: every value */
    const struct ch_people *people; /* not NULL: the values are person keys, add their persons' */
    uint64_t count;
};

static int list_line(void *ctx, char *text, size_t len)
{
    struct ch_list *l = ctx;
    char *f[1];
    uint64_t n = 0;
    int rc;

    (void)ch_tsv_split(text, len, f, 1);
    if (l->keep != NULL && sho_regex_match(l->keep, f[0]) != 1) {
        return 0;
    }
    if (l->count > 0 && sho_buf_appends(l->in, ", ") != 0) {
        return SHO_ELIMIT;
    }
    if (l->people != NULL) {
        const char *key = f[0];
        rc = ch_people_select(l->people, NULL, NULL, &key, 1, l->in, &n);
        l->count += n;
    } else {
        rc = ch_quote(l->in, f[0]);
        l->count++;
    }
    return rc != 0 ? SHO_ELIMIT : 0;
}

/* Append "COLUMN IN (values of `sql`)" to `w` (values kept by `keep` when given); with no
 * value, a condition nothing meets. */
static int where_list(const struct sho_ch_target *t, const char *column, const char *sql,
                      struct sho_regex *keep, const struct ch_people *people, struct sho_buf *w,
                      struct sho_err *err)
{
    struct sho_buf in;
    struct ch_list l = { &in, keep, people, 0 };
    int rc;

    sho_buf_init(&in, CH_SQL_MAX);
    rc = ch_post(t, 0, CH_PARAMS, sql, NULL, 0, false, list_line, &l, NULL, err);
    if (rc == SHO_ELIMIT) {
        rc = sho_err_set(err, rc, NULL, -1, "%s", "too many matching values");
    }
    if (rc == 0) {
        rc = l.count == 0 ? sho_buf_appends(w, "0")
                          : sho_buf_appendf(w, "%s IN (%s)", column, in.data);
    }
    sho_buf_release(&in);
    return rc;
}

/* ---- the WHERE clause ------------------------------------------------------------------ */

static char *fold_upper(const char *s, bool upper)
{
    char *out = sho_xstrdup(s), *p;

    for (p = out; *p != '\0'; p++) {
        if (upper && *p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 32);
        } else if (!upper && *p >= 'A' && *p <= 'Z') {
            *p = (char)(*p + 32);
        } else if (!upper && *p == '/') {
            *p = '\\';
        }
    }
    return out;
}

static int where_path(const char *text, struct sho_buf *w)
{
    size_t n = strlen(text), cap = n * 2 + 8, m;
    bool folder = n > 0 && (text[n - 1] == '\\' || text[n - 1] == '/');
    char *norm = sho_xmalloc(cap);
    int rc;

    (void)sho_index_path_norm(text, norm, cap);
    m = strlen(norm);
    if (m == 0) { /* as the index: an empty prefix is every file, an empty name none */
        free(norm);
        return sho_buf_appends(w, folder ? "(path != '')" : "(npath = '' AND path != '')");
    }
    if (folder) {
        if (norm[m - 1] != '\\') {
            norm[m++] = '\\';
            norm[m] = '\0';
        }
        /* A range the by-path table's sorting key can use, then the prefix itself: every
         * string starting with "...\" lies between it and "...]" ('\' + 1). */
        rc = sho_buf_appends(w, "(npath >= ");
        rc = rc != 0 ? rc : ch_quote(w, norm);
        norm[m - 1] = ']';
        rc = rc != 0 ? rc : sho_buf_appends(w, " AND npath < ");
        rc = rc != 0 ? rc : ch_quote(w, norm);
        norm[m - 1] = '\\';
        rc = rc != 0 ? rc : sho_buf_appends(w, " AND startsWith(npath, ");
    } else {
        rc = sho_buf_appends(w, "(npath = ");
    }
    rc = rc != 0 ? rc : ch_quote(w, norm);
    rc = rc != 0 ? rc : sho_buf_appends(w, folder ? "))" : ")");
    free(norm);
    return rc;
}

/* The table to read the events from: by path for a selection by path, else by person. */
static void events_table(const struct sho_ch_target *t, const struct sho_index_query *q,
                         bool selection, char *out, size_t out_len)
{
    bool by_path = q->select == SHO_SELECT_PATH && (selection || q->hop == SHO_HOP_NONE);

    (void)snprintf(out, out_len, "%s%s", t->table, by_path ? "_bypath" : "");
}

static int where_person(const struct ch_people *people, const char *text, struct sho_buf *w)
{
    const char *slash = strchr(text, '\\');
    struct sho_buf in;
    uint64_t count = 0;
    char *key, *domain = NULL;
    int rc;

    sho_buf_init(&in, CH_SQL_MAX);
    if ((text[0] == 'S' || text[0] == 's') && text[1] == '-' && text[2] == '1' && text[3] == '-') {
        key = fold_upper(text, true);
        rc = ch_people_select(people, NULL, NULL, (const char *const *)&key, 1, &in, &count);
        free(key);
    } else {
        if (slash != NULL) {
            domain = sho_xstrndup(text, (size_t)(slash - text));
        }
        rc = ch_people_select(people, domain, slash != NULL ? slash + 1 : text, NULL, 0, &in,
                              &count);
        free(domain);
    }
    if (rc == 0) {
        rc = count == 0 ? sho_buf_appends(w, "0") : sho_buf_appendf(w, "pkey IN (%s)", in.data);
    }
    sho_buf_release(&in);
    return rc;
}

static int where_regex(const struct sho_ch_target *t, const char *re_text, struct sho_buf *w,
                       struct sho_err *err)
{
    struct sho_regex *re = NULL;
    char sql[256];
    int rc = sho_regex_new(re_text, &re, err);

    if (rc != 0) {
        return rc;
    }
    (void)snprintf(sql, sizeof(sql),
                   "SELECT DISTINCT path FROM %s WHERE path != '' FORMAT TabSeparated", t->table);
    rc = where_list(t, "path", sql, re, NULL, w, err);
    sho_regex_free(re);
    return rc;
}

static int where_select(const struct sho_ch_target *t, const struct ch_people *people,
                        const struct sho_index_query *q, struct sho_buf *w, struct sho_err *err)
{
    char *folded;
    int rc;

    if (q->select != SHO_SELECT_ALL && (q->text == NULL || q->text[0] == '\0')) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "%s", "nothing to search for");
    }
    switch (q->select) {
    case SHO_SELECT_ALL:
        return sho_buf_appends(w, "1");
    case SHO_SELECT_PATH:
        return where_path(q->text, w);
    case SHO_SELECT_LIKE:
        folded = fold_upper(q->text, false);
        rc = sho_buf_appends(w, "position(npath, ");
        rc = rc != 0 ? rc : ch_quote(w, folded);
        free(folded);
        return rc != 0 ? rc : sho_buf_appends(w, ") > 0");
    case SHO_SELECT_REGEX:
        return where_regex(t, q->text, w, err);
    case SHO_SELECT_PERSON:
        return where_person(people, q->text, w);
    default:
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "%s", "unknown selection");
    }
}

static int where_filters(const struct sho_index_query *q, struct sho_buf *w)
{
    int rc = 0;

    if (q->since != 0) {
        rc = sho_buf_appendf(w, " AND ft >= %" PRIu64, q->since);
    }
    if (rc == 0 && q->until != 0) {
        rc = sho_buf_appendf(w, " AND ft < %" PRIu64, q->until);
    }
    if (rc == 0 && q->actions != 0) {
        rc = sho_buf_appendf(w, " AND bitAnd(actions, %u) != 0", (unsigned)q->actions);
    }
    if (rc == 0 && q->outcome != SHO_OUTCOME_UNKNOWN) {
        rc = sho_buf_appendf(w, " AND outcome = %u", (unsigned)q->outcome);
    }
    if (rc == 0 && q->host != NULL) {
        rc = sho_buf_appends(w, " AND (lower(host) = lower(");
        rc = rc != 0 ? rc : ch_quote(w, q->host);
        rc = rc != 0 ? rc : sho_buf_appends(w, ") OR startsWith(lower(host), concat(lower(");
        rc = rc != 0 ? rc : ch_quote(w, q->host);
        rc = rc != 0 ? rc : sho_buf_appends(w, "), '.')))");
    }
    if (rc == 0 && q->client_ip != NULL) {
        rc = sho_buf_appends(w, " AND client_ip = ");
        rc = rc != 0 ? rc : ch_quote(w, q->client_ip);
    }
    return rc;
}

/* The selection, one hop further when asked (files of the persons, persons of the files). */
static int where_build(const struct sho_ch_target *t, const struct ch_people *people,
                       const struct sho_index_query *q, struct sho_buf *w, struct sho_err *err)
{
    bool persons = q->select == SHO_SELECT_PERSON;
    const char *col = q->hop == SHO_HOP_FILES ? "path" : "pkey";
    char table[CH_TABLE_NAME_MAX];
    struct sho_buf sel, sql;
    int rc;

    if (q->hop == SHO_HOP_NONE) {
        rc = where_select(t, people, q, w, err);
        return rc != 0 ? rc : where_filters(q, w);
    }
    if (q->select == SHO_SELECT_ALL || persons != (q->hop == SHO_HOP_FILES)) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "%s",
                           "a hop goes from persons to files or from files to persons");
    }
    sho_buf_init(&sel, CH_SQL_MAX);
    sho_buf_init(&sql, CH_SQL_MAX);
    rc = where_select(t, people, q, &sel, err);
    events_table(t, q, true, table, sizeof(table));
    if (rc == 0) {
        rc = sho_buf_appendf(&sql, "SELECT DISTINCT %s FROM %s WHERE %s != '' AND %s", col, table,
                             col, sel.data);
    }
    if (rc == 0 && q->since != 0) {
        rc = sho_buf_appendf(&sql, " AND ft >= %" PRIu64, q->since);
    }
    if (rc == 0 && q->until != 0) {
        rc = sho_buf_appendf(&sql, " AND ft < %" PRIu64, q->until);
    }
    rc = rc != 0 ? rc : sho_buf_appends(&sql, " FORMAT TabSeparated");
    rc = rc != 0 ? rc
                 : where_list(t, col, sql.data, NULL, q->hop == SHO_HOP_PERSONS ? people : NULL, w,
                              err);
    rc = rc != 0 ? rc : where_filters(q, w);
    sho_buf_release(&sql);
    sho_buf_release(&sel);
    return rc;
}

/* ---- the rows ---------------------------------------------------------------------------- */

enum {
    C_FT,
    C_HOST,
    C_PKEY,
    C_PATH,
    C_OBJECT,
    C_PROCESS,
    C_IP,
    C_SHARE,
    C_CHANNEL,
    C_EVENT_ID,
    C_ACTIONS,
    C_OUTCOME,
    C_FRAME,
    C_IDX,
    C_COUNT
};

#define CH_ROW_COLUMNS                                                                             \
    "ft, host, pkey, path, object_type, process, client_ip, share, channel, event_id, actions,"    \
    " outcome, frame, idx"

struct ch_rows {
    const struct ch_people *people;
    int (*fn)(void *ctx, const struct sho_index_row *row);
    void *ctx;
    uint64_t left;
    uint64_t last_frame, last_idx;
    bool has_last;
};

static const char *nz(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

static int rows_line(void *ctx, char *text, size_t len)
{
    struct ch_rows *r = ctx;
    struct sho_index_row row;
    const struct ch_person_name *name;
    const char *person;
    char *f[C_COUNT];
    uint64_t v[C_COUNT];
    int i;

    if (ch_tsv_split(text, len, f, C_COUNT) != C_COUNT) {
        return SHO_ECORRUPT;
    }
    for (i = C_EVENT_ID; i < C_COUNT; i++) {
        if (sho_parse_u64(f[i], UINT64_MAX, 0, &v[i]) != 0) {
            return SHO_ECORRUPT;
        }
    }
    if (sho_parse_u64(f[C_FT], UINT64_MAX, 0, &v[C_FT]) != 0) {
        return SHO_ECORRUPT;
    }
    if (r->left == 0 || (r->has_last && r->last_frame == v[C_FRAME] && r->last_idx == v[C_IDX])) {
        return 0; /* past the limit, or a repeat not yet merged away */
    }
    r->has_last = true;
    r->last_frame = v[C_FRAME];
    r->last_idx = v[C_IDX];
    r->left--;
    memset(&row, 0, sizeof(row));
    row.time = v[C_FT];
    row.host = nz(f[C_HOST]);
    person = ch_people_resolve(r->people, f[C_PKEY]);
    row.user_sid = person[0] != '\0' && strchr(person, '\\') == NULL ? person : NULL;
    name = person[0] != '\0' ? ch_people_name(r->people, person) : NULL;
    if (name != NULL) {
        row.user = nz(name->user);
        row.domain = nz(name->domain);
    }
    row.path = nz(f[C_PATH]);
    row.object_type = nz(f[C_OBJECT]);
    row.process = nz(f[C_PROCESS]);
    row.client_ip = nz(f[C_IP]);
    row.share = nz(f[C_SHARE]);
    row.channel = nz(f[C_CHANNEL]);
    row.event_id = (uint32_t)v[C_EVENT_ID];
    row.actions = (uint32_t)v[C_ACTIONS];
    row.outcome = (enum sho_outcome)v[C_OUTCOME];
    (void)snprintf(row.ref, sizeof(row.ref), "%" PRIu64 ":%" PRIu64, v[C_FRAME], v[C_IDX]);
    return r->fn(r->ctx, &row);
}

int sho_ch_search(const struct sho_ch_target *t, const struct sho_index_query *q,
                  int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx,
                  struct sho_err *err)
{
    struct sho_buf where, sql;
    struct ch_people people;
    struct ch_rows rows;
    char table[CH_TABLE_NAME_MAX];
    int rc;

    sho_buf_init(&where, CH_SQL_MAX);
    sho_buf_init(&sql, CH_SQL_MAX);
    rc = ch_people_load(t, &people, err);
    if (rc == 0) {
        rc = where_build(t, &people, q, &where, err);
    }
    events_table(t, q, false, table, sizeof(table));
    if (rc == 0) {
        /* The repeats of an event are on one shard (sharded by reference): each shard drops
         * its own before the limit is applied to the merged rows. */
        rc = sho_buf_appendf(&sql,
                             "SELECT * FROM (SELECT " CH_ROW_COLUMNS " FROM %s WHERE %s"
                             " ORDER BY ft, frame, idx LIMIT 1 BY frame, idx)"
                             " ORDER BY ft, frame, idx",
                             table, where.data);
    }
    if (rc == 0 && q->limit != 0) {
        rc = sho_buf_appendf(&sql, " LIMIT %" PRIu64, q->limit);
    }
    rc = rc != 0 ? rc : sho_buf_appends(&sql, " FORMAT TabSeparated");
    if (rc == 0) {
        rows = (struct ch_rows){ &people, fn, ctx,  q->limit != 0 ? q->limit : UINT64_MAX,
                                 0,       0,  false };
        rc = ch_post(t, 0, CH_PARAMS, sql.data, NULL, 0, false, rows_line, &rows, NULL, err);
    }
    if (rc == SHO_ECORRUPT) {
        rc = sho_err_set(err, SHO_EIO, NULL, -1, "ClickHouse at '%s' sent a row not understood",
                         t->urls[0]);
    } else if (rc == SHO_ELIMIT && (err == NULL || err->code == 0)) {
        rc = sho_err_set(err, SHO_ELIMIT, NULL, -1, "%s", "the search is too large");
    }
    ch_people_release(&people);
    sho_buf_release(&sql);
    sho_buf_release(&where);
    return rc;
}
