/*
 * xalloc: allocators that abort on exhaustion (git, tmux, redis). Running out of
 * memory is not a condition shoseki can report usefully mid-record; input-driven
 * growth is capped earlier by struct sho_buf, so reaching here means the
 * machine itself is out of memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoseki/common.h"

_Noreturn void sho_xalloc_die(size_t size)
{
    (void)fprintf(stderr, "shoseki: fatal: out of memory allocating %zu bytes\n", size);
    abort();
}

void *sho_xmalloc(size_t size)
{
    void *p = malloc(size != 0 ? size : 1);

    if (p == NULL) {
        sho_xalloc_die(size);
    }
    return p;
}

void *sho_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count != 0 ? count : 1, size != 0 ? size : 1);

    if (p == NULL) {
        sho_xalloc_die(count * size);
    }
    return p;
}

void *sho_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size != 0 ? size : 1);

    if (p == NULL) {
        sho_xalloc_die(size);
    }
    return p;
}

char *sho_xstrndup(const char *s, size_t len)
{
    char *p = sho_xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *sho_xstrdup(const char *s)
{
    return sho_xstrndup(s, strlen(s));
}
