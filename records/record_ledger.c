/*
 * record_ledger: every record of the archive, read from the `detail` of the
 * SOURCE frames of kind "record" (one walk over the chain, checking it; no
 * file is rebuilt), then corrections and returns applied: a record named by
 * a later record's `corrects` is superseded (kept, marked), and a take-out
 * is returned by its own `until` or by the last return naming it or any of
 * its versions. Also the matching rules the reports use: which files a
 * disposal covers, whether an event's person is a record's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shoseki/records.h"

struct load_ctx {
    struct sho_records *set;
    struct sho_err *err;
};

static int load_source(void *ctx, const struct sho_archive_source *s)
{
    struct load_ctx *c = ctx;
    struct sho_records *set = c->set;
    struct sho_record *r;

    if (strcmp(s->kind, "record") != 0) {
        return 0;
    }
    if (s->detail == NULL) {
        return sho_err_set(c->err, SHO_ECORRUPT, s->name, -1, "record source %s has no detail",
                           s->sha256);
    }
    if (set->count == set->cap) {
        set->cap = set->cap != 0 ? 2 * set->cap : 16;
        set->r = sho_xrealloc(set->r, set->cap * sizeof(*set->r));
    }
    r = &set->r[set->count];
    if (sho_record_parse(s->detail, strlen(s->detail), r, c->err) != 0) {
        sho_record_release(r);
        return sho_err_set(c->err, SHO_ECORRUPT, s->name, -1, "source %s: %s", s->sha256,
                           c->err != NULL ? c->err->msg : "bad record");
    }
    sho_str_copy(r->source_sha, sizeof(r->source_sha), s->sha256);
    set->count++;
    return 0;
}

/* The index of record `id`, or SIZE_MAX. */
static size_t find_index(const struct sho_records *set, uint64_t id)
{
    size_t i;

    for (i = 0; i < set->count; i++) {
        if (set->r[i].id == id) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The index of the version in force of record `id`, or SIZE_MAX. */
static size_t current_index(const struct sho_records *set, uint64_t id)
{
    size_t i = find_index(set, id), hops = 0;

    while (i != SIZE_MAX && set->r[i].superseded_by != 0 && hops++ < set->count) {
        i = find_index(set, set->r[i].superseded_by);
    }
    return i;
}

const struct sho_record *sho_records_find(const struct sho_records *set, uint64_t id)
{
    size_t i = find_index(set, id);
    return i != SIZE_MAX ? &set->r[i] : NULL;
}

const struct sho_record *sho_records_current(const struct sho_records *set, uint64_t id)
{
    size_t i = current_index(set, id);
    return i != SIZE_MAX ? &set->r[i] : NULL;
}

static void load_apply(struct sho_records *set)
{
    size_t i;

    for (i = 0; i < set->count; i++) {
        const struct sho_record *r = &set->r[i];
        size_t old = r->corrects != 0 ? find_index(set, r->corrects) : SIZE_MAX;
        if (old != SIZE_MAX && old != i && set->r[old].kind == r->kind) {
            set->r[old].superseded_by = r->id;
        }
    }
    for (i = 0; i < set->count; i++) {
        struct sho_record *r = &set->r[i];
        if (r->kind == SHO_RECORD_TAKEOUT) {
            r->returned = r->until;
        }
    }
    for (i = 0; i < set->count; i++) {
        const struct sho_record *ret = &set->r[i];
        size_t t;
        if (ret->kind != SHO_RECORD_RETURN || ret->superseded_by != 0) {
            continue;
        }
        t = current_index(set, ret->takeout);
        if (t != SIZE_MAX && set->r[t].kind == SHO_RECORD_TAKEOUT) {
            set->r[t].returned = ret->time;
            set->r[t].return_id = ret->id;
        }
    }
}

int sho_records_load(struct sho_archive *a, struct sho_records *out, struct sho_err *err)
{
    struct load_ctx c;
    int rc;

    memset(out, 0, sizeof(*out));
    c.set = out;
    c.err = err;
    rc = sho_archive_sources(a, load_source, &c, err);
    if (rc == 0) {
        load_apply(out);
    }
    return rc;
}

void sho_records_release(struct sho_records *set)
{
    size_t i;

    for (i = 0; i < set->count; i++) {
        sho_record_release(&set->r[i]);
    }
    free(set->r);
    memset(set, 0, sizeof(*set));
}

/* One character of a path, folded: ASCII letters to lower case, `/` to `\`. */
static int fold(unsigned char c)
{
    return c == '/' ? '\\' : (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Are the first `n` characters of `a` and `b` the same, folded? (`b` has at least `n`.) */
static bool fold_eq(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

/* Glob match with * and ?, iteratively (the last star is retried), linear in practice. */
static bool glob_match(const char *pat, const char *s)
{
    const char *star = NULL, *retry = NULL;

    while (*s != '\0') {
        if (*pat == '*') {
            star = ++pat;
            retry = s;
        } else if (*pat == '?' ||
                   (*pat != '\0' && fold((unsigned char)*pat) == fold((unsigned char)*s))) {
            pat++;
            s++;
        } else if (star != NULL) {
            pat = star;
            s = ++retry;
        } else {
            return false;
        }
    }
    while (*pat == '*') {
        pat++;
    }
    return *pat == '\0';
}

bool sho_record_covers(const char *pattern, const char *path)
{
    size_t n = strlen(pattern);

    if (path == NULL || n == 0) {
        return false;
    }
    if (strpbrk(pattern, "*?") == NULL && (pattern[n - 1] == '\\' || pattern[n - 1] == '/')) {
        return strlen(path) >= n && fold_eq(pattern, path, n);
    }
    return glob_match(pattern, path);
}

bool sho_record_person_is(const char *person, const char *sid, const char *domain, const char *user)
{
    const char *slash = strchr(person, '\\');

    if (strncmp(person, "S-1-", 4) == 0) {
        return sid != NULL && sho_str_casecmp(person, sid) == 0;
    }
    if (user == NULL || sho_str_casecmp(slash != NULL ? slash + 1 : person, user) != 0) {
        return false;
    }
    if (slash == NULL) {
        return true;
    }
    return domain != NULL && strlen(domain) == (size_t)(slash - person) &&
           fold_eq(person, domain, (size_t)(slash - person));
}
