/*
 * Fuzz target: the text parsers of command lines and logs (common/time.c,
 * common/parse_num.c, collector/access_mask.c). The length-taking parsers
 * get the input bytes as they are, not NUL-terminated, so a read past `len`
 * is a sanitizer report. Invariants checked (fuzz_fail, i.e. abort, when broken):
 *   - a time that sho_time_parse_iso accepts formats with sho_time_format_iso
 *     to text that parses back to the same FILETIME;
 *   - any FILETIME before year 10000 (the first 8 input bytes) formats to
 *     text that parses back to it; any FILETIME formats without overflow;
 *   - days <-> civil date conversions are inverse;
 *   - sho_parse_u64n: a flag only widens what is accepted, never changes a
 *     value; the result respects `max`; a plain decimal prints back as its
 *     digits; sho_parse_u64 agrees with it on text without a NUL.
 * AccessList tokens and the mask tables are exercised on a NUL-terminated copy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_mask.h"
#include "fuzz_check.h"
#include "shoseki/common.h"

#define FLAG_SETS       4                  /* every combination of HEX and SUFFIX */
#define DAYS_RANGE      ((int64_t)1 << 31) /* +-5.8 million years: no overflow inside */
#define YEAR_10000_DAYS 2932897            /* days from 1970-01-01 to 10000-01-01 */
#define SECONDS_PER_DAY 86400

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_iso_text(const char *s, size_t len)
{
    char iso[SHO_TIME_ISO_MAX];
    uint64_t ft, back = 0;
    size_t n;

    if (sho_time_parse_iso(s, len, &ft) != 0) {
        return;
    }
    n = sho_time_format_iso(ft, iso);
    if (n == 0 || n >= SHO_TIME_ISO_MAX || sho_time_parse_iso(iso, n, &back) != 0 || back != ft) {
        fuzz_fail("time '%.*s' parses to FILETIME %" PRIu64 ", which formats as '%s', which "
                  "parses back to %" PRIu64 " (or not at all)",
                  (int)len, s, ft, iso, back);
    }
}

static void check_filetime(uint64_t ft)
{
    static const uint64_t year_10000 = ((uint64_t)YEAR_10000_DAYS * SECONDS_PER_DAY +
                                        SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND) *
                                       SHO_TICKS_PER_SECOND;
    char iso[SHO_TIME_ISO_MAX];
    uint64_t back = 0;
    size_t n = sho_time_format_iso(ft, iso);

    if (n == 0 || n >= SHO_TIME_ISO_MAX || iso[n] != '\0') {
        fuzz_fail("FILETIME %" PRIu64 " formats to %zu bytes", ft, n);
    }
    if (ft < year_10000 && (sho_time_parse_iso(iso, n, &back) != 0 || back != ft)) {
        fuzz_fail("FILETIME %" PRIu64 " formats as '%s', which parses back to %" PRIu64
                  " (or not at all)",
                  ft, iso, back);
    }
}

static void check_days(uint64_t raw)
{
    int64_t days = (int64_t)(raw % (2 * (uint64_t)DAYS_RANGE)) - DAYS_RANGE;
    int64_t y;
    unsigned m, d;

    sho_time_civil_from_days(days, &y, &m, &d);
    if (m < 1 || m > 12 || d < 1 || d > 31 || sho_time_days_from_civil(y, m, d) != days) {
        fuzz_fail("day %" PRId64 " is %" PRId64 "-%u-%u, which is not that day", days, y, m, d);
    }
}

/* Without flags, success means `s` is decimal digits: they print back, leading zeros aside. */
static void check_decimal(const char *s, size_t len, uint64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" PRIu64, v);

    while (len > 1 && s[0] == '0') {
        s++;
        len--;
    }
    if (n <= 0 || (size_t)n != len || memcmp(text, s, len) != 0) {
        fuzz_fail("decimal '%.*s' parsed as %s", (int)len, s, text);
    }
}

static void check_numbers(const char *s, size_t len)
{
    const unsigned all = FLAG_SETS - 1;
    uint64_t v[FLAG_SETS] = { 0 }, w = 0;
    int ok[FLAG_SETS];
    unsigned f, g;

    for (f = 0; f < FLAG_SETS; f++) {
        ok[f] = sho_parse_u64n(s, len, UINT64_MAX, f, &v[f]) == 0;
    }
    for (f = 0; f < FLAG_SETS; f++) {
        for (g = 0; g < FLAG_SETS; g++) {
            /* g holds every flag of f: it accepts what f accepts, with the same value */
            if ((g & f) == f && ok[f] && (!ok[g] || v[g] != v[f])) {
                fuzz_fail("'%.*s' parses as %" PRIu64 " with flags %u but not so with flags %u",
                          (int)len, s, v[f], f, g);
            }
        }
    }
    if (ok[0]) {
        check_decimal(s, len, v[0]);
    }
    if (ok[all] && (sho_parse_u64n(s, len, v[all], all, &w) != 0 ||
                    (v[all] > 0 && sho_parse_u64n(s, len, v[all] - 1, all, &w) == 0))) {
        fuzz_fail("'%.*s' (%" PRIu64 ") is not accepted exactly up to max", (int)len, s, v[all]);
    }
}

static void check_terminated(const char *copy, size_t len, const char *s)
{
    uint64_t a = 0, b = 0;
    unsigned f;

    if (strlen(copy) != len) {
        return; /* a NUL inside: the two functions see different text */
    }
    for (f = 0; f < FLAG_SETS; f++) {
        int ra = sho_parse_u64(copy, UINT64_MAX, f, &a);
        int rb = sho_parse_u64n(s, len, UINT64_MAX, f, &b);
        if (ra != rb || (ra == 0 && a != b)) {
            fuzz_fail("sho_parse_u64 and sho_parse_u64n disagree on '%s' with flags %u", copy, f);
        }
    }
}

static void exercise_access(const char *copy, uint64_t mask)
{
    volatile uint64_t keep = access_list_mask(copy);

    keep |= access_mask_actions(access_object_kind(copy), mask);
    keep |= access_mask_actions(ACCESS_OBJ_FILE, mask);
    keep |= access_mask_actions(ACCESS_OBJ_KEY, mask);
    keep |= access_mask_actions(ACCESS_OBJ_OTHER, mask);
    (void)keep;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *copy = sho_xstrndup(s, size);
    uint64_t first = size >= 8 ? sho_le64(data) : 0;
    uint64_t second = size >= 16 ? sho_le64(data + 8) : 0;

    check_iso_text(s, size);
    check_filetime(first);
    check_days(second);
    check_numbers(s, size);
    check_terminated(copy, size, s);
    exercise_access(copy, first);
    free(copy);
    return 0;
}
