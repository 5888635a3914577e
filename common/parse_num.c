/*
 * parse_num: the only way shoseki turns text into numbers (atoi is banned).
 * Whole-string, range-checked, optionally hex or with K/M/G/T suffixes.
 */
#include <string.h>

#include "shoseki/common.h"

static int parse_digit(char c, unsigned base)
{
    int v;

    if (c >= '0' && c <= '9') {
        v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
    } else {
        return -1;
    }
    return (unsigned)v < base ? v : -1;
}

static unsigned parse_suffix_shift(char c)
{
    switch (c) {
    case 'K':
    case 'k':
        return 10;
    case 'M':
    case 'm':
        return 20;
    case 'G':
    case 'g':
        return 30;
    case 'T':
    case 't':
        return 40;
    default:
        return 0;
    }
}

int sho_parse_u64n(const char *s, size_t len, uint64_t max, unsigned flags, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0, end = len;
    uint64_t v = 0;
    unsigned shift = 0;

    if ((flags & SHO_PARSE_HEX) && len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if ((flags & SHO_PARSE_SUFFIX) && base == 10 && end > 0) {
        shift = parse_suffix_shift(s[end - 1]);
        if (shift != 0) {
            end--;
        }
    }
    if (i >= end) {
        return SHO_EINVAL;
    }
    for (; i < end; i++) {
        int dg = parse_digit(s[i], base);
        if (dg < 0 || v > (UINT64_MAX - (uint64_t)dg) / base) {
            return SHO_EINVAL;
        }
        v = v * base + (uint64_t)dg;
    }
    if (shift != 0) {
        if (v > (UINT64_MAX >> shift)) {
            return SHO_EINVAL;
        }
        v <<= shift;
    }
    if (v > max) {
        return SHO_EINVAL;
    }
    *out = v;
    return 0;
}

int sho_parse_u64(const char *s, uint64_t max, unsigned flags, uint64_t *out)
{
    return sho_parse_u64n(s, strlen(s), max, flags, out);
}

size_t sho_fmt_dec(char *out, uint64_t v)
{
    char t[20];
    size_t n = 0, i;

    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (i = 0; i < n; i++) {
        out[i] = t[n - 1 - i];
    }
    out[n] = '\0';
    return n;
}
