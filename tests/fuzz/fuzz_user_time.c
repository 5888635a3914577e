/*
 * Fuzz target: the times and zones people type (query/query_time.c:
 * sho_tz_parse for --tz and the policy's zone, sho_time_parse_user for
 * --since / --until). The input's first line is the zone, the rest the time
 * (NUL-terminated copies, as on a command line). Contracts checked beyond
 * sanitizer reports:
 *   - a time is accepted as a --since (START) exactly when it is accepted as
 *     an --until (END), and END is never before START;
 *   - a relative time (-7d) is never after `now`, and is exactly that many
 *     units before it (no overflow into a time in the future or the past);
 *   - a rejected zone or time says so in one line;
 *   - an accepted time formats in the zone without overflow.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "shoseki/query.h"

#define FUZZ_NOW 133500000000000000ULL /* 2024-01-20, a fixed "now" */
#define ZONE_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one_line(const struct sho_err *err, const char *what)
{
    if (err->msg[0] == '\0' || strchr(err->msg, '\n') != NULL) {
        fuzz_fail("%s rejected without a one-line reason: '%s'", what, err->msg);
    }
}

/* "-<digits><unit>": the offset it must give, or 0 when it is not of that form. */
static int relative_ticks(const char *s, uint64_t *ticks)
{
    static const char units[] = "mhdw";
    static const uint64_t secs[] = { 60, 3600, 86400, 7 * 86400 };
    size_t len = strlen(s);
    const char *u = len >= 3 ? strchr(units, s[len - 1]) : NULL;
    uint64_t n;
    char *digits;
    int rc;

    if (s[0] != '-' || u == NULL || *u == '\0') {
        return 0;
    }
    digits = sho_xstrndup(s + 1, len - 2);
    rc = sho_parse_u64(digits, UINT64_MAX, 0, &n);
    free(digits);
    if (rc != 0 || __builtin_mul_overflow(n, secs[u - units] * SHO_TICKS_PER_SECOND, ticks)) {
        return 0;
    }
    return 1;
}

static void check_time(const char *text, const struct sho_tz *tz)
{
    struct sho_err e1, e2;
    uint64_t start = 0, end = 0, ticks = 0;
    char iso[SHO_TIME_ISO_MAX];
    int r1, r2;

    sho_err_clear(&e1);
    sho_err_clear(&e2);
    r1 = sho_time_parse_user(text, tz, FUZZ_NOW, SHO_TIME_START, &start, &e1);
    r2 = sho_time_parse_user(text, tz, FUZZ_NOW, SHO_TIME_END, &end, &e2);
    if ((r1 == 0) != (r2 == 0)) {
        fuzz_fail("time '%s' accepted as --since xor --until", text);
    }
    if (r1 != 0) {
        check_one_line(&e1, "time");
        return;
    }
    if (end < start) {
        fuzz_fail("time '%s': --until %" PRIu64 " before --since %" PRIu64, text, end, start);
    }
    if (text[0] == '-' && (!relative_ticks(text, &ticks) || start != FUZZ_NOW - ticks)) {
        fuzz_fail("relative time '%s' gives %" PRIu64 ", now is %" PRIu64, text, start,
                  (uint64_t)FUZZ_NOW);
    }
    if (sho_tz_format(tz, start, iso) == 0 || sho_tz_format(tz, end, iso) == 0) {
        fuzz_fail("time '%s' accepted but does not format", text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t zlen = nl != NULL ? (size_t)(nl - s) : 0;
    char *zone, *text;
    struct sho_tz tz;
    struct sho_err err;

    if (zlen > ZONE_MAX) {
        return 0;
    }
    zone = sho_xstrndup(s, zlen);
    text = sho_xstrndup(s + (nl != NULL ? zlen + 1 : 0), size - (nl != NULL ? zlen + 1 : 0));
    sho_err_clear(&err);
    /* "" is the machine's zone: read "UTC" instead, so runs do not depend on the machine. */
    if (sho_tz_parse(zone[0] != '\0' ? zone : "UTC", &tz, &err) != 0) {
        check_one_line(&err, "zone");
    } else {
        check_time(text, &tz);
        sho_tz_release(&tz);
    }
    free(zone);
    free(text);
    return 0;
}
