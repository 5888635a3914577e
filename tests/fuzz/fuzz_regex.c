/*
 * Fuzz target: the PCRE2 adapter (indexer/index_regex.c) with hostile
 * patterns: `who --regex` and the policy's path patterns. The input's first
 * line is the pattern, the rest the subject (a path). The pattern is
 * compiled with sho_regex_new and checked with ix_regex_check (which must
 * agree), matched directly, and matched inside SQLite as shoseki_regexp()
 * the way searches run it. Contracts checked beyond sanitizer reports:
 *   - every match ends within the match limit (a catastrophic pattern such
 *     as (a+)+$ on a long subject ends with "match limit reached", it does
 *     not run for minutes: libFuzzer's -timeout catches that);
 *   - a rejected pattern says where and why in one line;
 *   - SQLite's answer is the adapter's answer, or the match-limit error.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "index_priv.h"

#define PATTERN_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* shoseki_regexp(pattern, subject) in SQLite: 1, 0, or -1 for an error (message in *msg). */
static int sql_match(sqlite3 *db, const char *pattern, const char *subject, const char **msg)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "SELECT shoseki_regexp(?1, ?2)", -1, &st, NULL) != SQLITE_OK) {
        fuzz_fail("cannot prepare: %s", sqlite3_errmsg(db));
    }
    (void)sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = sqlite3_column_int(st, 0);
    } else {
        *msg = sqlite3_errmsg(db);
    }
    (void)sqlite3_finalize(st);
    return rc;
}

static void check_match(struct sho_regex *re, const char *pattern, const char *subject)
{
    static sqlite3 *db; /* one connection for the whole run */
    const char *msg = "";
    int direct = sho_regex_match(re, subject), in_sql;

    if (db == NULL && (sqlite3_open(":memory:", &db) != SQLITE_OK || ix_sql_functions(db) != 0)) {
        fuzz_fail("cannot open SQLite in memory");
    }
    in_sql = sql_match(db, pattern, subject, &msg);
    if (in_sql < 0 && strstr(msg, "match limit") == NULL) {
        fuzz_fail("shoseki_regexp('%s') failed: %s", pattern, msg);
    }
    if (in_sql >= 0 && in_sql != direct) {
        fuzz_fail("'%s' on '%s': SQLite says %d, the adapter %d", pattern, subject, in_sql, direct);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t plen = nl != NULL ? (size_t)(nl - s) : size;
    char *pattern, *subject;
    struct sho_regex *re = NULL;
    struct sho_err e1, e2;
    int r1, r2;

    if (plen > PATTERN_MAX) {
        return 0;
    }
    pattern = sho_xstrndup(s, plen);
    subject = sho_xstrndup(s + plen + (nl != NULL), size - plen - (nl != NULL));
    sho_err_clear(&e1);
    sho_err_clear(&e2);
    r1 = sho_regex_new(pattern, &re, &e1);
    r2 = ix_regex_check(pattern, &e2);
    if ((r1 == 0) != (r2 == 0)) {
        fuzz_fail("'%s': sho_regex_new says %d, ix_regex_check %d", pattern, r1, r2);
    }
    if (r1 != 0) {
        if (strstr(e1.msg, "offset") == NULL || strchr(e1.msg, '\n') != NULL) {
            fuzz_fail("'%s' rejected without an offset on one line: %s", pattern, e1.msg);
        }
    } else {
        check_match(re, pattern, subject);
        sho_regex_free(re);
    }
    free(pattern);
    free(subject);
    return 0;
}
