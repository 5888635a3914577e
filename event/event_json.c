/*
 * event_json: one event as one JSON object (the JSON-lines output of collect,
 * export and the searches). Keys whose value is unknown are left out; strings
 * are escaped per RFC 8259 and invalid UTF-8 (which a damaged log can carry)
 * becomes U+FFFD rather than invalid JSON.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "event_fields.h"
#include "shoseki/event.h"

/* Length of the valid UTF-8 sequence at `s` (1..4), or 0 when invalid. */
static size_t json_utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) {
            return 0;
        }
        if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)) {
            return 0; /* overlong, or a UTF-16 surrogate */
        }
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) {
            return 0;
        }
        if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

/*
 * Bytes a JSON string may hold as they are: printable ASCII but the quote and
 * the backslash. Everything else is escaped or checked as UTF-8.
 */
static bool json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Length of the run of plain bytes at the start of `p` (`n` bytes readable). */
static size_t json_plain_run(const unsigned char *p, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    /* Sixteen bytes a step: a signed "less than 0x20" also catches every byte from 0x80. */
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);

    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        int mask = _mm_movemask_epi8(_mm_or_si128(bad, _mm_cmplt_epi8(v, space)));
        if (mask != 0) {
            return i + (size_t)__builtin_ctz((unsigned)mask);
        }
        i += 16;
    }
#endif
    while (i < n && json_plain(p[i])) {
        i++;
    }
    return i;
}

/* Escape ASCII byte `c` (a control character, quote or backslash) at `o`; returns the end. */
static char *json_escape(char *o, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";

    *o++ = '\\';
    switch (c) {
    case '"':
    case '\\':
        *o++ = (char)c;
        break;
    case '\n':
        *o++ = 'n';
        break;
    case '\r':
        *o++ = 'r';
        break;
    case '\t':
        *o++ = 't';
        break;
    default:
        o[0] = 'u';
        o[1] = '0';
        o[2] = '0';
        o[3] = hex[c >> 4];
        o[4] = hex[c & 0xF];
        o += 5;
        break;
    }
    return o;
}

/* The string literal of `s` (`len` bytes, NUL-terminated) at `o`, which has room for
 * len * 6 + 2 bytes; returns the end. */
static char *json_put_string(char *o, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;

    *o++ = '"';
    while (p < end) {
        size_t n = json_plain_run(p, (size_t)(end - p));
        if (n != 0) {
            memcpy(o, p, n);
            o += n;
            p += n;
            continue;
        }
        if (*p < 0x80) {
            o = json_escape(o, *p++);
            continue;
        }
        n = json_utf8_len(p);
        if (n == 0) {
            /* U+FFFD: 3 bytes for 1, within the room. */
            *o++ = (char)0xEF;
            *o++ = (char)0xBF;
            *o++ = (char)0xBD;
            p++;
        } else {
            memcpy(o, p, n);
            o += n;
            p += n;
        }
    }
    *o++ = '"';
    return o;
}

int sho_json_append_string(struct sho_buf *b, const char *s)
{
    size_t len = strlen(s);

    /* Reserve the worst case once (each byte may become six) and write in place. */
    if (len > (SIZE_MAX - 2) / 6 || sho_buf_reserve(b, len * 6 + 2) != 0) {
        return SHO_ELIMIT;
    }
    b->len = (size_t)(json_put_string(b->data + b->len, s, len) - b->data);
    b->data[b->len] = '\0';
    return 0;
}

/* Room the action list may take: every name quoted, with commas and brackets. */
#define JSON_ACTIONS_ROOM 512

/* `["read","write"]` at `o` (room JSON_ACTIONS_ROOM); returns the end. */
static char *json_put_actions(char *o, uint32_t actions)
{
    unsigned i;
    bool first = true;

    *o++ = '[';
    for (i = 0; i < SHO_ACTION_COUNT; i++) {
        const char *name;
        size_t n;
        if ((actions & (1u << i)) == 0) {
            continue;
        }
        name = sho_action_name(i);
        n = strlen(name);
        if (!first) {
            *o++ = ',';
        }
        *o++ = '"';
        memcpy(o, name, n);
        o += n;
        *o++ = '"';
        first = false;
    }
    *o++ = ']';
    return o;
}

/* `n` bytes of `s` at `o` (the caller ends the buffer with its NUL); returns the end. */
static char *json_put_bytes(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    return o + n;
}

/* One `"name":value` of field `f`, with a comma before it unless it is the first. */
static int json_field(struct sho_buf *b, const struct event_field *f, const char *text,
                      uint32_t actions, bool first)
{
    size_t len = f->kind == EVENT_FIELD_ACTIONS ? 0 : strlen(text);
    size_t room = f->kind == EVENT_FIELD_STRING    ? len * 6 + 2
                  : f->kind == EVENT_FIELD_ACTIONS ? JSON_ACTIONS_ROOM
                                                   : len;
    char *o;

    /* One reservation for the key and the value: every field of every event comes here. */
    if (len > (SIZE_MAX - 64) / 6 || sho_buf_reserve(b, f->name_len + 4 + room) != 0) {
        return SHO_ELIMIT;
    }
    o = b->data + b->len;
    if (!first) {
        *o++ = ',';
    }
    *o++ = '"';
    o = json_put_bytes(o, f->name, f->name_len);
    *o++ = '"';
    *o++ = ':';
    if (f->kind == EVENT_FIELD_STRING) {
        o = json_put_string(o, text, len);
    } else if (f->kind == EVENT_FIELD_ACTIONS) {
        o = json_put_actions(o, actions);
    } else {
        o = json_put_bytes(o, text, len);
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

int sho_event_to_json(const struct sho_event *ev, unsigned flags, struct sho_buf *b)
{
    char scratch[EVENT_FIELD_SCRATCH];
    size_t i, count = event_field_count(flags);
    bool first = true;
    int rc = sho_buf_putc(b, '{');

    /* No printf here: this runs for every field of every event collected. */
    for (i = 0; rc == 0 && i < count; i++) {
        const struct event_field *f = event_field_get(i);
        /* the actions are written by json_put_actions: no space-separated text first */
        const char *text = f->kind == EVENT_FIELD_ACTIONS ? (ev->actions != 0 ? "" : NULL)
                                                          : event_field_text(ev, i, scratch);
        if (text != NULL) {
            rc = json_field(b, f, text, ev->actions, first);
            first = false;
        }
    }
    return rc != 0 ? rc : sho_buf_putc(b, '}');
}
