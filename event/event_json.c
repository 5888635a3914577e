/*
 * event_json: one event as one JSON object (the JSON-lines output of collect,
 * export and the searches). Keys whose value is unknown are left out; strings
 * are escaped per RFC 8259 and invalid UTF-8 (which a damaged log can carry)
 * becomes U+FFFD rather than invalid JSON.
 */
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

static int json_escape_byte(struct sho_buf *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[7] = { '\\', 'u', '0', '0', 0, 0, 0 };

    switch (c) {
    case '"':
        return sho_buf_append(b, "\\\"", 2);
    case '\\':
        return sho_buf_append(b, "\\\\", 2);
    case '\n':
        return sho_buf_append(b, "\\n", 2);
    case '\r':
        return sho_buf_append(b, "\\r", 2);
    case '\t':
        return sho_buf_append(b, "\\t", 2);
    default:
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 0xF];
        return sho_buf_append(b, esc, 6);
    }
}

int sho_json_append_string(struct sho_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = sho_buf_putc(b, '"');

    while (rc == 0 && *p != '\0') {
        const unsigned char *run = p;
        size_t n;

        /* Copy runs of plain bytes in one append: this is the hot path. */
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
        }
        if (p != run) {
            rc = sho_buf_append(b, run, (size_t)(p - run));
            continue;
        }
        if (*p < 0x80) {
            rc = json_escape_byte(b, *p);
            p++;
            continue;
        }
        n = json_utf8_len(p);
        if (n == 0) {
            rc = sho_buf_append(b, "\xEF\xBF\xBD", 3);
            p++;
        } else {
            rc = sho_buf_append(b, p, n);
            p += n;
        }
    }
    return rc != 0 ? rc : sho_buf_putc(b, '"');
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
        rc = first ? 0 : sho_buf_putc(b, ',');
        if (rc == 0) {
            rc = sho_buf_putc(b, '"');
        }
        if (rc == 0) {
            rc = sho_buf_appends(b, f->name);
        }
        if (rc == 0) {
            rc = sho_buf_append(b, "\":", 2);
        }
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
