/*
 * handle_table: a bounded map (host, pid, handle) -> (path, object type).
 * A new handle takes a free slot while there is one; in a full table it takes
 * the slot at a cursor that walks the slots in ring order, so roughly the
 * oldest entry is forgotten: handles are short-lived and the 4660 that needs
 * a path follows its 4663 within a few records. Replacing a known handle
 * reuses its own slot and forgets nothing. Lookups go through a chained hash.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "handle_table.h"
#include "shoseki/common.h"

#define NO_SLOT SIZE_MAX

struct handle_slot {
    bool used;         /* holds a live entry */
    char *host;        /* owned */
    uint64_t pid;      /* process id */
    uint64_t handle;   /* handle id */
    char *path;        /* owned, may be NULL */
    char *object_type; /* owned, may be NULL */
    size_t next;       /* next slot in the same bucket, or NO_SLOT */
};

struct handle_table {
    struct handle_slot *slots; /* owned, `cap` slots */
    size_t cap;                /* most entries */
    size_t *buckets;           /* owned, `bucket_count` heads */
    size_t bucket_count;       /* power of two >= cap */
    size_t ring;               /* next slot to reuse when the table is full */
    size_t count;              /* live entries */
    size_t *free_slots;        /* owned: stack of unused slots */
    size_t free_count;         /* entries on it */
};

static uint64_t handle_hash(const char *host, uint64_t pid, uint64_t handle)
{
    const char *name = host != NULL ? host : "";
    uint64_t h = sho_hash64(name, strlen(name), 1469598103934665603ull); /* mixed with the ids */

    h ^= pid * 0x9E3779B97F4A7C15ull;
    h ^= handle + (h << 6) + (h >> 2);
    return h ^ (h >> 29);
}

struct handle_table *handle_table_new(size_t max_entries)
{
    struct handle_table *t = sho_xcalloc(1, sizeof(*t));
    size_t i;

    t->cap = max_entries != 0 ? max_entries : 1;
    t->slots = sho_xcalloc(t->cap, sizeof(*t->slots));
    t->bucket_count = 1;
    while (t->bucket_count < t->cap) {
        t->bucket_count *= 2;
    }
    t->buckets = sho_xmalloc(t->bucket_count * sizeof(*t->buckets));
    for (i = 0; i < t->bucket_count; i++) {
        t->buckets[i] = NO_SLOT;
    }
    t->free_slots = sho_xmalloc(t->cap * sizeof(*t->free_slots));
    for (i = 0; i < t->cap; i++) {
        t->free_slots[i] = t->cap - 1 - i; /* slot 0 on top */
    }
    t->free_count = t->cap;
    return t;
}

static bool slot_matches(const struct handle_slot *s, const char *host, uint64_t pid,
                         uint64_t handle)
{
    return s->used && s->pid == pid && s->handle == handle &&
           strcmp(s->host, host != NULL ? host : "") == 0;
}

static size_t handle_find(const struct handle_table *t, const char *host, uint64_t pid,
                          uint64_t handle)
{
    size_t i = t->buckets[handle_hash(host, pid, handle) & (t->bucket_count - 1)];

    while (i != NO_SLOT && !slot_matches(&t->slots[i], host, pid, handle)) {
        i = t->slots[i].next;
    }
    return i;
}

/* Unlink slot `i` from its bucket and free its strings. */
static void handle_evict(struct handle_table *t, size_t i)
{
    struct handle_slot *s = &t->slots[i];
    size_t *link = &t->buckets[handle_hash(s->host, s->pid, s->handle) & (t->bucket_count - 1)];

    while (*link != NO_SLOT && *link != i) {
        link = &t->slots[*link].next;
    }
    if (*link == i) {
        *link = s->next;
    }
    free(s->host);
    free(s->path);
    free(s->object_type);
    memset(s, 0, sizeof(*s));
    t->count--;
    t->free_slots[t->free_count++] = i;
}

void handle_table_put(struct handle_table *t, const char *host, uint64_t pid, uint64_t handle,
                      const char *path, const char *object_type)
{
    size_t i = handle_find(t, host, pid, handle);
    size_t b;
    struct handle_slot *s;

    if (i != NO_SLOT) {
        /* A handle seen again (4663 after 4656): update it in place. */
        s = &t->slots[i];
        free(s->path);
        free(s->object_type);
        s->path = path != NULL ? sho_xstrdup(path) : NULL;
        s->object_type = object_type != NULL ? sho_xstrdup(object_type) : NULL;
        return;
    }
    if (t->free_count == 0) {
        handle_evict(t, t->ring); /* pushes the slot on the free stack */
        t->ring = (t->ring + 1) % t->cap;
    }
    i = t->free_slots[--t->free_count];
    s = &t->slots[i];
    s->used = true;
    s->host = sho_xstrdup(host != NULL ? host : "");
    s->pid = pid;
    s->handle = handle;
    s->path = path != NULL ? sho_xstrdup(path) : NULL;
    s->object_type = object_type != NULL ? sho_xstrdup(object_type) : NULL;
    b = handle_hash(host, pid, handle) & (t->bucket_count - 1);
    s->next = t->buckets[b];
    t->buckets[b] = i;
    t->count++;
}

int handle_table_get(const struct handle_table *t, const char *host, uint64_t pid, uint64_t handle,
                     const char **path, const char **object_type)
{
    size_t i = handle_find(t, host, pid, handle);

    if (i == NO_SLOT) {
        return 0;
    }
    *path = t->slots[i].path;
    *object_type = t->slots[i].object_type;
    return 1;
}

void handle_table_drop(struct handle_table *t, const char *host, uint64_t pid, uint64_t handle)
{
    size_t i = handle_find(t, host, pid, handle);

    if (i != NO_SLOT) {
        handle_evict(t, i);
    }
}

void handle_table_reset_host(struct handle_table *t, const char *host)
{
    size_t i;

    for (i = 0; i < t->cap; i++) {
        if (t->slots[i].used && strcmp(t->slots[i].host, host != NULL ? host : "") == 0) {
            handle_evict(t, i);
        }
    }
}

size_t handle_table_count(const struct handle_table *t)
{
    return t->count;
}

void handle_table_free(struct handle_table *t)
{
    size_t i;

    if (t == NULL) {
        return;
    }
    for (i = 0; i < t->cap; i++) {
        if (t->slots[i].used) {
            free(t->slots[i].host);
            free(t->slots[i].path);
            free(t->slots[i].object_type);
        }
    }
    free(t->slots);
    free(t->buckets);
    free(t->free_slots);
    free(t);
}
