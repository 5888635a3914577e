#ifndef SHOSEKI_JSON_CHECK_H
#define SHOSEKI_JSON_CHECK_H

/*
 * json_check (tests/fuzz only): a strict RFC 8259 checker for what the event
 * renderer prints, so a fuzz target can assert that no input, however
 * hostile, makes shoseki write a line that is not JSON. It accepts exactly
 * one value with no surrounding blanks, strings that are valid UTF-8 (no
 * overlong forms, surrogates or code points past U+10FFFF) with no raw
 * control bytes, and numbers in JSON's grammar. Nesting is bounded so the
 * checker itself cannot run out of stack. Header-only: each target that
 * includes it is one translation unit.
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define JSON_CHECK_DEPTH_MAX 64 /* events nest two levels; anything deeper is wrong anyway */

struct json_check {
    const unsigned char *p;   /* next byte */
    const unsigned char *end; /* one past the last byte */
};

static bool json_check_value(struct json_check *c, unsigned depth);

static bool json_check_is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool json_check_is_hex(unsigned char ch)
{
    return json_check_is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Length of the valid UTF-8 sequence at c->p (2..4 bytes), or 0 when invalid. */
static size_t json_check_utf8(const struct json_check *c)
{
    const unsigned char *s = c->p;
    size_t avail = (size_t)(c->end - s), n, i;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80; /* overlong */
        hi = s[0] == 0xED ? 0x9F : 0xBF; /* UTF-16 surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80; /* overlong */
        hi = s[0] == 0xF4 ? 0x8F : 0xBF; /* past U+10FFFF */
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

static bool json_check_escape(struct json_check *c)
{
    int i;

    if (c->p == c->end) {
        return false;
    }
    if (strchr("\"\\/bfnrt", *c->p) != NULL && *c->p != '\0') {
        c->p++;
        return true;
    }
    if (*c->p != 'u' || c->end - c->p < 5) {
        return false;
    }
    for (i = 1; i <= 4; i++) {
        if (!json_check_is_hex(c->p[i])) {
            return false;
        }
    }
    c->p += 5;
    return true;
}

static bool json_check_string(struct json_check *c)
{
    c->p++; /* the opening quote */
    while (c->p < c->end) {
        unsigned char ch = *c->p;
        size_t n;

        if (ch == '"') {
            c->p++;
            return true;
        }
        if (ch < 0x20) {
            return false;
        }
        if (ch == '\\') {
            c->p++;
            if (!json_check_escape(c)) {
                return false;
            }
            continue;
        }
        if (ch < 0x80) {
            c->p++;
            continue;
        }
        n = json_check_utf8(c);
        if (n == 0) {
            return false;
        }
        c->p += n;
    }
    return false;
}

/* Skip one or more digits; false when there is none. */
static bool json_check_digits(struct json_check *c)
{
    const unsigned char *start = c->p;

    while (c->p < c->end && json_check_is_digit(*c->p)) {
        c->p++;
    }
    return c->p != start;
}

static bool json_check_number(struct json_check *c)
{
    if (*c->p == '-') {
        c->p++;
    }
    if (c->p < c->end && *c->p == '0') {
        c->p++; /* no leading zeros */
    } else if (!json_check_digits(c)) {
        return false;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!json_check_digits(c)) {
            return false;
        }
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
            c->p++;
        }
        if (!json_check_digits(c)) {
            return false;
        }
    }
    return true;
}

static bool json_check_literal(struct json_check *c, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) {
        return false;
    }
    c->p += n;
    return true;
}

static void json_check_blanks(struct json_check *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
        c->p++;
    }
}

/* An object (`close` '}') or an array (`close` ']'), c->p at the opening bracket. */
static bool json_check_container(struct json_check *c, unsigned depth, unsigned char close)
{
    c->p++;
    json_check_blanks(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (c->p == c->end || *c->p != '"' || !json_check_string(c)) {
                return false;
            }
            json_check_blanks(c);
            if (c->p == c->end || *c->p != ':') {
                return false;
            }
            c->p++;
            json_check_blanks(c);
        }
        if (!json_check_value(c, depth + 1)) {
            return false;
        }
        json_check_blanks(c);
        if (c->p == c->end) {
            return false;
        }
        if (*c->p == close) {
            c->p++;
            return true;
        }
        if (*c->p != ',') {
            return false;
        }
        c->p++;
        json_check_blanks(c);
    }
}

static bool json_check_value(struct json_check *c, unsigned depth)
{
    if (c->p == c->end || depth > JSON_CHECK_DEPTH_MAX) {
        return false;
    }
    switch (*c->p) {
    case '{':
        return json_check_container(c, depth, '}');
    case '[':
        return json_check_container(c, depth, ']');
    case '"':
        return json_check_string(c);
    case 't':
        return json_check_literal(c, "true");
    case 'f':
        return json_check_literal(c, "false");
    case 'n':
        return json_check_literal(c, "null");
    default:
        return (*c->p == '-' || json_check_is_digit(*c->p)) && json_check_number(c);
    }
}

/* True when the `len` bytes at `s` are exactly one JSON value. */
static bool json_check(const char *s, size_t len)
{
    struct json_check c;

    if (s == NULL) {
        return false;
    }
    c.p = (const unsigned char *)s;
    c.end = c.p + len;
    return json_check_value(&c, 0) && c.p == c.end;
}

#endif /* SHOSEKI_JSON_CHECK_H */
