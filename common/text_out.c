/*
 * text_out: the two pieces of text output every result writer needs: the
 * width a UTF-8 string takes on a terminal (East Asian wide characters take
 * two columns, so tables of Japanese names line up) and one CSV cell as
 * RFC 4180 wants it, optionally made safe for spreadsheets.
 */
#include <stdbool.h>
#include <string.h>

#include "shoseki/common.h"

size_t sho_str_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;

    while (*p != '\0') {
        unsigned cp = *p;
        size_t n = 1;
        if (*p >= 0xF0 && p[1] != 0 && p[2] != 0 && p[3] != 0) {
            cp = 0x10000;
            n = 4;
        } else if (*p >= 0xE0 && p[1] != 0 && p[2] != 0) {
            cp = ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            n = 3;
        } else if (*p >= 0xC0 && p[1] != 0) {
            cp = 0x80;
            n = 2;
        }
        w += ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
              (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
              (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
              (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x10000)
                 ? 2
                 : 1;
        p += n;
    }
    return w;
}

int sho_csv_cell(struct sho_buf *b, const char *s, unsigned flags)
{
    const char *p;
    bool neutralize;
    int rc = 0;

    if (s == NULL || *s == '\0') {
        return 0;
    }
    /* A spreadsheet runs a cell that starts with = + - @ as a formula (CSV
     * injection); a leading apostrophe makes it text and shows the value. */
    neutralize = (flags & SHO_CSV_NEUTRALIZE) != 0 && strchr("=+-@", s[0]) != NULL;
    if (!neutralize && strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && s[strlen(s) - 1] != ' ') {
        return sho_buf_appends(b, s);
    }
    rc = sho_buf_putc(b, '"');
    if (rc == 0 && neutralize) {
        rc = sho_buf_putc(b, '\'');
    }
    for (p = s; rc == 0 && *p != '\0'; p++) {
        rc = *p == '"' ? sho_buf_append(b, "\"\"", 2) : sho_buf_putc(b, *p);
    }
    return rc != 0 ? rc : sho_buf_putc(b, '"');
}
