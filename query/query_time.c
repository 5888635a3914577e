/*
 * query_time: the times people type and read. Events are stored in UTC
 * (FILETIME); searches take times in a zone (--tz: the machine's local zone
 * by default, a fixed offset, or a zoneinfo name such as Asia/Tokyo) and
 * print every time with its offset, so a row read years later still says
 * exactly when. Zones are common/tzone.c's: the system's TZif files read
 * without global state, so the policy's zone and --tz can differ.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shoseki/query.h"

#define TICKS_PER_MINUTE ((int64_t)600000000)

int sho_tz_parse(const char *spec, struct sho_tz *tz, struct sho_err *err)
{
    struct sho_err why;
    int rc;

    memset(tz, 0, sizeof(*tz));
    if (spec == NULL || spec[0] == '\0' || strcmp(spec, "local") == 0) {
        return sho_tzone_load_local(&tz->zone, err);
    }
    if (strcmp(spec, "UTC") == 0 || strcmp(spec, "utc") == 0 || strcmp(spec, "Z") == 0) {
        tz->is_utc = true;
        return sho_tzone_load(&tz->zone, "UTC", err);
    }
    sho_err_clear(&why);
    rc = sho_tzone_load(&tz->zone, spec, &why);
    if (rc != 0) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1,
                           "unknown time zone '%s' (use e.g. Asia/Tokyo, +09:00 or UTC)", spec);
    }
    return 0;
}

void sho_tz_release(struct sho_tz *tz)
{
    sho_tzone_release(&tz->zone);
}

/* Seconds since the Unix epoch of a civil time taken as UTC. */
static int64_t ix_floor_secs(uint64_t ft)
{
    int64_t t = (int64_t)ft - (int64_t)SHO_FILETIME_UNIX_EPOCH;
    int64_t q = t / (int64_t)SHO_TICKS_PER_SECOND;

    return t % (int64_t)SHO_TICKS_PER_SECOND < 0 ? q - 1 : q;
}

static int64_t tz_civil_seconds(int64_t y, unsigned mo, unsigned d, int h, int mi, int s)
{
    return sho_time_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
}

int sho_tz_offset(const struct sho_tz *tz, uint64_t ft)
{
    int64_t secs = ix_floor_secs(ft);

    return sho_tzone_offset(&tz->zone, secs) / 60;
}

size_t sho_tz_format(const struct sho_tz *tz, uint64_t ft, char out[SHO_TIME_ISO_MAX])
{
    int off = sho_tz_offset(tz, ft);
    int64_t shifted = (int64_t)ft + (int64_t)off * TICKS_PER_MINUTE;
    size_t n;

    if (shifted < 0) {
        shifted = 0;
    }
    n = sho_time_format_iso((uint64_t)shifted, out);
    if (n == 0 || out[n - 1] != 'Z' || tz->is_utc) {
        return n;
    }
    n--; /* replace the Z */
    n += (size_t)snprintf(out + n, SHO_TIME_ISO_MAX - n, "%c%02d:%02d", off < 0 ? '-' : '+',
                          abs(off) / 60, abs(off) % 60);
    return n;
}

uint64_t sho_time_now(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return SHO_FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * SHO_TICKS_PER_SECOND +
           (uint64_t)ts.tv_nsec / 100;
}

/* FILETIME of civil time (y-mo-d h:mi:s) in `tz`. */
static int tz_to_utc(const struct sho_tz *tz, int64_t y, unsigned mo, unsigned d, int h, int mi,
                     int s, uint64_t *out)
{
    int64_t secs = sho_tzone_to_utc(&tz->zone, tz_civil_seconds(y, mo, d, h, mi, s));

    if (secs < -(int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND)) {
        return SHO_EINVAL;
    }
    *out = (uint64_t)((int64_t)SHO_FILETIME_UNIX_EPOCH + secs * (int64_t)SHO_TICKS_PER_SECOND);
    return 0;
}

/* The fields of a typed date and time. */
struct tp_fields {
    int y, mo, d, h, mi, sec, off; /* off: minutes east, when zoned */
    uint64_t frac;                 /* 100 ns ticks */
    bool date_only, zoned;
};

/* Read `n` digits at *p into *v and advance. */
static bool tp_num(const char **p, size_t n, int *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9') {
            return false;
        }
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return true;
}

/* Today's date in `tz` at `now`. */
static void tz_today(const struct sho_tz *tz, uint64_t now, int64_t *y, unsigned *mo, unsigned *d)
{
    int64_t local =
        ((int64_t)now - (int64_t)SHO_FILETIME_UNIX_EPOCH) / (int64_t)SHO_TICKS_PER_SECOND +
        (int64_t)sho_tz_offset(tz, now) * 60;

    sho_time_civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, y, mo, d);
}

static int tp_relative(const char *s, uint64_t now, uint64_t *out)
{
    uint64_t n, unit;
    size_t len = strlen(s);
    char *digits;
    int rc;

    if (len < 3 || s[0] != '-') {
        return SHO_EINVAL;
    }
    switch (s[len - 1]) {
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = (uint64_t)7 * 86400;
        break;
    default:
        return SHO_EINVAL;
    }
    digits = sho_xstrdup(s + 1);
    digits[len - 2] = '\0';
    rc = sho_parse_u64(digits, 100000000, 0, &n);
    free(digits);
    /* compared by division: n * unit in ticks can pass 2^64 and wrap to a small value */
    if (rc != 0 || n > now / (unit * SHO_TICKS_PER_SECOND)) {
        return SHO_EINVAL;
    }
    *out = now - n * unit * SHO_TICKS_PER_SECOND;
    return 0;
}

/* The date and optional time of `s` (the ISO form); *zoned when it names its zone. */
static int tp_iso(const char *s, struct tp_fields *f)
{
    const char *p = s;

    if (!tp_num(&p, 4, &f->y) || *p++ != '-' || !tp_num(&p, 2, &f->mo) || *p++ != '-' ||
        !tp_num(&p, 2, &f->d)) {
        return SHO_EINVAL;
    }
    if (*p == '\0') {
        f->date_only = true;
        return 0;
    }
    if ((*p != 'T' && *p != ' ') || (p++, !tp_num(&p, 2, &f->h)) || *p++ != ':' ||
        !tp_num(&p, 2, &f->mi)) {
        return SHO_EINVAL;
    }
    if (*p == ':') {
        p++;
        if (!tp_num(&p, 2, &f->sec)) {
            return SHO_EINVAL;
        }
        if (*p == '.' || *p == ',') {
            uint64_t scale = SHO_TICKS_PER_SECOND / 10;
            p++;
            if (*p < '0' || *p > '9') {
                return SHO_EINVAL;
            }
            for (; *p >= '0' && *p <= '9'; p++) {
                f->frac += (uint64_t)(*p - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (*p == 'Z') {
        f->zoned = true;
        p++;
    } else if (*p == '+' || *p == '-') {
        struct sho_tzone z;
        if (sho_tzone_load(&z, p, NULL) != 0) {
            return SHO_EINVAL;
        }
        f->off = z.fixed / 60;
        sho_tzone_release(&z);
        f->zoned = true;
        p += strlen(p);
    }
    return *p == '\0' ? 0 : SHO_EINVAL;
}

/* today / yesterday: midnight in `tz` (the next midnight as an END edge). */
static int tp_day_word(const char *s, const struct sho_tz *tz, uint64_t now,
                       enum sho_time_edge edge, uint64_t *out)
{
    int64_t yy;
    unsigned umo, ud;
    uint64_t ft = 0;
    int rc;

    tz_today(tz, now, &yy, &umo, &ud);
    rc = tz_to_utc(tz, yy, umo, ud, 0, 0, 0, &ft);
    if (rc == 0 && s[0] == 'y') {
        ft -= 86400 * SHO_TICKS_PER_SECOND; /* close enough across a DST change: see docs */
    }
    if (rc == 0 && edge == SHO_TIME_END) {
        ft += 86400 * SHO_TICKS_PER_SECOND;
    }
    *out = ft;
    return rc;
}

int sho_time_parse_user(const char *s, const struct sho_tz *tz, uint64_t now,
                        enum sho_time_edge edge, uint64_t *out, struct sho_err *err)
{
    struct tp_fields f;
    int64_t yy;
    unsigned umo, ud;
    uint64_t ft = 0;
    int rc;

    if (strcmp(s, "now") == 0) {
        *out = now;
        return 0;
    }
    if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
        rc = tp_day_word(s, tz, now, edge, out);
        return rc == 0 ? 0 : sho_err_set(err, SHO_EINVAL, NULL, -1, "cannot use time '%s'", s);
    }
    if (s[0] == '-') {
        if (tp_relative(s, now, out) == 0) {
            return 0;
        }
        return sho_err_set(err, SHO_EINVAL, NULL, -1,
                           "'%s' is not a time (relative times look like -7d, -12h, -30m, -2w)", s);
    }
    memset(&f, 0, sizeof(f));
    if (tp_iso(s, &f) != 0 || f.mo < 1 || f.mo > 12 || f.d < 1 || f.d > 31 || f.h > 23 ||
        f.mi > 59 || f.sec > 60) {
        goto bad;
    }
    sho_time_civil_from_days(sho_time_days_from_civil(f.y, (unsigned)f.mo, (unsigned)f.d), &yy,
                             &umo, &ud);
    if (umo != (unsigned)f.mo || ud != (unsigned)f.d) {
        goto bad; /* 2023-02-29 */
    }
    if (f.zoned) {
        struct sho_tz fixed;
        memset(&fixed, 0, sizeof(fixed));
        fixed.zone.fixed = f.off * 60;
        rc = tz_to_utc(&fixed, f.y, (unsigned)f.mo, (unsigned)f.d, f.h, f.mi, f.sec, &ft);
    } else {
        rc = tz_to_utc(tz, f.y, (unsigned)f.mo, (unsigned)f.d, f.h, f.mi, f.sec, &ft);
    }
    if (rc == 0 && f.date_only && edge == SHO_TIME_END) {
        /* the end of that day: the next day's first instant */
        sho_time_civil_from_days(sho_time_days_from_civil(f.y, (unsigned)f.mo, (unsigned)f.d) + 1,
                                 &yy, &umo, &ud);
        rc = tz_to_utc(tz, yy, umo, ud, 0, 0, 0, &ft);
    }
    if (rc != 0) {
        goto bad;
    }
    *out = ft + f.frac;
    return 0;
bad:
    return sho_err_set(err, SHO_EINVAL, NULL, -1,
                       "'%s' is not a time (use 2024-05-01, 2024-05-01T09:30, today, yesterday "
                       "or -7d)",
                       s);
}
