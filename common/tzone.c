/*
 * tzone: time zones without global state: UTC, fixed offsets and TZif files
 * (RFC 8536), for local times logged without a zone (text sources) and for
 * the times people type and read (--tz). Only what converting wall-clock times needs is read: the
 * transition times and the UT offset of the type each one switches to (the
 * version 2+ 64-bit block when the file has one). Times past the last
 * transition keep its offset (Debian's "fat" files list transitions to 2037).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoseki/common.h"

#define TZIF_HEADER   44
#define TZIF_FILE_MAX ((size_t)256 * 1024)
#define TZ_MAX_OFFSET (26 * 3600)

static uint32_t tz_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int64_t tz_be64(const uint8_t *p)
{
    return (int64_t)(((uint64_t)tz_be32(p) << 32) | tz_be32(p + 4));
}

/* "+09:00", "+0900", "+09", "-05:30", "UTC", "Z". Returns 1 parsed, 0 not an offset. */
static int tz_fixed(const char *s, int32_t *out)
{
    size_t n = strlen(s);
    unsigned h, m = 0;

    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcmp(s, "GMT") == 0) {
        *out = 0;
        return 1;
    }
    if ((s[0] != '+' && s[0] != '-') || n < 3) {
        return 0;
    }
    if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9')) {
        return 0;
    }
    h = (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
    if (n == 6 && s[3] == ':' && s[4] >= '0' && s[4] <= '5' && s[5] >= '0' && s[5] <= '9') {
        m = (unsigned)(s[4] - '0') * 10 + (unsigned)(s[5] - '0');
    } else if (n == 5 && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9') {
        m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
    } else if (n != 3) {
        return 0;
    }
    if (h > 23) {
        return 0;
    }
    *out = (int32_t)(h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
    return 1;
}

/* Parse the TZif bytes `p` (`len`). Returns 0 or SHO_ECORRUPT. Beyond the sizes, the values
 * used are checked as RFC 8536 asks: transition times ascending, UT offsets within 26 hours
 * (the RFC allows -89999..93599 s), so nothing downstream formats or adds an absurd offset. */
int sho_tzone_parse(struct sho_tzone *z, const uint8_t *p, size_t len)
{
    size_t isut, isstd, leap, timecnt, typecnt, charcnt, body, i, tsize = 4;

    z->at = NULL;
    z->offset = NULL;
    z->count = 0;

    if (len < TZIF_HEADER || memcmp(p, "TZif", 4) != 0) {
        return SHO_ECORRUPT;
    }
    for (;;) {
        isut = tz_be32(p + 20);
        isstd = tz_be32(p + 24);
        leap = tz_be32(p + 28);
        timecnt = tz_be32(p + 32);
        typecnt = tz_be32(p + 36);
        charcnt = tz_be32(p + 40);
        if (timecnt > SHO_TZONE_MAX_TRANSITIONS || typecnt == 0 || typecnt > 256 || leap > 1000 ||
            isut > 256 || isstd > 256 || charcnt > 4096) {
            return SHO_ECORRUPT;
        }
        body =
            timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut;
        if (len - TZIF_HEADER < body) {
            return SHO_ECORRUPT;
        }
        if (tsize == 8 || p[4] < '2') {
            break;
        }
        p += TZIF_HEADER + body; /* skip the 32-bit block; read the 64-bit one */
        len -= TZIF_HEADER + body;
        tsize = 8;
        if (len < TZIF_HEADER || memcmp(p, "TZif", 4) != 0) {
            return SHO_ECORRUPT;
        }
    }
    {
        const uint8_t *times = p + TZIF_HEADER, *idx = times + timecnt * tsize;
        const uint8_t *types = idx + timecnt;
        z->at = sho_xcalloc(timecnt + 1, sizeof(*z->at));
        z->offset = sho_xcalloc(timecnt + 1, sizeof(*z->offset));
        for (i = 0; i < typecnt; i++) {
            int32_t off = (int32_t)tz_be32(types + (size_t)6 * i);
            if (off < -TZ_MAX_OFFSET || off > TZ_MAX_OFFSET) {
                return SHO_ECORRUPT;
            }
        }
        for (i = 0; i < timecnt; i++) {
            if (idx[i] >= typecnt) {
                return SHO_ECORRUPT;
            }
            z->at[i] = tsize == 8 ? tz_be64(times + (size_t)8 * i)
                                  : (int32_t)tz_be32(times + (size_t)4 * i);
            if (i > 0 && z->at[i] <= z->at[i - 1]) {
                return SHO_ECORRUPT;
            }
            z->offset[i] = (int32_t)tz_be32(types + (size_t)6 * idx[i]);
        }
        z->count = timecnt;
        z->before = (int32_t)tz_be32(types);
    }
    return 0;
}

static int tz_file(struct sho_tzone *z, const char *name, struct sho_err *err)
{
    const char *dir = getenv("TZDIR"); /* NOLINT(concurrency-mt-unsafe): read once at start */
    char path[1024], etext[128];
    uint8_t *buf;
    size_t n;
    FILE *f;
    int rc;

    if (strstr(name, "..") != NULL || name[0] == '/' || strlen(name) > 200) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "unknown time zone '%s'", name);
    }
    (void)snprintf(path, sizeof(path), "%s/%s",
                   dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo", name);
    f = fopen(path, "rb");
    if (f == NULL) {
        return sho_err_set(err, SHO_EINVAL, path, -1, "unknown time zone '%s': %s", name,
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    buf = sho_xmalloc(TZIF_FILE_MAX);
    n = fread(buf, 1, TZIF_FILE_MAX, f);
    (void)fclose(f);
    rc = sho_tzone_parse(z, buf, n);
    free(buf);
    if (rc != 0) {
        sho_tzone_release(z);
        return sho_err_set(err, SHO_EINVAL, path, -1, "time zone '%s': not a TZif file", name);
    }
    return 0;
}

int sho_tzone_load(struct sho_tzone *z, const char *spec, struct sho_err *err)
{
    memset(z, 0, sizeof(*z));
    if (spec == NULL || spec[0] == '\0') {
        sho_str_copy(z->name, sizeof(z->name), "UTC");
        return 0;
    }
    sho_str_copy(z->name, sizeof(z->name), spec);
    if (tz_fixed(spec, &z->fixed)) {
        return 0;
    }
    if (spec[0] == '+' || spec[0] == '-') {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "bad time zone offset '%s' (want +hh:mm)",
                           spec);
    }
    return tz_file(z, spec, err);
}

int sho_tzone_load_local(struct sho_tzone *z, struct sho_err *err)
{
    const char *tz = getenv("TZ"); /* NOLINT(concurrency-mt-unsafe): read once at start */
    uint8_t *buf;
    size_t n;
    FILE *f;
    int rc;

    if (tz != NULL && tz[0] != '\0') {
        return sho_tzone_load(z, tz[0] == ':' ? tz + 1 : tz, err);
    }
    memset(z, 0, sizeof(*z));
    sho_str_copy(z->name, sizeof(z->name), "local");
    f = fopen("/etc/localtime", "rb");
    if (f == NULL) {
        return 0; /* no local zone configured: UTC, as the C library does */
    }
    buf = sho_xmalloc(TZIF_FILE_MAX);
    n = fread(buf, 1, TZIF_FILE_MAX, f);
    (void)fclose(f);
    rc = sho_tzone_parse(z, buf, n);
    free(buf);
    if (rc != 0) {
        sho_tzone_release(z);
        return sho_err_set(err, SHO_EINVAL, "/etc/localtime", -1, "not a TZif file");
    }
    return 0;
}

void sho_tzone_release(struct sho_tzone *z)
{
    free(z->at);
    free(z->offset);
    z->at = NULL;
    z->offset = NULL;
    z->count = 0;
}

int32_t sho_tzone_offset(const struct sho_tzone *z, int64_t t)
{
    size_t lo = 0, hi = z->count;

    if (z->count == 0) {
        return z->at == NULL ? z->fixed : z->before;
    }
    if (t < z->at[0]) {
        return z->before;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= t) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return z->offset[lo];
}

int64_t sho_tzone_to_utc(const struct sho_tzone *z, int64_t local)
{
    int32_t o1 = sho_tzone_offset(z, local);
    int32_t o2 = sho_tzone_offset(z, local - o1);

    if (o1 < -TZ_MAX_OFFSET || o1 > TZ_MAX_OFFSET || o2 < -TZ_MAX_OFFSET || o2 > TZ_MAX_OFFSET) {
        return local;
    }
    return local - o2;
}
