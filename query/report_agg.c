/*
 * report_agg: the tallies reports keep (per file, per person, per host): a
 * small table keyed by string, in order of first sight, each entry holding
 * first and last time, count, actions and a short list of who or what.
 * Sized by what a report selects, never by the archive.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

void ra_init(struct ra_table *t)
{
    memset(t, 0, sizeof(*t));
}

void ra_release(struct ra_table *t)
{
    size_t i, j;

    for (i = 0; i < t->count; i++) {
        struct ra_entry *e = &t->entries[i];
        free(e->key);
        for (j = 0; j < RA_STR_MAX; j++) {
            free(e->str[j]);
        }
        for (j = 0; j < e->who_count; j++) {
            free(e->who[j]);
        }
        free(e->who);
    }
    free(t->entries);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static uint64_t ra_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static void ra_rehash(struct ra_table *t)
{
    size_t i, cap = t->slot_cap != 0 ? t->slot_cap * 2 : 64;

    while (cap < (t->count + 1) * 2) {
        cap *= 2;
    }
    free(t->slots);
    t->slots = sho_xmalloc(cap * sizeof(*t->slots));
    for (i = 0; i < cap; i++) {
        t->slots[i] = SIZE_MAX;
    }
    t->slot_cap = cap;
    for (i = 0; i < t->count; i++) {
        size_t k = (size_t)ra_hash(t->entries[i].key) & (cap - 1);
        while (t->slots[k] != SIZE_MAX) {
            k = (k + 1) & (cap - 1);
        }
        t->slots[k] = i;
    }
}

struct ra_entry *ra_find(struct ra_table *t, const char *key)
{
    size_t k;

    if (t->slot_cap == 0) {
        return NULL;
    }
    k = (size_t)ra_hash(key) & (t->slot_cap - 1);
    while (t->slots[k] != SIZE_MAX) {
        if (strcmp(t->entries[t->slots[k]].key, key) == 0) {
            return &t->entries[t->slots[k]];
        }
        k = (k + 1) & (t->slot_cap - 1);
    }
    return NULL;
}

struct ra_entry *ra_get(struct ra_table *t, const char *key, bool *created)
{
    struct ra_entry *e = ra_find(t, key);
    size_t k;

    *created = false;
    if (e != NULL) {
        return e;
    }
    if ((t->count + 1) * 2 > t->slot_cap) {
        ra_rehash(t);
    }
    if (t->count == t->cap) {
        t->cap = t->cap != 0 ? t->cap * 2 : 64;
        t->entries = sho_xrealloc(t->entries, t->cap * sizeof(*t->entries));
    }
    e = &t->entries[t->count];
    memset(e, 0, sizeof(*e));
    e->key = sho_xstrdup(key);
    e->first = UINT64_MAX;
    k = (size_t)ra_hash(key) & (t->slot_cap - 1);
    while (t->slots[k] != SIZE_MAX) {
        k = (k + 1) & (t->slot_cap - 1);
    }
    t->slots[k] = t->count++;
    *created = true;
    return e;
}

void ra_count(struct ra_entry *e, uint64_t time, uint32_t actions)
{
    e->count++;
    e->actions |= actions;
    e->first = time < e->first ? time : e->first;
    e->last = time > e->last ? time : e->last;
}

void ra_who(struct ra_entry *e, const char *who)
{
    size_t i;

    if (who == NULL || *who == '\0') {
        return;
    }
    for (i = 0; i < e->who_count; i++) {
        if (strcmp(e->who[i], who) == 0) {
            return;
        }
    }
    e->who = sho_xrealloc(e->who, (e->who_count + 1) * sizeof(*e->who));
    e->who[e->who_count++] = sho_xstrdup(who);
}

static int ra_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *ra_who_text(const struct ra_entry *e)
{
    struct sho_buf b;
    size_t i;
    char *s;

    if (e->who_count == 0) {
        return NULL;
    }
    /* sorted: the text must not depend on the order rows arrived in */
    qsort(e->who, e->who_count, sizeof(*e->who), ra_str_cmp);
    sho_buf_init(&b, (size_t)1 << 20);
    for (i = 0; i < e->who_count; i++) {
        if (sho_buf_appendf(&b, "%s%s", i != 0 ? " " : "", e->who[i]) != 0) {
            break;
        }
    }
    s = sho_xstrdup(b.data != NULL ? b.data : "");
    sho_buf_release(&b);
    return s;
}

static int ra_cmp_first(const void *a, const void *b)
{
    const struct ra_entry *x = a, *y = b;

    if (x->hop != y->hop) {
        return x->hop < y->hop ? -1 : 1;
    }
    if (x->first != y->first) {
        return x->first < y->first ? -1 : 1;
    }
    return strcmp(x->key, y->key);
}

void ra_sort(struct ra_table *t)
{
    if (t->count == 0) {
        return;
    }
    qsort(t->entries, t->count, sizeof(*t->entries), ra_cmp_first);
    free(t->slots);
    t->slots = NULL;
    t->slot_cap = 0;
    if (t->count > 0) {
        ra_rehash(t);
    }
}

char *ra_person_label(const struct sho_index_row *r)
{
    struct sho_buf b;
    char *s;

    if (r->user == NULL || r->user[0] == '\0') {
        return r->user_sid != NULL ? sho_xstrdup(r->user_sid) : NULL;
    }
    sho_buf_init(&b, 4096);
    if (sho_buf_appendf(&b, "%s%s%s", r->domain != NULL ? r->domain : "",
                        r->domain != NULL && r->domain[0] != '\0' ? "\\" : "", r->user) != 0) {
        sho_buf_release(&b);
        return sho_xstrdup(r->user);
    }
    s = sho_xstrdup(b.data);
    sho_buf_release(&b);
    return s;
}
