/*
 * ev_items: the small keys a pack is made from. The selection hands over each
 * event's index row; only its reference, time, actions and interned ids of its
 * person and file are kept (struct ev_item), so a selection of millions of
 * events needs tens of bytes each, not the events. Strings (persons, paths,
 * source hashes) are interned once in an open-addressing table.
 */
#include <stdlib.h>
#include <string.h>

#include "evidence_priv.h"

#define EV_STRTAB_MIN_SLOTS 64

void ev_strtab_init(struct ev_strtab *t)
{
    memset(t, 0, sizeof(*t));
}

void ev_strtab_release(struct ev_strtab *t)
{
    size_t i;

    for (i = 0; i < t->count; i++) {
        free(t->keys[i]);
        free(t->aux[i]);
    }
    free(t->keys);
    free(t->aux);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* FNV-1a: a table key, not a security hash (the strings are the data's own). */
static uint64_t strtab_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static size_t strtab_slot(const struct ev_strtab *t, const char *key)
{
    size_t mask = t->slot_count - 1, i = (size_t)strtab_hash(key) & mask;

    while (t->slots[i] != 0 && strcmp(t->keys[t->slots[i] - 1], key) != 0) {
        i = (i + 1) & mask;
    }
    return i;
}

static void strtab_grow(struct ev_strtab *t)
{
    size_t i, n = t->slot_count == 0 ? EV_STRTAB_MIN_SLOTS : t->slot_count * 2;

    free(t->slots);
    t->slots = sho_xcalloc(n, sizeof(*t->slots));
    t->slot_count = n;
    for (i = 0; i < t->count; i++) {
        t->slots[strtab_slot(t, t->keys[i])] = (uint32_t)(i + 1);
    }
}

uint32_t ev_strtab_find(const struct ev_strtab *t, const char *key)
{
    size_t i;

    if (t->slot_count == 0) {
        return EV_NONE;
    }
    i = strtab_slot(t, key);
    return t->slots[i] == 0 ? EV_NONE : t->slots[i] - 1;
}

uint32_t ev_strtab_intern(struct ev_strtab *t, const char *key, const char *aux)
{
    uint32_t id = ev_strtab_find(t, key);

    if (id != EV_NONE) {
        return id;
    }
    if ((t->count + 1) * 2 > t->slot_count) {
        strtab_grow(t);
    }
    if (t->count == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->keys = sho_xrealloc(t->keys, t->cap * sizeof(*t->keys));
        t->aux = sho_xrealloc(t->aux, t->cap * sizeof(*t->aux));
    }
    t->keys[t->count] = sho_xstrdup(key);
    t->aux[t->count] = aux != NULL ? sho_xstrdup(aux) : NULL;
    t->slots[strtab_slot(t, key)] = (uint32_t)(t->count + 1);
    return (uint32_t)t->count++;
}

/* qsort has no context: the table being sorted goes through a wrapper array of pointers. */
struct strtab_ref {
    const char *key;
    uint32_t id;
};

static int strtab_ref_cmp(const void *a, const void *b)
{
    return strcmp(((const struct strtab_ref *)a)->key, ((const struct strtab_ref *)b)->key);
}

uint32_t *ev_strtab_sorted(const struct ev_strtab *t)
{
    struct strtab_ref *refs = sho_xcalloc(t->count + 1, sizeof(*refs));
    uint32_t *ids = sho_xcalloc(t->count + 1, sizeof(*ids));
    size_t i;

    for (i = 0; i < t->count; i++) {
        refs[i].key = t->keys[i];
        refs[i].id = (uint32_t)i;
    }
    qsort(refs, t->count, sizeof(*refs), strtab_ref_cmp);
    for (i = 0; i < t->count; i++) {
        ids[i] = refs[i].id;
    }
    free(refs);
    return ids;
}

/* "SEQ:INDEX" into its numbers; false when the row's reference is not one. */
static bool items_ref(const char *ref, uint64_t *seq, uint32_t *index)
{
    const char *colon = strchr(ref, ':');
    uint64_t i;

    if (colon == NULL || sho_parse_u64n(ref, (size_t)(colon - ref), UINT64_MAX - 1, 0, seq) != 0 ||
        sho_parse_u64(colon + 1, UINT32_MAX, 0, &i) != 0) {
        return false;
    }
    *index = (uint32_t)i;
    return true;
}

/* The person of a row: keyed by SID when known, else by DOMAIN\name. */
static uint32_t items_person(struct ev_pack *p, const struct sho_index_row *row)
{
    struct sho_buf key, aux;
    uint32_t id = EV_NONE;
    int rc;

    if (row->user_sid == NULL && row->user == NULL) {
        return EV_NONE;
    }
    sho_buf_init(&key, EV_TEXT_LIMIT);
    sho_buf_init(&aux, EV_TEXT_LIMIT);
    rc = row->user_sid != NULL
             ? sho_buf_appends(&key, row->user_sid)
             : sho_buf_appendf(&key, "%s\\%s", row->domain != NULL ? row->domain : "", row->user);
    if (rc == 0) {
        rc = sho_buf_appendf(&aux, "%s\x1f%s\x1f%s", row->user_sid != NULL ? row->user_sid : "",
                             row->domain != NULL ? row->domain : "",
                             row->user != NULL ? row->user : "");
    }
    if (rc == 0) {
        id = ev_strtab_intern(&p->persons, key.data, aux.data);
    }
    sho_buf_release(&key);
    sho_buf_release(&aux);
    return id;
}

int ev_items_take(void *ctx, const struct sho_index_row *row)
{
    struct ev_pack *p = ctx;
    struct ev_item *it;

    if (p->count == p->cap) {
        p->cap = p->cap == 0 ? 1024 : p->cap * 2;
        p->items = sho_xrealloc(p->items, p->cap * sizeof(*p->items));
    }
    it = &p->items[p->count];
    memset(it, 0, sizeof(*it));
    if (!items_ref(row->ref, &it->seq, &it->index)) {
        sho_log(SHO_LOG_WARN, "evidence: the index gave a bad reference '%s'; event left out",
                row->ref);
        return 0;
    }
    it->time = row->time;
    it->offset = -1;
    it->actions = row->actions;
    it->person = items_person(p, row);
    it->file = row->path != NULL ? ev_strtab_intern(&p->files, row->path, NULL) : EV_NONE;
    it->source = EV_NONE;
    p->count++;
    return 0;
}

static int items_cmp(const void *a, const void *b)
{
    const struct ev_item *x = a, *y = b;

    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index ? 1 : 0;
}

void ev_items_sort(struct ev_pack *p)
{
    size_t i, n = 0;

    qsort(p->items, p->count, sizeof(*p->items), items_cmp);
    for (i = 0; i < p->count; i++) {
        if (n == 0 || items_cmp(&p->items[n - 1], &p->items[i]) != 0) {
            p->items[n++] = p->items[i];
        }
    }
    p->count = n;
}
