/*
 * event_json: one event as one JSON object (the JSON-lines output of collect,
 * export and the searches). Keys whose value is unknown are left out; strings
 * are escaped per RFC 8259 and invalid UTF-8 (which a damaged log can carry)
 * becomes U+FFFD rather than invalid JSON.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

int sho_json_append_string(struct sho_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    char *o;

    /*
     * Every string field of every event comes through here: reserve the worst
     * case once (each byte may become six) and write in place.
     */
    if (len > (SIZE_MAX - 2) / 6 || sho_buf_reserve(b, len * 6 + 2) != 0) {
        return SHO_ELIMIT;
    }
    o = b->data + b->len;
    *o++ = '"';
    while (*p != '\0') {
        unsigned char c = *p;
        size_t n;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            p++;
            continue;
        }
        if (c < 0x80) {
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
            p++;
            continue;
        }
        n = json_utf8_len(p);
        if (n == 0) {
            /* U+FFFD: 3 bytes for 1, within the reservation. */
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
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

static int json_actions(struct sho_buf *b, uint32_t actions)
{
    int rc = sho_buf_putc(b, '[');
    unsigned i;
    bool first = true;

    for (i = 0; rc == 0 && i < SHO_ACTION_COUNT; i++) {
        if ((actions & (1u << i)) == 0) {
            continue;
        }
        if (!first) {
            rc = sho_buf_putc(b, ',');
        }
        if (rc == 0) {
            rc = sho_json_append_string(b, sho_action_name(i));
        }
        first = false;
    }
    return rc != 0 ? rc : sho_buf_putc(b, ']');
}

/* `,"name":` (no comma before the first key) in one append. */
static int json_key(struct sho_buf *b, const char *name, bool first)
{
    size_t n = strlen(name);
    char *o;

    if (sho_buf_reserve(b, n + 4) != 0) {
        return SHO_ELIMIT;
    }
    o = b->data + b->len;
    if (!first) {
        *o++ = ',';
    }
    *o++ = '"';
    while (*name != '\0') {
        *o++ = *name++;
    }
    *o++ = '"';
    *o++ = ':';
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

    for (i = 0; rc == 0 && i < count; i++) {
        const struct event_field *f = event_field_get(i);
        const char *text = event_field_text(ev, i, scratch);

        if (text == NULL) {
            continue;
        }
        /* No printf here: this runs for every field of every event collected. */
        rc = json_key(b, f->name, first);
        first = false;
        if (rc != 0) {
            break;
        }
        if (f->kind == EVENT_FIELD_NUMBER) {
            rc = sho_buf_appends(b, text);
        } else if (f->kind == EVENT_FIELD_ACTIONS) {
            rc = json_actions(b, ev->actions);
        } else {
            rc = sho_json_append_string(b, text);
        }
    }
    return rc != 0 ? rc : sho_buf_putc(b, '}');
}
