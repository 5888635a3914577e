/*
 * str: the few string helpers libc lacks or gets wrong for us: a truncating
 * copy that always terminates (strncpy is banned) and an ASCII-only
 * case-insensitive compare that leaves UTF-8 bytes alone and ignores locale.
 */
#include <stdio.h>
#include <string.h>

#include "shoseki/common.h"

static unsigned char str_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

int sho_str_casecmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;

    while (*p != '\0' && str_lower(*p) == str_lower(*q)) {
        p++;
        q++;
    }
    return (int)str_lower(*p) - (int)str_lower(*q);
}

size_t sho_str_copy(char *dst, size_t dst_len, const char *src)
{
    size_t n = strlen(src);

    if (dst_len == 0) {
        return n;
    }
    if (n >= dst_len) {
        n = dst_len - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

const char *sho_errno_text(int errnum, char *buf, size_t buf_len)
{
    /* The XSI strerror_r (we build with _POSIX_C_SOURCE, not _GNU_SOURCE) fills `buf`. */
    if (buf_len == 0) {
        return buf;
    }
    if (strerror_r(errnum, buf, buf_len) != 0) {
        (void)snprintf(buf, buf_len, "error %d", errnum);
    }
    return buf;
}
