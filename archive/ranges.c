/*
 * ranges: which record ids a collected file holds, per log (host and
 * channel), as contiguous ranges with the times of their first and last
 * records. Every record read counts, stored as an event or not, so a hole
 * between ranges is a record the log never gave us (deleted, lost to
 * wrapping, or never exported), not one the normalizer passed over. Written
 * into the SOURCE frame as `records` lines (docs/archive-format.md) and read
 * back by `report gaps` and `report health`. Memory is bounded: past
 * ARC_RANGES_MAX ranges or ARC_STREAMS_MAX logs in one file the record says
 * it is incomplete rather than growing.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_priv.h"

#define ARC_RANGES_MAX  65536
#define ARC_STREAMS_MAX 64

struct arc_range {
    uint64_t lo, hi;     /* record ids, inclusive */
    uint64_t t_lo, t_hi; /* FILETIME of the records lo and hi */
    uint32_t stream;     /* index into streams */
};

struct arc_stream {
    char *host, *channel; /* owned; "" when the record had none */
    size_t open;          /* the range records of this log extend, SIZE_MAX: none */
};

struct arc_ranges {
    struct arc_range *r;
    size_t count, cap;
    struct arc_stream streams[ARC_STREAMS_MAX];
    size_t stream_count;
    bool truncated; /* some records are not described */
};

struct arc_ranges *arc_ranges_new(void)
{
    return sho_xcalloc(1, sizeof(struct arc_ranges));
}

void arc_ranges_free(struct arc_ranges *g)
{
    size_t i;

    if (g == NULL) {
        return;
    }
    for (i = 0; i < g->stream_count; i++) {
        free(g->streams[i].host);
        free(g->streams[i].channel);
    }
    free(g->r);
    free(g);
}

static size_t ranges_stream(struct arc_ranges *g, const char *host, const char *channel)
{
    size_t i;

    host = host != NULL ? host : "";
    channel = channel != NULL ? channel : "";
    for (i = g->stream_count; i > 0; i--) { /* the last one first: a file is mostly one log */
        if (strcmp(g->streams[i - 1].host, host) == 0 &&
            strcmp(g->streams[i - 1].channel, channel) == 0) {
            return i - 1;
        }
    }
    if (g->stream_count == ARC_STREAMS_MAX) {
        return SIZE_MAX;
    }
    g->streams[g->stream_count].host = sho_xstrdup(host);
    g->streams[g->stream_count].channel = sho_xstrdup(channel);
    g->streams[g->stream_count].open = SIZE_MAX;
    return g->stream_count++;
}

void arc_ranges_add(struct arc_ranges *g, const char *host, const char *channel, uint64_t id,
                    uint64_t time)
{
    size_t s = ranges_stream(g, host, channel);
    struct arc_range *o;

    if (s == SIZE_MAX) {
        g->truncated = true;
        return;
    }
    o = g->streams[s].open != SIZE_MAX ? &g->r[g->streams[s].open] : NULL;
    if (o != NULL && id == o->hi + 1) {
        o->hi = id;
        o->t_hi = time;
        return;
    }
    if (o != NULL && id >= o->lo && id <= o->hi) {
        return; /* already described (a record read twice) */
    }
    if (g->count == ARC_RANGES_MAX) {
        g->truncated = true;
        return;
    }
    if (g->count == g->cap || g->r == NULL) {
        g->cap = g->cap != 0 ? g->cap * 2 : 16;
        g->r = sho_xrealloc(g->r, g->cap * sizeof(*g->r));
    }
    g->r[g->count] = (struct arc_range){ id, id, time, time, (uint32_t)s };
    g->streams[s].open = g->count++;
}

static int range_cmp(const void *a, const void *b)
{
    const struct arc_range *x = a, *y = b;

    if (x->stream != y->stream) {
        return x->stream < y->stream ? -1 : 1;
    }
    return x->lo < y->lo ? -1 : (x->lo > y->lo ? 1 : 0);
}

/* Sort by log and id, and join ranges that touch or overlap. */
static void ranges_merge(struct arc_ranges *g)
{
    size_t i, n = 0;

    if (g->count == 0) {
        return;
    }
    qsort(g->r, g->count, sizeof(*g->r), range_cmp);
    for (i = 1; i < g->count; i++) {
        struct arc_range *last = &g->r[n];
        const struct arc_range *cur = &g->r[i];
        if (cur->stream == last->stream && cur->lo <= last->hi + 1) {
            if (cur->hi > last->hi) {
                last->hi = cur->hi;
                last->t_hi = cur->t_hi;
            }
            continue;
        }
        g->r[++n] = *cur;
    }
    g->count = n + 1;
    for (i = 0; i < g->stream_count; i++) {
        g->streams[i].open = SIZE_MAX; /* indexes moved: no range is extended after this */
    }
}

int arc_ranges_text(struct arc_ranges *g, struct sho_buf *out)
{
    struct sho_buf v;
    size_t i;
    int rc = 0;

    ranges_merge(g);
    sho_buf_init(&v, (size_t)1 << 20);
    for (i = 0; rc == 0 && i < g->count; i++) {
        const struct arc_range *r = &g->r[i];
        sho_buf_reset(&v);
        rc = sho_buf_appendf(&v, "%llu %llu %llu %llu %s\t%s", (unsigned long long)r->lo,
                             (unsigned long long)r->hi, (unsigned long long)r->t_lo,
                             (unsigned long long)r->t_hi, g->streams[r->stream].host,
                             g->streams[r->stream].channel);
        if (rc == 0) {
            rc = arc_text_value(out, "records", v.data);
        }
    }
    if (rc == 0 && g->truncated) {
        rc = sho_buf_appendf(out, "records_incomplete 1\n");
    }
    sho_buf_release(&v);
    return rc;
}

int arc_ranges_parse(char *value, struct sho_archive_range *out)
{
    uint64_t n[4];
    char *p = value, *sp, *tab;
    size_t i;

    for (i = 0; i < 4; i++) {
        sp = strchr(p, ' ');
        if (sp == NULL) {
            return SHO_ECORRUPT;
        }
        *sp = '\0';
        if (sho_parse_u64(p, UINT64_MAX, 0, &n[i]) != 0) {
            return SHO_ECORRUPT;
        }
        p = sp + 1;
    }
    tab = strchr(p, '\t');
    if (tab == NULL || n[0] > n[1]) {
        return SHO_ECORRUPT;
    }
    *tab = '\0';
    out->lo = n[0];
    out->hi = n[1];
    out->first_time = n[2];
    out->last_time = n[3];
    out->host = p;
    out->channel = tab + 1;
    return 0;
}
