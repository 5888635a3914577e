#ifndef SHOSEKI_TEST_UNIT_H
#define SHOSEKI_TEST_UNIT_H

/*
 * unit (tests only): what every cmocka unit test needs. The headers cmocka
 * requires before its own, an assertion for strings that may be NULL (cmocka's
 * assert_string_equal dereferences both sides), and a FILE that captures what a
 * writer prints so a test can compare it byte for byte.
 *
 * Ownership: unit_capture_open returns a stream whose text belongs to the
 * capture; unit_capture_close frees both.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Assert that `actual` equals `expected`, where either may be NULL ("unknown"). */
#define assert_str_or_null(actual, expected)                                                       \
    unit_assert_str_or_null((actual), (expected), __FILE__, __LINE__)

static inline void unit_assert_str_or_null(const char *actual, const char *expected,
                                           const char *file, int line)
{
    if (expected == NULL && actual == NULL) {
        return;
    }
    if (expected == NULL) {
        print_error("expected NULL, got \"%s\"\n", actual);
        _fail(file, line);
        return;
    }
    if (actual == NULL) {
        print_error("expected \"%s\", got NULL\n", expected);
        _fail(file, line);
        return;
    }
    _assert_string_equal(actual, expected, file, line);
}

/* An in-memory output file: what was written is in `text` (`len` bytes) after a flush. */
struct unit_capture {
    FILE *fp;   /* owned, open_memstream */
    char *text; /* owned by the stream until unit_capture_close */
    size_t len; /* bytes written so far (valid after fflush) */
};

static inline void unit_capture_open(struct unit_capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->fp = open_memstream(&c->text, &c->len);
    assert_non_null(c->fp);
}

/* Flush and return the text written so far (NUL-terminated, borrowed). */
static inline const char *unit_capture_text(struct unit_capture *c)
{
    assert_int_equal(fflush(c->fp), 0);
    return c->text;
}

static inline void unit_capture_close(struct unit_capture *c)
{
    if (c->fp != NULL) {
        (void)fclose(c->fp);
    }
    free(c->text);
    c->fp = NULL;
    c->text = NULL;
    c->len = 0;
}

/* True when `s` (`len` bytes) is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates). */
static inline int unit_is_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        size_t n, k;
        unsigned cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        if (i + n > len) {
            return 0;
        }
        for (k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        i += n;
    }
    return 1;
}

#endif /* SHOSEKI_TEST_UNIT_H */
