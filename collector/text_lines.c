/*
 * text_lines: splits a text file into lines (see text_lines.h). One buffer of
 * TEXT_BLOCK_SIZE + TEXT_LINE_MAX bytes holds the unread part of the file;
 * lines are found with memchr and handed out in place, so a line costs no copy
 * and no allocation. Invariant: buf[start, end) are read but not yet handed out.
 */
#include "text_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct text_lines {
    int fd;            /* -1 when reading from memory */
    char *buf;         /* owned (fd) or borrowed copy source (memory) */
    size_t cap;        /* bytes in buf */
    size_t start, end; /* unread bytes */
    bool is_eof;       /* nothing more to read */
    bool is_skipping;  /* inside the rest of an over-long line */
    int64_t offset;    /* file offset of buf[start] */
    uint64_t number;   /* lines handed out */
    const char *mem;   /* memory input, borrowed */
    size_t mem_len, mem_pos;
};

struct text_lines *text_lines_new(int fd)
{
    struct text_lines *r = sho_xcalloc(1, sizeof(*r));

    r->fd = fd;
    r->cap = TEXT_BLOCK_SIZE + TEXT_LINE_MAX + 1;
    r->buf = sho_xmalloc(r->cap);
    return r;
}

struct text_lines *text_lines_new_mem(const void *data, size_t len)
{
    struct text_lines *r = text_lines_new(-1);

    r->mem = data;
    r->mem_len = len;
    return r;
}

void text_lines_free(struct text_lines *r)
{
    if (r == NULL) {
        return;
    }
    free(r->buf);
    free(r);
}

/* Move the unread bytes to the front and read more. Returns 0 or SHO_EIO. */
static int lines_fill(struct text_lines *r, struct sho_err *err)
{
    char etext[128];
    size_t room;
    ssize_t n;

    if (r->start != 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    room = r->cap - 1 - r->end;
    if (room > TEXT_BLOCK_SIZE) {
        room = TEXT_BLOCK_SIZE;
    }
    if (r->fd < 0) {
        n = (ssize_t)(r->mem_len - r->mem_pos < room ? r->mem_len - r->mem_pos : room);
        memcpy(r->buf + r->end, r->mem + r->mem_pos, (size_t)n);
        r->mem_pos += (size_t)n;
    } else {
        do {
            n = read(r->fd, r->buf + r->end, room);
        } while (n < 0 && errno == EINTR);
    }
    if (n < 0) {
        return sho_err_set(err, SHO_EIO, NULL, r->offset, "cannot read: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    if (n == 0) {
        r->is_eof = true;
    }
    r->end += (size_t)n;
    return 0;
}

/* Hand out buf[start, start+len) as a line; `skip` bytes of line end follow it. */
static void lines_take(struct text_lines *r, struct text_line *out, size_t len, size_t skip)
{
    char *p = r->buf + r->start;

    out->text = p;
    out->offset = r->offset;
    out->number = ++r->number;
    out->is_too_long = false;
    r->start += len + skip;
    r->offset += (int64_t)(len + skip);
    if (len > 0 && p[len - 1] == '\r') {
        len--;
    }
    p[len] = '\0';
    out->len = len;
    out->has_nul = memchr(p, '\0', len) != NULL;
}

/* Drop the rest of an over-long line. Returns 1 when its end was found. */
static int lines_skip_rest(struct text_lines *r)
{
    char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
    size_t n = nl != NULL ? (size_t)(nl - (r->buf + r->start)) + 1 : r->end - r->start;

    r->start += n;
    r->offset += (int64_t)n;
    if (nl != NULL || r->is_eof) {
        r->is_skipping = false;
        return 1;
    }
    return 0;
}

int text_lines_next(struct text_lines *r, struct text_line *out, struct sho_err *err)
{
    for (;;) {
        size_t have = r->end - r->start;
        char *nl;
        int rc;

        if (r->is_skipping) {
            if (lines_skip_rest(r) == 0) {
                rc = lines_fill(r, err);
                if (rc != 0) {
                    return rc;
                }
            }
            continue;
        }
        nl = memchr(r->buf + r->start, '\n', have);
        if (nl != NULL) {
            lines_take(r, out, (size_t)(nl - (r->buf + r->start)), 1);
            return 1;
        }
        if (have > TEXT_LINE_MAX) {
            int64_t at = r->offset;
            lines_take(r, out, TEXT_LINE_MAX, 0);
            out->is_too_long = true;
            out->offset = at;
            r->is_skipping = true;
            return 1;
        }
        if (r->is_eof) {
            if (have == 0) {
                return 0;
            }
            lines_take(r, out, have, 0);
            return 1;
        }
        rc = lines_fill(r, err);
        if (rc != 0) {
            return rc;
        }
    }
}
