/*
 * ch_people: persons as the index sees them, rebuilt from the table. The
 * table keeps each event's own person key (the SID, else domain\name); the
 * index also gives a name logged without a SID (Sysmon, text logs) to the
 * person whose SID was seen with that name, when exactly one was, and shows
 * each person under the name whose first event is latest in time. One
 * query (every key, domain and name with the time and reference of its
 * first event) gives both, kept here in three sorted arrays. The table
 * answering it, TABLE_people, is a materialized view that ClickHouse feeds
 * at each insert (ch_ship.c): a few rows per person, whatever the events.
 *
 * Difference: the index decides a name's SID with what it has indexed so
 * far, this with the whole table (docs/scale-out.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_people.h"

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ascii_eq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        int x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
        int y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;
        if (x != y) {
            return false;
        }
    }
    return *a == *b;
}

static bool is_sid_key(const char *key)
{
    return key[0] != '\0' && strchr(key, '\\') == NULL;
}

/* Lines "pkey, domain, user, first time, first reference". */
static int people_line(void *ctx, char *text, size_t len)
{
    struct ch_people *p = ctx;
    struct ch_person_name *e;
    char *f[5];
    uint64_t last, first;

    if (ch_tsv_split(text, len, f, 5) != 5 || sho_parse_u64(f[3], UINT64_MAX, 0, &last) != 0 ||
        sho_parse_u64(f[4], UINT64_MAX, 0, &first) != 0) {
        return SHO_ECORRUPT;
    }
    if (p->count == p->cap) {
        p->cap = p->cap != 0 ? p->cap * 2 : 64;
        p->v = sho_xrealloc(p->v, p->cap * sizeof(*p->v));
    }
    e = &p->v[p->count++];
    e->pkey = sho_xstrdup(f[0]);
    e->domain = sho_xstrdup(f[1]);
    e->user = sho_xstrdup(f[2]);
    e->last = last;
    e->first = first;
    e->person = NULL;
    return 0;
}

/* "domain\name" lower-cased: the key a name logged without a SID gets. */
static char *name_key(const struct ch_person_name *e)
{
    size_t n = strlen(e->domain) + strlen(e->user) + 2;
    char *k = sho_xmalloc(n), *c;

    (void)snprintf(k, n, "%s\\%s", e->domain, e->user);
    for (c = k; *c != '\0'; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c + 32);
        }
    }
    return k;
}

/* alias[]: "name key\0SID" pairs for the name keys seen with exactly one SID. */
static void people_alias(struct ch_people *p)
{
    char **pairs = sho_xcalloc(p->count + 1, sizeof(*pairs));
    size_t n = 0, i, j;

    for (i = 0; i < p->count; i++) {
        if (is_sid_key(p->v[i].pkey)) {
            char *k = name_key(&p->v[i]);
            size_t kl = strlen(k), sl = strlen(p->v[i].pkey);
            pairs[n] = sho_xmalloc(kl + sl + 2);
            memcpy(pairs[n], k, kl + 1);
            memcpy(pairs[n] + kl + 1, p->v[i].pkey, sl + 1);
            n++;
            free(k);
        }
    }
    qsort(pairs, n, sizeof(*pairs), str_cmp);
    p->alias = sho_xcalloc(n + 1, sizeof(*p->alias));
    for (i = 0; i < n; i = j) {
        bool one = true;
        for (j = i + 1; j < n && strcmp(pairs[j], pairs[i]) == 0; j++) {
            const char *a = pairs[i] + strlen(pairs[i]) + 1, *b = pairs[j] + strlen(pairs[j]) + 1;
            one = one && strcmp(a, b) == 0;
        }
        if (one) {
            p->alias[p->alias_count++] = pairs[i];
            pairs[i] = NULL;
        }
    }
    for (i = 0; i < n; i++) {
        free(pairs[i]);
    }
    free(pairs);
}

const char *ch_people_resolve(const struct ch_people *p, const char *pkey)
{
    char *const *hit;

    if (is_sid_key(pkey) || p->alias_count == 0) {
        return pkey;
    }
    hit = bsearch(&pkey, p->alias, p->alias_count, sizeof(*p->alias), str_cmp);
    return hit != NULL ? *hit + strlen(*hit) + 1 : pkey;
}

static int person_cmp(const void *a, const void *b)
{
    const struct ch_person_name *x = a, *y = b;
    int c = strcmp(x->person, y->person);

    if (c != 0) {
        return c;
    }
    /* the index's choice: latest first time, then the earliest recorded */
    if (x->last != y->last) {
        return x->last > y->last ? -1 : 1;
    }
    return x->first < y->first ? -1 : (x->first > y->first ? 1 : 0);
}

int ch_people_load(const struct sho_ch_target *t, struct ch_people *p, struct sho_err *err)
{
    char sql[512];
    size_t i;
    int rc;

    memset(p, 0, sizeof(*p));
    (void)snprintf(sql, sizeof(sql),
                   "SELECT pkey, domain, user, argMinMerge(first_time), minMerge(first_ref)"
                   " FROM %s_people GROUP BY pkey, domain, user FORMAT TabSeparated",
                   t->table);
    rc =
        ch_post(t, 0, "&skip_unavailable_shards=0", sql, NULL, 0, false, people_line, p, NULL, err);
    if (rc != 0) {
        if (err != NULL && strstr(err->msg, "doesn't exist") != NULL) {
            size_t n = strlen(err->msg);
            (void)snprintf(err->msg + n, sizeof(err->msg) - n,
                           " (made with the events table by 'shoseki ship --create')");
        }
        return rc;
    }
    people_alias(p);
    p->best = sho_xcalloc(p->count + 1, sizeof(*p->best));
    for (i = 0; i < p->count; i++) {
        p->v[i].person = ch_people_resolve(p, p->v[i].pkey);
        p->best[i] = p->v[i]; /* a shallow copy: the strings stay v's */
    }
    qsort(p->best, p->count, sizeof(*p->best), person_cmp);
    return 0;
}

static int best_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ch_person_name *)elem)->person);
}

const struct ch_person_name *ch_people_name(const struct ch_people *p, const char *person)
{
    const struct ch_person_name *hit;

    if (p->count == 0) {
        return NULL;
    }
    hit = bsearch(person, p->best, p->count, sizeof(*p->best), best_cmp);
    /* bsearch may land on any of a person's names: step back to its first, the best */
    while (hit != NULL && hit > p->best && strcmp(hit[-1].person, person) == 0) {
        hit--;
    }
    return hit;
}

static int key_add(struct sho_buf *in, uint64_t *count, const char *key)
{
    int rc = (*count)++ > 0 ? sho_buf_appends(in, ", ") : 0;
    return rc != 0 ? rc : ch_quote(in, key);
}

/* Every key of person `person`: its own and the name keys that belong to it. */
static int keys_of(const struct ch_people *p, const char *person, struct sho_buf *in,
                   uint64_t *count)
{
    size_t i;
    int rc = key_add(in, count, person);

    for (i = 0; rc == 0 && i < p->count; i++) {
        if (strcmp(p->v[i].person, person) == 0 && strcmp(p->v[i].pkey, person) != 0) {
            rc = key_add(in, count, p->v[i].pkey);
        }
    }
    return rc;
}

int ch_people_select(const struct ch_people *p, const char *domain, const char *user,
                     const char *const *persons, size_t person_count, struct sho_buf *in,
                     uint64_t *count)
{
    size_t i;
    int rc = 0;

    *count = 0;
    for (i = 0; rc == 0 && i < person_count; i++) {
        rc = keys_of(p, ch_people_resolve(p, persons[i]), in, count);
    }
    for (i = 0; rc == 0 && user != NULL && i < p->count; i++) {
        const struct ch_person_name *e = &p->v[i];
        if (ascii_eq(e->user, user) && (domain == NULL || ascii_eq(e->domain, domain))) {
            rc = keys_of(p, e->person, in, count);
        }
    }
    return rc;
}

void ch_people_release(struct ch_people *p)
{
    size_t i;

    for (i = 0; i < p->count; i++) {
        free(p->v[i].pkey);
        free(p->v[i].domain);
        free(p->v[i].user);
    }
    for (i = 0; i < p->alias_count; i++) {
        free(p->alias[i]);
    }
    free(p->alias);
    free(p->best);
    free(p->v);
}
