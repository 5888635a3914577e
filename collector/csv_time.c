/*
 * csv_time: the time formats of CSV exports. Tools write times as ISO 8601,
 * as local wall-clock text in their own layout ("2025/01/15 9:00:01",
 * "1/15/2025 9:00:01 AM": PowerShell writes the exporting machine's culture),
 * or as numbers (Unix seconds or milliseconds, Windows FILETIME). A pattern
 * is checked once, when the map is read; each cell is then matched against
 * it. Numeric directives take one digit up to their width (cultures drop
 * leading zeros); a blank in the pattern matches one or more blanks. A time
 * without a zone (%z) is in the map's zone, else --tz.
 */
#include <string.h>

#include "csv_map.h"

#define CSV_YEAR_MIN 1601
#define CSV_YEAR_MAX 9999

static const char *const month_names[12] = { "jan", "feb", "mar", "apr", "may", "jun",
                                             "jul", "aug", "sep", "oct", "nov", "dec" };

int csv_time_compile(struct csv_time *t, const char *spec, char *why, size_t why_len)
{
    static const char allowed[] = "YmdHIMSfpbzT%";
    unsigned seen = 0;
    const char *p;

    memset(t, 0, sizeof(*t));
    if (strcmp(spec, "iso8601") == 0) {
        t->kind = CSV_TIME_ISO;
        return 0;
    }
    if (strcmp(spec, "epoch") == 0 || strcmp(spec, "epoch-ms") == 0 ||
        strcmp(spec, "filetime") == 0) {
        t->kind = spec[0] == 'f'    ? CSV_TIME_FILETIME
                  : spec[5] == '\0' ? CSV_TIME_EPOCH
                                    : CSV_TIME_EPOCH_MS;
        return 0;
    }
    if (strlen(spec) >= sizeof(t->pattern)) {
        (void)sho_str_copy(why, why_len, "time pattern longer than 127 bytes");
        return SHO_EINVAL;
    }
    for (p = spec; *p != '\0'; p++) {
        const char *d;
        if (*p != '%') {
            continue;
        }
        d = p[1] != '\0' ? strchr(allowed, p[1]) : NULL;
        if (d == NULL) {
            (void)sho_str_copy(why, why_len,
                               "unknown directive in time pattern (%Y %m %d %H %I %M %S %f %p "
                               "%b %z %T %%, or iso8601, epoch, epoch-ms, filetime)");
            return SHO_EINVAL;
        }
        seen |= 1u << (d - allowed);
        seen |= p[1] == 'T' ? 1u << 3 : 0; /* %T holds %H */
        seen |= p[1] == 'b' ? 1u << 1 : 0; /* %b is the month */
        seen |= p[1] == 'I' ? 1u << 3 : 0;
        p++;
    }
    if ((seen & 0x0F) != 0x0F) {
        (void)sho_str_copy(why, why_len,
                           "time pattern needs the year (%Y), month (%m or %b), day (%d) "
                           "and hour (%H, %I or %T)");
        return SHO_EINVAL;
    }
    t->kind = CSV_TIME_PATTERN;
    memcpy(t->pattern, spec, strlen(spec) + 1);
    return 0;
}

/* Up to `width` digits at *s (at least one). Returns 1 and advances, or 0. */
static int tm_num(const char **s, unsigned width, unsigned *out)
{
    unsigned v = 0, n = 0;

    while (n < width && (*s)[n] >= '0' && (*s)[n] <= '9') {
        v = v * 10 + (unsigned)((*s)[n] - '0');
        n++;
    }
    *s += n;
    *out = v;
    return n > 0;
}

struct tm_parts {
    unsigned year, month, day, hour, minute, second, ticks;
    int pm;         /* -1 no %p, 0 AM, 1 PM */
    bool has_zone;  /* %z matched */
    int32_t offset; /* seconds east of UTC, with has_zone */
};

/* %z: "Z", "+09:00", "+0900", "+09". Returns 1 and advances, or 0. */
static int tm_zone(const char **s, struct tm_parts *t)
{
    const char *p = *s;
    unsigned h, m = 0;
    int sign;

    if (*p == 'Z') {
        *s = p + 1;
        t->has_zone = true;
        t->offset = 0;
        return 1;
    }
    if (*p != '+' && *p != '-') {
        return 0;
    }
    sign = *p == '-' ? -1 : 1;
    p++;
    if (!tm_num(&p, 2, &h) || h > 23) {
        return 0;
    }
    p += *p == ':';
    if (*p >= '0' && *p <= '9' && (!tm_num(&p, 2, &m) || m > 59)) {
        return 0;
    }
    *s = p;
    t->has_zone = true;
    t->offset = sign * (int32_t)(h * 3600 + m * 60);
    return 1;
}

/* The fraction of a second: 1 to 9 digits, kept to 7. */
static int tm_fraction(const char **s, unsigned *ticks)
{
    unsigned n = 0, v = 0;

    while ((*s)[0] >= '0' && (*s)[0] <= '9') {
        if (n < 7) {
            v = v * 10 + (unsigned)((*s)[0] - '0');
        }
        n++;
        (*s)++;
    }
    for (; n < 7; n++) {
        v *= 10;
    }
    *ticks = v;
    return n > 0 && n <= 9;
}

/* Does `s` start with ASCII `word`, in any case? */
static bool tm_word(const char *s, const char *word)
{
    for (; *word != '\0'; s++, word++) {
        int c = *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s;
        if (c != *word) {
            return false;
        }
    }
    return true;
}

/* %p (AM/PM) or %b (month abbreviation). */
static int tm_text(const char **s, char d, struct tm_parts *t)
{
    unsigned i;

    if (d == 'p') {
        if (!tm_word(*s, "am") && !tm_word(*s, "pm")) {
            return 0;
        }
        t->pm = tm_word(*s, "pm");
        *s += 2;
        return 1;
    }
    for (i = 0; i < 12; i++) {
        if (tm_word(*s, month_names[i])) {
            t->month = i + 1;
            *s += 3;
            return 1;
        }
    }
    return 0;
}

/* One directive `d` at *s. Returns 1 matched, 0 not. */
static int tm_directive(const char **s, char d, struct tm_parts *t)
{
    switch (d) {
    case 'Y':
        return tm_num(s, 4, &t->year);
    case 'm':
        return tm_num(s, 2, &t->month);
    case 'd':
        return tm_num(s, 2, &t->day);
    case 'H':
    case 'I':
        return tm_num(s, 2, &t->hour);
    case 'M':
        return tm_num(s, 2, &t->minute);
    case 'S':
        return tm_num(s, 2, &t->second);
    case 'f':
        return tm_fraction(s, &t->ticks);
    case 'z':
        return tm_zone(s, t);
    case 'T':
        return tm_num(s, 2, &t->hour) && *(*s)++ == ':' && tm_num(s, 2, &t->minute) &&
               *(*s)++ == ':' && tm_num(s, 2, &t->second);
    case '%':
        return *(*s)++ == '%';
    default:
        return tm_text(s, d, t);
    }
}

static int tm_match(const char *pat, const char *s, struct tm_parts *t)
{
    while (*pat != '\0') {
        if (*pat == '%') {
            if (!tm_directive(&s, pat[1], t)) {
                return 0;
            }
            pat += 2;
        } else if (*pat == ' ') {
            if (*s != ' ' && *s != '\t') {
                return 0;
            }
            while (*s == ' ' || *s == '\t') {
                s++;
            }
            while (*pat == ' ') {
                pat++;
            }
        } else if (*pat++ != *s++) {
            return 0;
        }
    }
    return *s == '\0';
}

/* Wall-clock parts to FILETIME, in their own zone or `zone`. */
static int tm_to_filetime(struct tm_parts *t, const struct sho_tzone *zone, uint64_t *ft)
{
    int64_t y;
    unsigned m, d;
    int64_t secs;

    if (t->pm >= 0) {
        if (t->hour < 1 || t->hour > 12) {
            return SHO_EINVAL;
        }
        t->hour = t->hour % 12 + (t->pm ? 12 : 0);
    }
    if (t->year < CSV_YEAR_MIN || t->year > CSV_YEAR_MAX || t->month < 1 || t->month > 12 ||
        t->day < 1 || t->hour > 23 || t->minute > 59 || t->second > 60) {
        return SHO_EINVAL;
    }
    sho_time_civil_from_days(sho_time_days_from_civil(t->year, t->month, t->day), &y, &m, &d);
    if (m != t->month || d != t->day) {
        return SHO_EINVAL;
    }
    secs = sho_time_days_from_civil(t->year, t->month, t->day) * 86400 + (int64_t)t->hour * 3600 +
           (int64_t)t->minute * 60 + t->second;
    secs = t->has_zone ? secs - t->offset : sho_tzone_to_utc(zone, secs);
    if (secs < -(int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND)) {
        return SHO_EINVAL;
    }
    *ft = (uint64_t)(secs + (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND)) *
              SHO_TICKS_PER_SECOND +
          t->ticks;
    return 0;
}

/* ISO 8601; a time without a zone is in `zone`. */
static int tm_iso(const struct sho_tzone *zone, const char *s, uint64_t *ft)
{
    size_t n = strlen(s);
    const char *tail = n > 19 ? s + 19 : s + n;
    uint64_t t;
    int64_t secs, epoch = (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND);

    if (sho_time_parse_iso(s, n, &t) != 0) {
        return SHO_EINVAL;
    }
    if (strpbrk(tail, "Z+-") != NULL) {
        *ft = t;
        return 0;
    }
    secs = (int64_t)(t / SHO_TICKS_PER_SECOND) - epoch;
    secs = sho_tzone_to_utc(zone, secs);
    if (secs < -epoch) {
        return SHO_EINVAL;
    }
    *ft = (uint64_t)(secs + epoch) * SHO_TICKS_PER_SECOND + t % SHO_TICKS_PER_SECOND;
    return 0;
}

static int tm_number(enum csv_time_kind kind, const char *s, uint64_t *ft)
{
    const uint64_t epoch = SHO_FILETIME_UNIX_EPOCH;
    const uint64_t max = UINT64_C(2650467743999999999); /* 9999-12-31 as FILETIME */
    const char *dot = kind == CSV_TIME_EPOCH ? strchr(s, '.') : NULL;
    uint64_t v, ticks = 0;
    unsigned frac;

    if (sho_parse_u64n(s, dot != NULL ? (size_t)(dot - s) : strlen(s), max, 0, &v) != 0) {
        return SHO_EINVAL;
    }
    if (dot != NULL) {
        const char *p = dot + 1;
        if (!tm_fraction(&p, &frac) || *p != '\0') {
            return SHO_EINVAL;
        }
        ticks = frac;
    }
    switch (kind) {
    case CSV_TIME_EPOCH:
        if (v > (max - epoch) / SHO_TICKS_PER_SECOND) {
            return SHO_EINVAL;
        }
        *ft = epoch + v * SHO_TICKS_PER_SECOND + ticks;
        return 0;
    case CSV_TIME_EPOCH_MS:
        if (v > (max - epoch) / 10000) {
            return SHO_EINVAL;
        }
        *ft = epoch + v * 10000;
        return 0;
    default:
        *ft = v;
        return 0;
    }
}

int csv_time_parse(const struct csv_time *t, const struct sho_tzone *zone, const char *s,
                   uint64_t *ft)
{
    struct tm_parts parts;

    switch (t->kind) {
    case CSV_TIME_ISO:
        return tm_iso(zone, s, ft);
    case CSV_TIME_PATTERN:
        memset(&parts, 0, sizeof(parts));
        parts.pm = -1;
        if (!tm_match(t->pattern, s, &parts)) {
            return SHO_EINVAL;
        }
        return tm_to_filetime(&parts, zone, ft);
    default:
        return tm_number(t->kind, s, ft);
    }
}
