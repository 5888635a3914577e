/*
 * time: FILETIME (100 ns ticks since 1601-01-01 UTC, the unit EVTX stores) to
 * and from ISO 8601 text. Calendar arithmetic is done here, without gmtime()
 * (banned: hidden static state, and it drops the 100 ns remainder). The civil
 * date algorithms are Howard Hinnant's public-domain "days from civil".
 */
#include <stdbool.h>
#include <stdio.h>

#include "shoseki/common.h"

#define SECONDS_PER_DAY 86400
#define MAX_YEAR        9999

int64_t sho_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    int64_t yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void sho_time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    unsigned dd = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    unsigned mm = (unsigned)(mp < 10 ? mp + 3 : mp - 9);

    *y = yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

static void time_put_digits(char *out, uint64_t v, size_t width)
{
    while (width-- > 0) {
        out[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

size_t sho_time_format_iso(uint64_t ft, char out[SHO_TIME_ISO_MAX])
{
    /* FILETIME 0 is 1601-01-01; shift to days since 1970 with signed math. */
    int64_t secs = (int64_t)(ft / SHO_TICKS_PER_SECOND) -
                   (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND);
    unsigned frac = (unsigned)(ft % SHO_TICKS_PER_SECOND);
    int64_t days =
        secs >= 0 ? secs / SECONDS_PER_DAY : (secs - (SECONDS_PER_DAY - 1)) / SECONDS_PER_DAY;
    int64_t sod = secs - days * SECONDS_PER_DAY;
    int64_t y;
    unsigned m, d;
    int n;

    sho_time_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        n = snprintf(out, SHO_TIME_ISO_MAX, "%04lld-%02u-%02uT%02u:%02u:%02u.%07uZ", (long long)y,
                     m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
                     frac);
        return n > 0 ? (size_t)n : 0;
    }
    /* Every event's time goes through here: fixed-width digits without printf. */
    time_put_digits(out, (uint64_t)y, 4);
    out[4] = '-';
    time_put_digits(out + 5, m, 2);
    out[7] = '-';
    time_put_digits(out + 8, d, 2);
    out[10] = 'T';
    time_put_digits(out + 11, (uint64_t)(sod / 3600), 2);
    out[13] = ':';
    time_put_digits(out + 14, (uint64_t)(sod / 60 % 60), 2);
    out[16] = ':';
    time_put_digits(out + 17, (uint64_t)(sod % 60), 2);
    out[19] = '.';
    time_put_digits(out + 20, frac, 7);
    out[27] = 'Z';
    out[28] = '\0';
    return 28;
}

static int64_t time_month_days(int64_t y, int64_t m)
{
    static const int64_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Read exactly `count` digits at s[*pos]; advance. Returns -1 when not digits. */
static int64_t time_digits(const char *s, size_t len, size_t *pos, unsigned count)
{
    int64_t v = 0;
    unsigned i;

    if (*pos + count > len) {
        return -1;
    }
    for (i = 0; i < count; i++) {
        char c = s[*pos + i];
        if (c < '0' || c > '9') {
            return -1;
        }
        v = v * 10 + (c - '0');
    }
    *pos += count;
    return v;
}

static int time_expect(const char *s, size_t len, size_t *pos, const char *set)
{
    if (*pos >= len) {
        return -1;
    }
    for (; *set != '\0'; set++) {
        if (s[*pos] == *set) {
            (*pos)++;
            return 0;
        }
    }
    return -1;
}

/* Parse ".fffffffff" into 100 ns ticks; digits past the 7th are dropped. */
static uint64_t time_fraction(const char *s, size_t len, size_t *pos)
{
    uint64_t ticks = 0;
    unsigned digits = 0;

    while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
        if (digits < 7) {
            ticks = ticks * 10 + (uint64_t)(s[*pos] - '0');
        }
        digits++;
        (*pos)++;
    }
    for (; digits < 7; digits++) {
        ticks *= 10;
    }
    return ticks;
}

/* Parse "Z", "+hh:mm", "+hhmm" or nothing; returns the offset in seconds or INT64_MIN. */
static int64_t time_zone(const char *s, size_t len, size_t *pos)
{
    int sign;
    int64_t hh, mm;

    if (*pos == len) {
        return 0;
    }
    if (s[*pos] == 'Z' || s[*pos] == 'z') {
        (*pos)++;
        return 0;
    }
    if (s[*pos] != '+' && s[*pos] != '-') {
        return INT64_MIN;
    }
    sign = s[*pos] == '-' ? -1 : 1;
    (*pos)++;
    hh = time_digits(s, len, pos, 2);
    if (*pos < len && s[*pos] == ':') {
        (*pos)++;
    }
    mm = time_digits(s, len, pos, 2);
    if (hh < 0 || mm < 0 || hh > 23 || mm > 59) {
        return INT64_MIN;
    }
    return sign * (hh * 3600 + mm * 60);
}

int sho_time_parse_iso(const char *s, size_t len, uint64_t *ft)
{
    size_t pos = 0;
    int64_t y, mo, d, h, mi, se, zone, secs;
    uint64_t frac = 0;

    y = time_digits(s, len, &pos, 4);
    if (y < 1601 || y > MAX_YEAR || time_expect(s, len, &pos, "-") != 0) {
        return SHO_EINVAL;
    }
    mo = time_digits(s, len, &pos, 2);
    if (mo < 1 || mo > 12 || time_expect(s, len, &pos, "-") != 0) {
        return SHO_EINVAL;
    }
    d = time_digits(s, len, &pos, 2);
    if (d < 1 || d > time_month_days(y, mo) || time_expect(s, len, &pos, "Tt ") != 0) {
        return SHO_EINVAL;
    }
    h = time_digits(s, len, &pos, 2);
    if (h < 0 || h > 23 || time_expect(s, len, &pos, ":") != 0) {
        return SHO_EINVAL;
    }
    mi = time_digits(s, len, &pos, 2);
    if (mi < 0 || mi > 59 || time_expect(s, len, &pos, ":") != 0) {
        return SHO_EINVAL;
    }
    se = time_digits(s, len, &pos, 2);
    if (se < 0 || se > 60) {
        return SHO_EINVAL;
    }
    if (pos < len && (s[pos] == '.' || s[pos] == ',')) {
        pos++;
        frac = time_fraction(s, len, &pos);
    }
    zone = time_zone(s, len, &pos);
    if (zone == INT64_MIN || pos != len) {
        return SHO_EINVAL;
    }
    secs = sho_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * SECONDS_PER_DAY + h * 3600 +
           mi * 60 + se - zone;
    /* An offset or a leap second can carry 9999-12-31 into year 10000: out of range too. */
    if (secs >= sho_time_days_from_civil(MAX_YEAR + 1, 1, 1) * SECONDS_PER_DAY) {
        return SHO_EINVAL;
    }
    secs += (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND);
    if (secs < 0) {
        return SHO_EINVAL;
    }
    *ft = (uint64_t)secs * SHO_TICKS_PER_SECOND + frac;
    return 0;
}
