/*
 * report_ranges: the record ids the archive holds, log by log (host and
 * channel), read from the sources' SOURCE frames, where collect writes the
 * ranges of ids of every record it read, stored as an event or not. Holes
 * in their union are records the archive never received; a source whose ids
 * start past everything collected before it means the log wrapped between
 * two exports. Used by `report gaps` and `report health`.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static struct rr_stream *rr_stream_get(struct rr_set *set, const char *host, const char *channel)
{
    size_t i;

    for (i = set->count; i > 0; i--) {
        struct rr_stream *s = &set->s[i - 1];
        if (strcmp(s->host, host) == 0 && strcmp(s->channel, channel) == 0) {
            return s;
        }
    }
    if (set->count == set->cap) {
        set->cap = set->cap != 0 ? set->cap * 2 : 16;
        set->s = sho_xrealloc(set->s, set->cap * sizeof(*set->s));
    }
    memset(&set->s[set->count], 0, sizeof(set->s[0]));
    set->s[set->count].host = sho_xstrdup(host);
    set->s[set->count].channel = sho_xstrdup(channel);
    return &set->s[set->count++];
}

static int rr_source(void *ctx, const struct sho_archive_source *src)
{
    struct rr_set *set = ctx;
    size_t i;

    for (i = 0; i < src->range_count; i++) {
        const struct sho_archive_range *g = &src->ranges[i];
        struct rr_stream *s = rr_stream_get(set, g->host, g->channel);
        if (s->count == s->cap) {
            s->cap = s->cap != 0 ? s->cap * 2 : 16;
            s->r = sho_xrealloc(s->r, s->cap * sizeof(*s->r));
        }
        s->r[s->count++] = (struct rr_range){ g->lo, g->hi, g->first_time, g->last_time, src->seq };
        s->incomplete |= src->ranges_incomplete;
    }
    /* Windows logs (EVTX, XML exports) carry record ids; text sources have none to keep */
    if (src->kind != NULL && (strcmp(src->kind, "evtx") == 0 || strcmp(src->kind, "xml") == 0)) {
        set->sources++;
        set->sources_without += src->range_count == 0;
    }
    return 0;
}

int rr_load(const char *dir, struct rr_set *set, struct sho_err *err)
{
    struct sho_archive *a = NULL;
    int rc;

    memset(set, 0, sizeof(*set));
    rc = sho_archive_open(dir, NULL, &a, err);
    if (rc == 0) {
        rc = sho_archive_sources(a, rr_source, set, err);
    }
    sho_archive_close(a);
    return rc;
}

void rr_release(struct rr_set *set)
{
    size_t i;

    for (i = 0; i < set->count; i++) {
        free(set->s[i].host);
        free(set->s[i].channel);
        free(set->s[i].r);
    }
    free(set->s);
    memset(set, 0, sizeof(*set));
}

static int rr_by_id(const void *a, const void *b)
{
    const struct rr_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : (x->lo > y->lo ? 1 : 0);
}

static int rr_by_source(const void *a, const void *b)
{
    const struct rr_range *x = a, *y = b;

    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return rr_by_id(a, b);
}

int rr_holes(struct rr_stream *s, rr_hole_fn fn, void *ctx)
{
    uint64_t hi, t_hi;
    size_t i;
    int rc = 0;

    if (s->count == 0) {
        return 0;
    }
    qsort(s->r, s->count, sizeof(*s->r), rr_by_id);
    hi = s->r[0].hi;
    t_hi = s->r[0].t_hi;
    for (i = 1; rc == 0 && i < s->count; i++) {
        if (s->r[i].lo > hi + 1) {
            rc = fn(ctx, s, hi + 1, s->r[i].lo - 1, t_hi, s->r[i].t_lo);
        }
        if (s->r[i].hi > hi) {
            hi = s->r[i].hi;
            t_hi = s->r[i].t_hi;
        }
    }
    return rc;
}

struct rr_group {
    size_t start, end; /* ranges [start, end) of one source, by id */
    uint64_t t_min;    /* its earliest record */
};

static int rr_by_time(const void *a, const void *b)
{
    const struct rr_group *x = a, *y = b;
    return x->t_min < y->t_min ? -1 : (x->t_min > y->t_min ? 1 : 0);
}

int rr_wraps(struct rr_stream *s, rr_hole_fn fn, void *ctx)
{
    struct rr_group *g = sho_xcalloc(s->count + 1, sizeof(*g));
    size_t n = 0, i, k;
    uint64_t hi = 0, t_hi = 0;
    int rc = 0;

    qsort(s->r, s->count, sizeof(*s->r), rr_by_source);
    for (i = 0; i < s->count; i = g[n++].end) {
        g[n].start = i;
        g[n].t_min = s->r[i].t_lo;
        for (k = i; k < s->count && s->r[k].seq == s->r[i].seq; k++) {
            g[n].t_min = s->r[k].t_lo < g[n].t_min ? s->r[k].t_lo : g[n].t_min;
        }
        g[n].end = k;
    }
    qsort(g, n, sizeof(*g), rr_by_time); /* exports in the order they were written */
    for (i = 0; rc == 0 && i < n; i++) {
        const struct rr_range *low = &s->r[g[i].start]; /* lowest id of this export */
        if (i > 0 && low->lo > hi + 1) {
            rc = fn(ctx, s, hi + 1, low->lo - 1, t_hi, low->t_lo);
        }
        for (k = g[i].start; k < g[i].end; k++) {
            if (i == 0 || s->r[k].hi > hi) {
                hi = s->r[k].hi;
                t_hi = s->r[k].t_hi;
            }
        }
    }
    free(g);
    return rc;
}
