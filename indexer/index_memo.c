/*
 * index_memo: the writer's per-frame memo of ids. An EVENTS frame keeps each
 * string once (a table per column, events pointing into it), so within one
 * frame the same string is the same pointer. Keyed by those pointers (and a
 * few numbers), a small table in the processor's cache answers most events
 * without hashing strings or touching the large id caches, whose probes miss
 * the cache. The memo is emptied at every frame (a new generation), because
 * the next frame's strings live at the same addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define MEMO_SLOTS 4096 /* a power of two */

struct ix_memo_slot {
    uint64_t gen; /* the memo's generation when filled; 0 never */
    int64_t id;
    uintptr_t k[IX_MEMO_WORDS];
};

void ix_memo_init(struct ix_memo *m)
{
    m->slots = sho_xcalloc(MEMO_SLOTS, sizeof(*m->slots));
    m->gen = 1;
}

void ix_memo_release(struct ix_memo *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct ix_memo_slot *memo_slot(struct ix_memo *m, const uintptr_t *k, size_t n)
{
    uint64_t h = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (uint64_t)k[i]) * 0x9E3779B97F4A7C15ULL;
    }
    return &m->slots[(h >> 40) & (MEMO_SLOTS - 1)];
}

bool ix_memo_find(struct ix_memo *m, const uintptr_t *k, size_t n, int64_t *id)
{
    const struct ix_memo_slot *s = memo_slot(m, k, n);

    if (s->gen != m->gen || memcmp(s->k, k, n * sizeof(*k)) != 0) {
        return false;
    }
    *id = s->id;
    return true;
}

void ix_memo_put(struct ix_memo *m, const uintptr_t *k, size_t n, int64_t id)
{
    struct ix_memo_slot *s = memo_slot(m, k, n);

    s->gen = m->gen;
    s->id = id;
    memcpy(s->k, k, n * sizeof(*k));
}
