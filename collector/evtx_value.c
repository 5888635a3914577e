/*
 * evtx_value: EVTX binary-XML values as text (see evtx_value.h). Formats
 * follow what libevtx 20181227 writes in its XML, checked record by record by
 * the differential test (tests/diff/decoder_compare.sh):
 *   integers in decimal; HexInt32/HexInt64 as 0x%08x / 0x%016x; SizeT as hex
 *   of its width; GUID as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}; SID as
 *   S-R-A-S...; FILETIME and SYSTEMTIME as ISO 8601 UTC with nine fractional
 *   digits; binary as upper-case hex; booleans as true/false; arrays as their
 *   elements joined by ", ".
 * Invariants: every read stays inside [p, p + len); nothing allocates except
 * through the caller's bounded buffer.
 */
#include "evtx_value.h"

#include <stdio.h>
#include <string.h>

#define FILETIME_PER_DAY   864000000000ULL /* 100 ns ticks */
#define DAYS_1601_TO_1970  134774
#define SID_MAX_SUBAUTH    15
#define VALUE_NUM_TEXT_MAX 64

static int put_utf8(struct sho_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;

    if (cp < 0x80) {
        return sho_buf_putc(out, (char)cp);
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return sho_buf_append(out, b, n);
}

int evtx_utf16_append(struct sho_buf *out, const uint8_t *p, size_t units)
{
    size_t i, ascii;
    int rc;

    /* Most event text is ASCII: copy runs of it without the general path. */
    for (i = 0; i < units;) {
        uint32_t u = sho_le16(p + 2 * i);
        if (u == 0) {
            return 0;
        }
        if (u < 0x80) {
            if (sho_buf_reserve(out, units - i) != 0) {
                return SHO_ELIMIT;
            }
            ascii = out->len;
            while (i < units && (u = sho_le16(p + 2 * i)) != 0 && u < 0x80) {
                out->data[ascii++] = (char)u;
                i++;
            }
            out->len = ascii;
            out->data[ascii] = '\0';
            continue;
        }
        i++;
        if (u >= 0xD800 && u < 0xDC00 && i < units) {
            uint32_t lo = sho_le16(p + 2 * i);
            if (lo >= 0xDC00 && lo < 0xE000) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                u = 0xFFFD;
            }
        } else if (u >= 0xD800 && u < 0xE000) {
            u = 0xFFFD;
        }
        rc = put_utf8(out, u);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int append_hex_bytes(struct sho_buf *out, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i;

    if (sho_buf_reserve(out, len * 2) != 0) {
        return SHO_ELIMIT;
    }
    for (i = 0; i < len; i++) {
        out->data[out->len++] = digits[p[i] >> 4];
        out->data[out->len++] = digits[p[i] & 0xF];
    }
    out->data[out->len] = '\0';
    return 0;
}

static int append_guid(struct sho_buf *out, const uint8_t *p)
{
    return sho_buf_appendf(out, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                           (unsigned)sho_le32(p), (unsigned)sho_le16(p + 4),
                           (unsigned)sho_le16(p + 6), p[8], p[9], p[10], p[11], p[12], p[13], p[14],
                           p[15]);
}

static int append_sid(struct sho_buf *out, const uint8_t *p, size_t len)
{
    uint64_t auth = 0;
    unsigned i, n;
    int rc;

    if (len < 8 || p[1] > SID_MAX_SUBAUTH || len < 8 + 4 * (size_t)p[1]) {
        return append_hex_bytes(out, p, len);
    }
    n = p[1];
    for (i = 0; i < 6; i++) {
        auth = (auth << 8) | p[2 + i];
    }
    rc = auth >> 32 ? sho_buf_appendf(out, "S-%u-0x%012llx", p[0], (unsigned long long)auth)
                    : sho_buf_appendf(out, "S-%u-%llu", p[0], (unsigned long long)auth);
    for (i = 0; rc == 0 && i < n; i++) {
        rc = sho_buf_appendf(out, "-%u", (unsigned)sho_le32(p + 8 + (size_t)4 * i));
    }
    return rc;
}

static int append_civil(struct sho_buf *out, int64_t days, uint64_t secs_of_day, uint64_t nanos)
{
    int64_t y;
    unsigned m, d;

    sho_time_civil_from_days(days, &y, &m, &d);
    return sho_buf_appendf(out, "%04lld-%02u-%02uT%02u:%02u:%02u.%09lluZ", (long long)y, m, d,
                           (unsigned)(secs_of_day / 3600), (unsigned)(secs_of_day / 60 % 60),
                           (unsigned)(secs_of_day % 60), (unsigned long long)nanos);
}

static int append_filetime(struct sho_buf *out, uint64_t ft)
{
    int64_t days = (int64_t)(ft / FILETIME_PER_DAY) - DAYS_1601_TO_1970;
    uint64_t rest = ft % FILETIME_PER_DAY;

    return append_civil(out, days, rest / 10000000ULL, rest % 10000000ULL * 100);
}

static int append_systime(struct sho_buf *out, const uint8_t *p)
{
    unsigned y = sho_le16(p), mo = sho_le16(p + 2), d = sho_le16(p + 6);

    return sho_buf_appendf(out, "%04u-%02u-%02uT%02u:%02u:%02u.%09uZ", y, mo, d,
                           (unsigned)sho_le16(p + 8), (unsigned)sho_le16(p + 10),
                           (unsigned)sho_le16(p + 12), (unsigned)sho_le16(p + 14) * 1000000u);
}

/* Size of one element of fixed-size `type`, 0 for variable-size types. */
static size_t value_fixed_size(uint8_t type)
{
    switch (type) {
    case EVTX_V_INT8:
    case EVTX_V_UINT8:
        return 1;
    case EVTX_V_INT16:
    case EVTX_V_UINT16:
        return 2;
    case EVTX_V_INT32:
    case EVTX_V_UINT32:
    case EVTX_V_REAL32:
    case EVTX_V_BOOL:
    case EVTX_V_HEX32:
        return 4;
    case EVTX_V_INT64:
    case EVTX_V_UINT64:
    case EVTX_V_REAL64:
    case EVTX_V_FILETIME:
    case EVTX_V_HEX64:
        return 8;
    case EVTX_V_GUID:
    case EVTX_V_SYSTIME:
        return 16;
    default:
        return 0;
    }
}

static int append_number(struct sho_buf *out, uint8_t type, const uint8_t *p, size_t len)
{
    char t[VALUE_NUM_TEXT_MAX];
    int n;

    switch (type) {
    case EVTX_V_INT8:
        n = snprintf(t, sizeof(t), "%d", (int)(int8_t)p[0]);
        break;
    case EVTX_V_UINT8:
        n = snprintf(t, sizeof(t), "%u", (unsigned)p[0]);
        break;
    case EVTX_V_INT16:
        n = snprintf(t, sizeof(t), "%d", (int)(int16_t)sho_le16(p));
        break;
    case EVTX_V_UINT16:
        n = snprintf(t, sizeof(t), "%u", (unsigned)sho_le16(p));
        break;
    case EVTX_V_INT32:
        n = snprintf(t, sizeof(t), "%ld", (long)(int32_t)sho_le32(p));
        break;
    case EVTX_V_UINT32:
        n = snprintf(t, sizeof(t), "%lu", (unsigned long)sho_le32(p));
        break;
    case EVTX_V_INT64:
        n = snprintf(t, sizeof(t), "%lld", (long long)(int64_t)sho_le64(p));
        break;
    case EVTX_V_UINT64:
        n = snprintf(t, sizeof(t), "%llu", (unsigned long long)sho_le64(p));
        break;
    case EVTX_V_HEX32:
        n = snprintf(t, sizeof(t), "0x%08lx", (unsigned long)sho_le32(p));
        break;
    case EVTX_V_HEX64:
        n = snprintf(t, sizeof(t), "0x%016llx", (unsigned long long)sho_le64(p));
        break;
    case EVTX_V_SIZET:
        n = len == 4 ? snprintf(t, sizeof(t), "0x%08lx", (unsigned long)sho_le32(p))
                     : snprintf(t, sizeof(t), "0x%016llx", (unsigned long long)sho_le64(p));
        break;
    case EVTX_V_BOOL:
        n = snprintf(t, sizeof(t), "%s", sho_le32(p) != 0 ? "true" : "false");
        break;
    default:
        return append_hex_bytes(out, p, len);
    }
    return sho_buf_append(out, t, n > 0 ? (size_t)n : 0);
}

static int append_real(struct sho_buf *out, uint8_t type, const uint8_t *p)
{
    uint64_t bits = type == EVTX_V_REAL32 ? sho_le32(p) : sho_le64(p);
    double v;

    if (type == EVTX_V_REAL32) {
        float f;
        uint32_t b32 = (uint32_t)bits;
        memcpy(&f, &b32, sizeof(f));
        v = f;
    } else {
        memcpy(&v, &bits, sizeof(v));
    }
    return sho_buf_appendf(out, "%.6e", v);
}

/* One element of a scalar type. `len` is its exact size for fixed-size types. */
static int append_scalar(struct sho_buf *out, uint8_t type, const uint8_t *p, size_t len)
{
    size_t fixed = value_fixed_size(type);

    if (fixed != 0 && len != fixed) {
        return append_hex_bytes(out, p, len);
    }
    switch (type) {
    case EVTX_V_NULL:
        return 0;
    case EVTX_V_STRING:
        return evtx_utf16_append(out, p, len / 2);
    case EVTX_V_ANSI: {
        const uint8_t *nul = memchr(p, 0, len);
        return sho_buf_append(out, p, nul != NULL ? (size_t)(nul - p) : len);
    }
    case EVTX_V_REAL32:
    case EVTX_V_REAL64:
        return append_real(out, type, p);
    case EVTX_V_GUID:
        return append_guid(out, p);
    case EVTX_V_FILETIME:
        return append_filetime(out, sho_le64(p));
    case EVTX_V_SYSTIME:
        return append_systime(out, p);
    case EVTX_V_SID:
        return append_sid(out, p, len);
    case EVTX_V_SIZET:
        if (len != 4 && len != 8) {
            return append_hex_bytes(out, p, len);
        }
        return append_number(out, type, p, len);
    default:
        return append_number(out, type, p, len);
    }
}

/* Arrays: strings are NUL-terminated back to back, other types fixed-size. */
static int append_array(struct sho_buf *out, uint8_t type, const uint8_t *p, size_t len)
{
    size_t fixed = value_fixed_size(type), at = 0, n;
    int rc = 0;

    if (type == EVTX_V_STRING) {
        while (rc == 0 && at + 2 <= len) {
            for (n = at; n + 2 <= len && sho_le16(p + n) != 0; n += 2) {
            }
            if (at != 0) {
                rc = sho_buf_append(out, ", ", 2);
            }
            if (rc == 0) {
                rc = evtx_utf16_append(out, p + at, (n - at) / 2);
            }
            at = n + 2;
        }
        return rc;
    }
    if (fixed == 0 || len % fixed != 0) {
        return append_hex_bytes(out, p, len);
    }
    for (; rc == 0 && at < len; at += fixed) {
        if (at != 0) {
            rc = sho_buf_append(out, ", ", 2);
        }
        if (rc == 0) {
            rc = append_scalar(out, type, p + at, fixed);
        }
    }
    return rc;
}

int evtx_value_append(struct sho_buf *out, uint8_t type, const uint8_t *p, size_t len)
{
    if (len == 0) {
        return 0;
    }
    if (type & EVTX_V_ARRAY) {
        return append_array(out, (uint8_t)(type & 0x7F), p, len);
    }
    if (type == EVTX_V_BINARY) {
        return append_hex_bytes(out, p, len);
    }
    return append_scalar(out, type, p, len);
}

int evtx_value_u64(uint8_t type, const uint8_t *p, size_t len, uint64_t *out)
{
    switch (type) {
    case EVTX_V_UINT8:
        if (len != 1) {
            return 0;
        }
        *out = p[0];
        return 1;
    case EVTX_V_UINT16:
        if (len != 2) {
            return 0;
        }
        *out = sho_le16(p);
        return 1;
    case EVTX_V_UINT32:
    case EVTX_V_HEX32:
        if (len != 4) {
            return 0;
        }
        *out = sho_le32(p);
        return 1;
    case EVTX_V_UINT64:
    case EVTX_V_HEX64:
        if (len != 8) {
            return 0;
        }
        *out = sho_le64(p);
        return 1;
    default:
        return 0;
    }
}
