/*
 * buf: growable byte buffers with a hard cap (curl's `toobig`). Every piece of
 * memory whose size an input file decides is a sho_buf, so the worst a hostile
 * file can do is hit the cap and get SHO_ELIMIT.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoseki/common.h"

#define BUF_MIN_CAP 64

void sho_buf_init(struct sho_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

void sho_buf_release(struct sho_buf *b)
{
    free(b->data);
    sho_buf_init(b, b->limit);
}

void sho_buf_reset(struct sho_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

int sho_buf_reserve(struct sho_buf *b, size_t extra)
{
    size_t need, cap;

    if (extra > b->limit || b->len > b->limit - extra) {
        return SHO_ELIMIT;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return 0;
    }
    cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    b->data = sho_xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int sho_buf_append(struct sho_buf *b, const void *data, size_t len)
{
    int rc = sho_buf_reserve(b, len);

    if (rc != 0) {
        return rc;
    }
    if (len != 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int sho_buf_appends(struct sho_buf *b, const char *s)
{
    return sho_buf_append(b, s, strlen(s));
}

int sho_buf_putc(struct sho_buf *b, char c)
{
    return sho_buf_append(b, &c, 1);
}

int sho_buf_appendf(struct sho_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    int rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return SHO_EINVAL;
    }
    rc = sho_buf_reserve(b, (size_t)n);
    if (rc != 0) {
        return rc;
    }
    va_start(ap, fmt);
    (void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int sho_buf_read_file(struct sho_buf *b, const char *path, struct sho_err *err)
{
    char chunk[16384], etext[128];
    FILE *f = fopen(path, "rb");
    size_t n;
    int rc = 0;

    if (f == NULL) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = sho_buf_append(b, chunk, n);
    }
    if (rc == 0 && ferror(f)) {
        rc = sho_err_set(err, SHO_EIO, path, -1, "cannot read");
    } else if (rc != 0) {
        rc = sho_err_set(err, SHO_ELIMIT, path, -1, "larger than %zu bytes", b->limit);
    }
    (void)fclose(f);
    return rc;
}
