/*
 * index_select: what a search is about. The files or persons a query names
 * are found by SQL into a temporary table (by normalized-path hash, by the
 * FTS5 trigram index for substrings, by PCRE2 for regular expressions, by
 * SID or name), then read into a sorted list of ids for the event store's
 * postings; a hop replaces that list by the files (or persons) its events
 * name in the window. All SQL is fixed text; user input is only bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

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

/* Add the files whose normalized path contains `folded` (or, `prefix`, starts with it). */
static int sel_files_containing(struct sho_index *ix, const char *folded, bool prefix,
                                struct sho_err *err)
{
    static const char *const by_fts[2] = {
        "INSERT OR IGNORE INTO temp.sel SELECT f.id FROM files f WHERE f.id IN (SELECT rowid"
        " FROM fts.files_fts WHERE files_fts MATCH ?1) AND instr(shoseki_norm(f.path), ?2) > 0",
        "INSERT OR IGNORE INTO temp.sel SELECT f.id FROM files f WHERE f.id IN (SELECT rowid"
        " FROM fts.files_fts WHERE files_fts MATCH ?1)"
        " AND substr(shoseki_norm(f.path), 1, length(?2)) = ?2",
    };
    /* The files the trigram index does not cover (?1: the last it covers), or all. */
    static const char *const by_scan[2] = {
        "INSERT OR IGNORE INTO temp.sel SELECT id FROM files"
        " WHERE id > CAST(?1 AS INTEGER) AND instr(shoseki_norm(path), ?2) > 0",
        "INSERT OR IGNORE INTO temp.sel SELECT id FROM files"
        " WHERE id > CAST(?1 AS INTEGER) AND substr(shoseki_norm(path), 1, length(?2)) = ?2",
    };
    int64_t upto = ix_fts_upto(ix);
    char from[32];
    struct sho_buf q;
    int rc = 0;

    sho_buf_init(&q, 65536);
    if (upto < 0 || sel_fts_query(folded, &q) != 1) {
        upto = 0; /* no usable trigram index, or a text under three characters: scan */
    } else {
        rc = sel_exec(ix, by_fts[prefix], q.data, folded, err);
    }
    (void)snprintf(from, sizeof(from), "%lld", (long long)upto);
    if (rc == 0) {
        rc = sel_exec(ix, by_scan[prefix], from, folded, err);
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

void ix_window(const struct sho_index_query *q, int64_t *since, int64_t *until)
{
    *since = q->since != 0 ? ix_ticks(q->since) : INT64_MIN;
    *until = q->until != 0 ? ix_ticks(q->until) : INT64_MAX;
}

int ix_id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : (x > y ? 1 : 0);
}

/* Sort and drop repeats. */
static void sel_unique(struct ix_sel *sel)
{
    size_t i, n = 0;

    if (sel->n > 1) {
        qsort(sel->ids, sel->n, sizeof(*sel->ids), ix_id_cmp);
    }
    for (i = 0; i < sel->n; i++) {
        if (n == 0 || sel->ids[n - 1] != sel->ids[i]) {
            sel->ids[n++] = sel->ids[i];
        }
    }
    sel->n = n;
}

static void sel_push(struct ix_sel *sel, size_t *cap, int64_t id)
{
    if (sel->n == *cap) {
        *cap = *cap != 0 ? *cap * 2 : 256;
        sel->ids = sho_xrealloc(sel->ids, *cap * sizeof(*sel->ids));
    }
    sel->ids[sel->n++] = id;
}

static int sel_read(struct sho_index *ix, struct ix_sel *sel, struct sho_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step;

    if (sqlite3_prepare_v2(ix->db, "SELECT id FROM temp.sel ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK) {
        return ix_sql_fail(ix, "cannot search", err);
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        sel_push(sel, &cap, sqlite3_column_int64(st, 0));
    }
    (void)sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : ix_sql_fail(ix, "cannot search", err);
}

/* One hop: the files the selected persons touched in the window, or the persons who touched
 * the selected files. */
static int sel_hop(struct sho_index *ix, const struct sho_index_query *q, struct ix_sel *sel,
                   struct sho_err *err)
{
    struct ix_sel next = { q->hop == SHO_HOP_FILES ? IX_KIND_FILE : IX_KIND_PERSON, NULL, 0 };
    struct ix_scan *scan = NULL;
    struct ix_row r;
    int64_t since, until;
    size_t cap = 0;
    int rc;

    ix_window(q, &since, &until);
    rc = ix_scan_open(ix, sel, since, until, &scan, err);
    while (rc == 0 && (rc = ix_scan_next(scan, &r, err)) == 1) {
        int64_t id = q->hop == SHO_HOP_FILES ? r.file : r.person;
        rc = 0;
        if (id > 0) {
            sel_push(&next, &cap, id);
        }
    }
    ix_scan_close(scan);
    if (rc == 0) {
        sel_unique(&next);
    }
    free(sel->ids);
    sel->ids = next.ids;
    sel->n = next.n;
    sel->kind = next.kind;
    return rc;
}

int ix_select(struct sho_index *ix, const struct sho_index_query *q, struct ix_sel *sel,
              struct sho_err *err)
{
    bool persons = q->select == SHO_SELECT_PERSON;
    int rc;

    memset(sel, 0, sizeof(*sel));
    sel->kind = persons ? IX_KIND_PERSON : IX_KIND_FILE;
    if (q->hop != SHO_HOP_NONE &&
        (q->select == SHO_SELECT_ALL || persons != (q->hop == SHO_HOP_FILES))) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1,
                           "a hop goes from persons to files or from files to persons");
    }
    if (q->select == SHO_SELECT_ALL) {
        return 0;
    }
    rc = sel_kind(ix, q, err);
    if (rc == 0) {
        rc = sel_read(ix, sel, err);
    }
    if (rc == 0 && q->hop != SHO_HOP_NONE) {
        rc = sel_hop(ix, q, sel, err);
    }
    return rc;
}
