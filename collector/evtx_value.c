/*
 * evtx_value: EVTX binary-XML values as text (see evtx_value.h). Formats
 * follow what libevtx 20181227 writes in its XML, checked record by record by
 * the differential tests (tests/diff/decoder_compare.py, winrec_compare.c):
 *   integers and SizeT in decimal; HexInt32/HexInt64 as 0x%08x / 0x%016x;
 *   GUID as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}; SID as S-R-A-S...;
 *   FILETIME and SYSTEMTIME as ISO 8601 UTC with nine fractional digits;
 *   binary as upper-case hex; booleans as true/false; arrays as their
 *   elements joined by ", " (no corpus record has one: unchecked).
 * Invariants: every read stays inside [p, p + len); nothing allocates except
 * through the caller's bounded buffer.
 */
#include "evtx_value.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define FILETIME_PER_DAY  864000000000ULL /* 100 ns ticks */
#define DAYS_1601_TO_1970 134774
#define SID_MAX_SUBAUTH   15

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

/*
 * Number formatting without printf: values are formatted millions of times
 * a second, and vfprintf's format parsing was the decoder's largest cost
 * (decimal numbers: sho_fmt_dec). Here `width` digits, zero-padded (the
 * value must fit).
 */
static void fmt_dec_fixed(char *out, uint64_t v, size_t width)
{
    while (width-- > 0) {
        out[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void fmt_hex_fixed(char *out, uint64_t v, size_t width, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    while (width-- > 0) {
        out[width] = digits[v & 0xF];
        v >>= 4;
    }
}

static int append_dec(struct sho_buf *out, uint64_t v, bool negative)
{
    char t[24];
    size_t n = 0;

    if (negative) {
        t[n++] = '-';
    }
    n += sho_fmt_dec(t + n, v);
    return sho_buf_append(out, t, n);
}

static int append_hex(struct sho_buf *out, uint64_t v, size_t width)
{
    char t[2 + 16];

    t[0] = '0';
    t[1] = 'x';
    fmt_hex_fixed(t + 2, v, width, false);
    return sho_buf_append(out, t, 2 + width);
}

int evtx_utf16_append(struct sho_buf *out, const uint8_t *p, size_t units)
{
    bool ctl;

    return evtx_utf16_append_ctl(out, p, units, &ctl);
}

int evtx_utf16_append_ctl(struct sho_buf *out, const uint8_t *p, size_t units, bool *ctl)
{
    size_t i, ascii;
    uint32_t low = 0x20; /* smallest ASCII unit seen */
    int rc;

    *ctl = false;
    /* Most event text is ASCII: copy runs of it without the general path. */
    for (i = 0; i < units;) {
        uint32_t u = sho_le16(p + 2 * i);
        if (u == 0) {
            break;
        }
        if (u < 0x80) {
            if (sho_buf_reserve(out, units - i) != 0) {
                return SHO_ELIMIT;
            }
            ascii = out->len;
#if defined(__SSE2__)
            /* Eight units at a time while all are printable ASCII (0x20-0x7F). */
            while (units - i >= 8) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i));
                __m128i high = _mm_and_si128(v, _mm_set1_epi16((short)0xFF80));
                __m128i good = _mm_andnot_si128(_mm_cmplt_epi16(v, _mm_set1_epi16(0x20)),
                                                _mm_cmpeq_epi16(high, _mm_setzero_si128()));
                if (_mm_movemask_epi8(good) != 0xFFFF) {
                    break;
                }
                _mm_storel_epi64((__m128i *)(void *)(out->data + ascii), _mm_packus_epi16(v, v));
                ascii += 8;
                i += 8;
            }
#endif
            /* Four units at a time while all are printable ASCII (0x20-0x7F). */
            while (units - i >= 4) {
                uint64_t w = sho_le64(p + 2 * i);
                if ((w & 0xFF80FF80FF80FF80ULL) != 0 ||
                    ((w - 0x0020002000200020ULL) & 0x8000800080008000ULL) != 0) {
                    break;
                }
                out->data[ascii] = (char)w;
                out->data[ascii + 1] = (char)(w >> 16);
                out->data[ascii + 2] = (char)(w >> 32);
                out->data[ascii + 3] = (char)(w >> 48);
                ascii += 4;
                i += 4;
            }
            while (i < units && (u = sho_le16(p + 2 * i)) != 0 && u < 0x80) {
                out->data[ascii++] = (char)u;
                low = u < low ? u : low;
                i++;
            }
            out->len = ascii;
            out->data[ascii] = '\0';
            if (u == 0) {
                break;
            }
            continue;
        }
        i++;
        if (u >= 0xD800 && u < 0xDC00 && i < units) {
            uint32_t lo = sho_le16(p + 2 * i);
            /* A high surrogate takes the next unit with it, paired or not, as libevtx does. */
            u = lo >= 0xDC00 && lo < 0xE000 ? 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                                            : 0xFFFD;
            i++;
        } else if (u >= 0xD800 && u < 0xE000) {
            u = 0xFFFD;
        }
        rc = put_utf8(out, u);
        if (rc != 0) {
            return rc;
        }
    }
    *ctl = low < 0x20;
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
    char t[38];
    size_t i;

    t[0] = '{';
    fmt_hex_fixed(t + 1, sho_le32(p), 8, true);
    t[9] = '-';
    fmt_hex_fixed(t + 10, sho_le16(p + 4), 4, true);
    t[14] = '-';
    fmt_hex_fixed(t + 15, sho_le16(p + 6), 4, true);
    t[19] = '-';
    fmt_hex_fixed(t + 20, p[8], 2, true);
    fmt_hex_fixed(t + 22, p[9], 2, true);
    t[24] = '-';
    for (i = 0; i < 6; i++) {
        fmt_hex_fixed(t + 25 + 2 * i, p[10 + i], 2, true);
    }
    t[37] = '}';
    return sho_buf_append(out, t, sizeof(t));
}

static size_t format_sid(char *t, const uint8_t *p)
{
    uint64_t auth = 0;
    size_t n = 0;
    unsigned i, count;

    count = p[1];
    for (i = 0; i < 6; i++) {
        auth = (auth << 8) | p[2 + i];
    }
    t[n++] = 'S';
    t[n++] = '-';
    n += sho_fmt_dec(t + n, p[0]);
    t[n++] = '-';
    if (auth >> 32) {
        t[n++] = '0';
        t[n++] = 'x';
        fmt_hex_fixed(t + n, auth, 12, false);
        n += 12;
    } else {
        n += sho_fmt_dec(t + n, auth);
    }
    for (i = 0; i < count; i++) {
        t[n++] = '-';
        n += sho_fmt_dec(t + n, sho_le32(p + 8 + (size_t)4 * i));
    }
    return n;
}

/*
 * The same few SIDs come back in record after record (the accounts of one
 * company): each decoding thread keeps the text of the last ones it wrote,
 * found by their exact bytes.
 */
#define SID_CACHE_SIZE 64
#define SID_BYTES_MAX  (8 + 4 * SID_MAX_SUBAUTH)
#define SID_TEXT_MAX   (16 + 11 * SID_MAX_SUBAUTH + 24)

struct sid_cache_entry {
    uint8_t len;      /* bytes of the SID, 0 for an empty entry */
    uint8_t text_len; /* bytes of its text */
    uint8_t bytes[SID_BYTES_MAX];
    char text[SID_TEXT_MAX];
};

static _Thread_local struct sid_cache_entry sid_cache[SID_CACHE_SIZE];

static int append_sid(struct sho_buf *out, const uint8_t *p, size_t len)
{
    struct sid_cache_entry *e;
    size_t used;

    if (len < 8 || p[1] > SID_MAX_SUBAUTH || len < 8 + 4 * (size_t)p[1]) {
        return append_hex_bytes(out, p, len);
    }
    used = 8 + 4 * (size_t)p[1];
    /* the last sub-authority (the account's RID) tells the accounts of a domain apart */
    e = &sid_cache[(sho_le32(p + used - 4) * 2654435761u + (uint32_t)used) % SID_CACHE_SIZE];
    if (e->len != used || memcmp(e->bytes, p, used) != 0) {
        memcpy(e->bytes, p, used);
        e->len = (uint8_t)used;
        e->text_len = (uint8_t)format_sid(e->text, p);
    }
    return sho_buf_append(out, e->text, e->text_len);
}

/* YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ; years outside 0..9999 are clamped to four digits. */
static int append_civil(struct sho_buf *out, int64_t y, unsigned mo, unsigned d, uint64_t sod,
                        uint64_t nanos)
{
    char t[30];

    fmt_dec_fixed(t, (uint64_t)(y < 0 ? 0 : y > 9999 ? 9999 : y), 4);
    t[4] = '-';
    fmt_dec_fixed(t + 5, mo, 2);
    t[7] = '-';
    fmt_dec_fixed(t + 8, d, 2);
    t[10] = 'T';
    fmt_dec_fixed(t + 11, sod / 3600 % 100, 2);
    t[13] = ':';
    fmt_dec_fixed(t + 14, sod / 60 % 60, 2);
    t[16] = ':';
    fmt_dec_fixed(t + 17, sod % 60, 2);
    t[19] = '.';
    fmt_dec_fixed(t + 20, nanos, 9);
    t[29] = 'Z';
    return sho_buf_append(out, t, sizeof(t));
}

static int append_filetime(struct sho_buf *out, uint64_t ft)
{
    int64_t days = (int64_t)(ft / FILETIME_PER_DAY) - DAYS_1601_TO_1970;
    uint64_t rest = ft % FILETIME_PER_DAY;
    int64_t y;
    unsigned m, d;

    sho_time_civil_from_days(days, &y, &m, &d);
    return append_civil(out, y, m, d, rest / 10000000ULL, rest % 10000000ULL * 100);
}

static int append_systime(struct sho_buf *out, const uint8_t *p)
{
    uint64_t sod =
        (uint64_t)sho_le16(p + 8) * 3600 + (uint64_t)sho_le16(p + 10) * 60 + sho_le16(p + 12);

    return append_civil(out, sho_le16(p), sho_le16(p + 2) % 100, sho_le16(p + 6) % 100, sod,
                        (uint64_t)(sho_le16(p + 14) % 1000) * 1000000u);
}

/*
 * An ANSI string, read as Windows-1252 (the code page libevtx assumes): bytes
 * 0x80-0x9F through the table, 0xA0-0xFF are U+00A0-U+00FF; stops at NUL.
 */
static int append_ansi(struct sho_buf *out, const uint8_t *p, size_t len)
{
    static const uint16_t cp1252[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    };
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < len && p[i] != 0; i++) {
        uint32_t c = p[i];
        rc = put_utf8(out, c >= 0x80 && c < 0xA0 ? cp1252[c - 0x80] : c);
    }
    return rc;
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
    int64_t sv;

    switch (type) {
    case EVTX_V_INT8:
        sv = p[0] < 0x80 ? (int64_t)p[0] : (int64_t)p[0] - 256;
        break;
    case EVTX_V_UINT8:
        return append_dec(out, p[0], false);
    case EVTX_V_INT16:
        sv = (int16_t)sho_le16(p);
        break;
    case EVTX_V_UINT16:
        return append_dec(out, sho_le16(p), false);
    case EVTX_V_INT32:
        sv = (int32_t)sho_le32(p);
        break;
    case EVTX_V_UINT32:
        return append_dec(out, sho_le32(p), false);
    case EVTX_V_INT64:
        sv = (int64_t)sho_le64(p);
        break;
    case EVTX_V_UINT64:
        return append_dec(out, sho_le64(p), false);
    case EVTX_V_HEX32:
        return append_hex(out, sho_le32(p), 8);
    case EVTX_V_HEX64:
        return append_hex(out, sho_le64(p), 16);
    case EVTX_V_SIZET:
        /* libevtx writes SizeT in decimal, unlike the HexInt types. */
        return append_dec(out, len == 4 ? sho_le32(p) : sho_le64(p), false);
    case EVTX_V_BOOL:
        return sho_buf_appends(out, sho_le32(p) != 0 ? "true" : "false");
    default:
        return append_hex_bytes(out, p, len);
    }
    /* Negate through unsigned arithmetic: INT64_MIN has no positive counterpart. */
    return append_dec(out, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, sv < 0);
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
    case EVTX_V_ANSI:
        return append_ansi(out, p, len);
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
