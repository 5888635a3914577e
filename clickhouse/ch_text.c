/*
 * ch_text: ClickHouse's text escapes. String literals in queries are quoted
 * with backslash escapes (ClickHouse reads `\\` and `\'`), TabSeparated data
 * escapes backslash, tab, newline and carriage return. Windows paths and
 * DOMAIN\name are full of backslashes: every value goes through here
 * (ClickHouse 18.16 has no query parameters).
 */
#include <string.h>

#include "ch_priv.h"

int ch_quote(struct sho_buf *b, const char *s)
{
    int rc = sho_buf_putc(b, '\'');

    for (; rc == 0 && s != NULL && *s != '\0'; s++) {
        if (*s == '\\' || *s == '\'') {
            rc = sho_buf_putc(b, '\\');
        }
        if (rc == 0) {
            rc = sho_buf_putc(b, *s);
        }
    }
    return rc == 0 ? sho_buf_putc(b, '\'') : rc;
}

int ch_tsv(struct sho_buf *b, const char *s)
{
    int rc = 0;

    for (; rc == 0 && s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '\\':
            rc = sho_buf_append(b, "\\\\", 2);
            break;
        case '\t':
            rc = sho_buf_append(b, "\\t", 2);
            break;
        case '\n':
            rc = sho_buf_append(b, "\\n", 2);
            break;
        case '\r':
            rc = sho_buf_append(b, "\\r", 2);
            break;
        default:
            rc = sho_buf_putc(b, *s);
        }
    }
    return rc;
}

static char tsv_unescape(char c)
{
    switch (c) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case '0':
        return '\0';
    default:
        return c; /* \\ \' and anything else stand for themselves */
    }
}

size_t ch_tsv_split(char *line, size_t len, char **fields, size_t max)
{
    size_t count = 0, i = 0;
    char *out = line;

    if (max == 0) {
        return 0;
    }
    fields[count++] = out;
    for (i = 0; i < len; i++) {
        if (line[i] == '\t') {
            *out++ = '\0';
            if (count == max) {
                return count;
            }
            fields[count++] = out;
        } else if (line[i] == '\\' && i + 1 < len) {
            *out++ = tsv_unescape(line[++i]);
        } else {
            *out++ = line[i];
        }
    }
    *out = '\0';
    return count;
}

bool ch_ident_ok(const char *name)
{
    const char *p;

    if (name == NULL || name[0] == '\0' || (name[0] >= '0' && name[0] <= '9')) {
        return false;
    }
    for (p = name; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_')) {
            return false;
        }
    }
    return strlen(name) < 128;
}
