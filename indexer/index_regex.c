/*
 * index_regex: PCRE2 behind one adapter. Regular expressions over paths run
 * inside SQLite as shoseki_regexp(pattern, text), compiled once per
 * statement (SQLite's auxiliary data), JIT-compiled, with match and depth
 * limits so a pathological pattern fails instead of running for hours.
 * PCRE2's error convention is translated here and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "index_priv.h"

#define RX_MATCH_LIMIT 1000000u /* backtracking steps per subject */
#define RX_DEPTH_LIMIT 10000u
#define RX_QUOTE_MAX   80 /* bytes of a pattern quoted in an error */

struct sho_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

static void rx_free(void *p)
{
    struct sho_regex *r = p;

    if (r == NULL) {
        return;
    }
    pcre2_match_data_free(r->md);
    pcre2_match_context_free(r->mctx);
    pcre2_code_free(r->code);
    free(r);
}

/* Compile `pattern`; on failure write "offset N: message" into msg. */
static struct sho_regex *rx_compile(const char *pattern, char *msg, size_t msg_len)
{
    struct sho_regex *r;
    int code;
    PCRE2_SIZE at;

    r = sho_xcalloc(1, sizeof(*r));
    r->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                            PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &code, &at, NULL);
    if (r->code == NULL) {
        PCRE2_UCHAR text[256];
        if (pcre2_get_error_message(code, text, sizeof(text)) < 0) {
            (void)snprintf((char *)text, sizeof(text), "error %d", code);
        }
        (void)snprintf(msg, msg_len, "at offset %zu: %s", (size_t)at, (const char *)text);
        free(r);
        return NULL;
    }
    /* JIT is an optimization: a platform without it still matches, slower. */
    (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    r->mctx = pcre2_match_context_create(NULL);
    (void)pcre2_set_match_limit(r->mctx, RX_MATCH_LIMIT);
    (void)pcre2_set_depth_limit(r->mctx, RX_DEPTH_LIMIT);
    return r;
}

/* The error for `pattern`: a long one is quoted in part, so that the offset and the reason
 * (`why`) always fit in the message. */
static int rx_fail(const char *pattern, const char *why, struct sho_err *err)
{
    int n = (int)strlen(pattern);

    return sho_err_set(err, SHO_EINVAL, NULL, -1, "invalid regular expression '%.*s%s' %s",
                       n > RX_QUOTE_MAX ? RX_QUOTE_MAX : n, pattern, n > RX_QUOTE_MAX ? "..." : "",
                       why);
}

int sho_regex_new(const char *pattern, struct sho_regex **out, struct sho_err *err)
{
    char msg[300];
    struct sho_regex *r = rx_compile(pattern, msg, sizeof(msg));

    *out = NULL;
    if (r == NULL) {
        return rx_fail(pattern, msg, err);
    }
    *out = r;
    return 0;
}

int sho_regex_match(struct sho_regex *re, const char *text)
{
    struct sho_regex *r = re;

    return pcre2_match(r->code, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, 0, 0, r->md, r->mctx) >= 0;
}

void sho_regex_free(struct sho_regex *re)
{
    rx_free(re);
}

int ix_regex_check(const char *pattern, struct sho_err *err)
{
    char msg[300];
    struct sho_regex *r = rx_compile(pattern, msg, sizeof(msg));

    if (r == NULL) {
        return rx_fail(pattern, msg, err);
    }
    rx_free(r);
    return 0;
}

/* shoseki_regexp(pattern, text): 1 when text matches; NULL text gives NULL. */
static void rx_sql(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    struct sho_regex *r = sqlite3_get_auxdata(sc, 0);
    const unsigned char *text;
    int rc;

    (void)argc;
    if (r == NULL) {
        char msg[300];
        const unsigned char *pattern = sqlite3_value_text(argv[0]);
        if (pattern == NULL) {
            sqlite3_result_null(sc);
            return;
        }
        r = rx_compile((const char *)pattern, msg, sizeof(msg));
        if (r == NULL) {
            sqlite3_result_error(sc, msg, -1);
            return;
        }
        sqlite3_set_auxdata(sc, 0, r, rx_free);
        r = sqlite3_get_auxdata(sc, 0); /* SQLite may have freed it at once */
        if (r == NULL) {
            sqlite3_result_error_nomem(sc);
            return;
        }
    }
    text = sqlite3_value_text(argv[1]);
    if (text == NULL) {
        sqlite3_result_null(sc);
        return;
    }
    rc = pcre2_match(r->code, text, (PCRE2_SIZE)sqlite3_value_bytes(argv[1]), 0, 0, r->md, r->mctx);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
        const unsigned char *pattern = sqlite3_value_text(argv[0]);
        char msg[300];
        (void)snprintf(msg, sizeof(msg),
                       "regular expression '%.200s' too complex (match limit reached)",
                       pattern != NULL ? (const char *)pattern : "");
        sqlite3_result_error(sc, msg, -1);
        return;
    }
    sqlite3_result_int(sc, rc >= 0);
}

int ix_regex_register(sqlite3 *db)
{
    return sqlite3_create_function_v2(db, "shoseki_regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                      NULL, rx_sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : SHO_ESQL;
}
