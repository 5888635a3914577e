/*
 * csv_lines: the lines of a CSV export as UTF-8, whatever it was saved as.
 * UTF-8 (with or without a byte-order mark) goes through text_lines as is.
 * UTF-16LE with its mark (PowerShell's -Encoding Unicode, Excel's "Unicode
 * text") is decoded here, one code unit pair at a time, into UTF-8 lines:
 * a line ends at U+000A (a U+000D before it is dropped), an unpaired
 * surrogate becomes U+FFFD, and offsets remain byte offsets of the file, so
 * `cat` finds a record where collect found it. Invariant (UTF-16):
 * raw[raw_pos, raw_end) are read but not decoded, and `at` is the file
 * offset of raw[raw_pos].
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_map.h"

#define U16_BLOCK ((size_t)1 << 20) /* bytes read per read(2) */

struct csv_lines {
    struct text_lines *utf8; /* owned; NULL for UTF-16 */
    bool skip_bom;           /* UTF-8: the first line starts with the mark */
    int fd;                  /* UTF-16: borrowed, -1 for memory */
    const uint8_t *mem;      /* UTF-16 memory input, borrowed */
    size_t mem_len, mem_pos;
    uint8_t *raw; /* owned: U16_BLOCK bytes */
    size_t raw_pos, raw_end;
    bool is_eof;
    int64_t at;          /* file offset of raw[raw_pos] */
    uint64_t number;     /* lines handed out */
    struct sho_buf line; /* the UTF-8 line being built */
    bool is_too_long;    /* this line passed TEXT_LINE_MAX */
    bool has_nul;        /* this line holds U+0000 */
    char empty[1];       /* the text of an empty line while `line` has no memory yet */
};

/* The first bytes of the file: 2 for a UTF-16LE mark, 1 for UTF-8's, 0 for none. */
static int lines_bom(int fd, const uint8_t *mem, size_t mem_len)
{
    uint8_t b[3] = { 0, 0, 0 };
    size_t n = 0;

    if (fd >= 0) {
        ssize_t r = pread(fd, b, sizeof(b), 0);
        n = r > 0 ? (size_t)r : 0;
    } else {
        n = mem_len < 3 ? mem_len : 3;
        memcpy(b, mem, n);
    }
    if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        return 2;
    }
    return n == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 1 : 0;
}

struct csv_lines *csv_lines_new(int fd, int64_t start, const void *mem, size_t mem_len)
{
    struct csv_lines *r = sho_xcalloc(1, sizeof(*r));
    int bom = lines_bom(fd, mem, mem_len);
    size_t skip = start > 0 ? (size_t)start : 0;

    if (fd >= 0 && lseek(fd, (off_t)skip, SEEK_SET) < 0) {
        skip = 0;
    }
    if (fd < 0 && skip > mem_len) {
        skip = mem_len;
    }
    if (bom != 2) {
        r->utf8 = fd >= 0 ? text_lines_new(fd)
                          : text_lines_new_mem((const char *)mem + skip, mem_len - skip);
        r->skip_bom = bom == 1 && skip == 0;
        r->at = (int64_t)skip;
        return r;
    }
    r->fd = fd;
    r->mem = mem;
    r->mem_len = mem_len;
    r->mem_pos = skip;
    r->at = (int64_t)skip;
    r->raw = sho_xmalloc(U16_BLOCK);
    sho_buf_init(&r->line, TEXT_LINE_MAX);
    return r;
}

void csv_lines_free(struct csv_lines *r)
{
    if (r == NULL) {
        return;
    }
    text_lines_free(r->utf8);
    free(r->raw);
    sho_buf_release(&r->line);
    free(r);
}

/* Read more raw bytes (keeping an odd byte left over). Returns 0 or SHO_EIO. */
static int u16_fill(struct csv_lines *r, struct sho_err *err)
{
    char etext[128];
    size_t keep = r->raw_end - r->raw_pos;
    ssize_t n;

    memmove(r->raw, r->raw + r->raw_pos, keep);
    r->raw_pos = 0;
    r->raw_end = keep;
    if (r->fd < 0) {
        n = (ssize_t)(r->mem_len - r->mem_pos < U16_BLOCK - keep ? r->mem_len - r->mem_pos
                                                                 : U16_BLOCK - keep);
        memcpy(r->raw + keep, r->mem + r->mem_pos, (size_t)n);
        r->mem_pos += (size_t)n;
    } else {
        do {
            n = read(r->fd, r->raw + keep, U16_BLOCK - keep);
        } while (n < 0 && errno == EINTR);
    }
    if (n < 0) {
        return sho_err_set(err, SHO_EIO, NULL, r->at, "cannot read: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    r->is_eof = n == 0;
    r->raw_end += (size_t)n;
    return 0;
}

/* Append code point `c` as UTF-8 to the line (past the limit: mark it too long). */
static void u16_put(struct csv_lines *r, uint32_t c)
{
    char u[4];
    size_t n;

    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    r->has_nul |= c == 0;
    if (!r->is_too_long && sho_buf_append(&r->line, u, n) != 0) {
        r->is_too_long = true;
    }
}

/*
 * Decode one code point at raw_pos. Returns its byte count (2 or 4), 0 when
 * more bytes are needed; *c gets the code point.
 */
static size_t u16_unit(const struct csv_lines *r, uint32_t *c)
{
    const uint8_t *p = r->raw + r->raw_pos;
    size_t have = r->raw_end - r->raw_pos;
    uint32_t u, v;

    if (have < 2) {
        return 0;
    }
    u = sho_le16(p);
    if (u < 0xD800 || u > 0xDFFF) {
        *c = u;
        return 2;
    }
    if (u >= 0xDC00) {
        *c = 0xFFFD;
        return 2;
    }
    if (have < 4) {
        if (r->is_eof) {
            *c = 0xFFFD;
            return 2;
        }
        return 0;
    }
    v = sho_le16(p + 2);
    if (v < 0xDC00 || v > 0xDFFF) {
        *c = 0xFFFD;
        return 2;
    }
    *c = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
    return 4;
}

static void u16_take(struct csv_lines *r, struct text_line *out, int64_t offset)
{
    if (r->line.len > 0 && r->line.data[r->line.len - 1] == '\r') {
        r->line.data[--r->line.len] = '\0';
    }
    out->text = r->line.data != NULL ? r->line.data : r->empty; /* an empty first line */
    out->len = r->line.len;
    out->offset = offset;
    out->number = ++r->number;
    out->is_too_long = r->is_too_long;
    out->has_nul = r->has_nul;
}

static int u16_next(struct csv_lines *r, struct text_line *out, struct sho_err *err)
{
    int64_t start = r->at;
    bool any = false;

    if (r->at == 0) {
        if (u16_fill(r, err) != 0) {
            return SHO_EIO;
        }
        r->raw_pos = 2; /* the byte-order mark */
        r->at = 2;
        start = 2;
    }
    sho_buf_reset(&r->line);
    r->is_too_long = false;
    r->has_nul = false;
    for (;;) {
        uint32_t c;
        size_t n = u16_unit(r, &c);
        if (n == 0) {
            if (r->is_eof) {
                break;
            }
            if (u16_fill(r, err) != 0) {
                return SHO_EIO;
            }
            continue;
        }
        r->raw_pos += n;
        r->at += (int64_t)n;
        any = true;
        if (c == '\n') {
            u16_take(r, out, start);
            return 1;
        }
        u16_put(r, c);
    }
    if (!any) {
        return 0;
    }
    u16_take(r, out, start);
    return 1;
}

int csv_lines_next(struct csv_lines *r, struct text_line *out, struct sho_err *err)
{
    int rc;

    if (r->utf8 == NULL) {
        return u16_next(r, out, err);
    }
    rc = text_lines_next(r->utf8, out, err);
    if (rc != 1) {
        return rc;
    }
    out->offset += r->at;
    if (r->skip_bom && out->number == 1 && out->len >= 3 &&
        memcmp(out->text, "\xEF\xBB\xBF", 3) == 0) {
        out->text += 3;
        out->len -= 3;
        out->offset += 3;
    }
    return 1;
}
