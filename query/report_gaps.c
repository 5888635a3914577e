/*
 * report_gaps: how complete the evidence is, and what the logs say about
 * their own auditing; one row per finding, in time order (docs/reports.md).
 *   gaps    record ids the archive never received (from the ranges collect
 *           keeps of every record read), logs cleared (1102, 104), audit
 *           policy changed (4719), silences longer than --quiet in a log,
 *           hosts that stopped sending while others went on;
 *   health  hosts with logons but no file-access events (object access
 *           auditing off), hosts with only failed accesses (success auditing
 *           off), logs that wrapped between two exports, sources too
 *           fragmented to describe.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

enum gap_kind {
    GK_RECORDS,
    GK_CLEARED,
    GK_POLICY,
    GK_SILENCE,
    GK_STOPPED,
    GK_NO_OBJECT,
    GK_ONLY_FAILED,
    GK_WRAPPED,
    GK_INCOMPLETE,
};

static const char *const gap_kinds[] = {
    "record-gap",    "log-cleared", "audit-policy-changed",
    "silence",       "stopped",     "no-object-access",
    "only-failures", "wrapped",     "incomplete",
};

struct gap_row {
    enum gap_kind kind;
    char *host, *channel, *detail, *user; /* owned, may be NULL */
    uint64_t from, until, count;
    char ref[32];
};

struct gaps {
    struct rp_opts *o;
    uint64_t quiet;       /* ticks */
    struct gap_row *rows; /* owned */
    size_t count, cap;
    struct ra_table streams; /* "host\x1fchannel" -> last event */
    struct ra_table hosts;   /* host -> last event */
    uint64_t newest;         /* the latest event seen */
    struct sho_err err;
};

static struct gap_row *gap_add(struct gaps *g, enum gap_kind kind, const char *host,
                               const char *channel, uint64_t from, uint64_t until)
{
    struct gap_row *r;

    if (g->count == g->cap) {
        g->cap = g->cap != 0 ? g->cap * 2 : 32;
        g->rows = sho_xrealloc(g->rows, g->cap * sizeof(*g->rows));
    }
    r = &g->rows[g->count++];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->host = host != NULL && host[0] != '\0' ? sho_xstrdup(host) : NULL;
    r->channel = channel != NULL && channel[0] != '\0' ? sho_xstrdup(channel) : NULL;
    r->from = from;
    r->until = until;
    return r;
}

/* Does [from, until] meet the window? */
static bool gap_in_window(const struct gaps *g, uint64_t from, uint64_t until)
{
    return (g->o->base.since == 0 || until >= g->o->base.since) &&
           (g->o->base.until == 0 || from < g->o->base.until);
}

/* A run of missing record ids lo..hi of log `s` as a row of `kind` (in the window only). */
static void gap_ids(struct gaps *g, enum gap_kind kind, const struct rr_stream *s, uint64_t lo,
                    uint64_t hi, uint64_t t_before, uint64_t t_after)
{
    struct gap_row *r;
    char d[160];
    int n;

    if (!gap_in_window(g, t_before, t_after)) {
        return;
    }
    r = gap_add(g, kind, s->host, s->channel, t_before, t_after);
    r->count = hi - lo + 1;
    n = lo == hi ? snprintf(d, sizeof(d), "record %llu", (unsigned long long)lo)
                 : snprintf(d, sizeof(d), "records %llu-%llu", (unsigned long long)lo,
                            (unsigned long long)hi);
    (void)snprintf(d + (n > 0 ? n : 0), sizeof(d) - (size_t)(n > 0 ? n : 0), "%s",
                   kind == GK_WRAPPED
                       ? (lo == hi ? " was overwritten before the next export (the log wrapped)"
                                   : " were overwritten before the next export (the log wrapped)")
                       : " missing");
    r->detail = sho_xstrdup(d);
}

static int gap_hole(void *ctx, const struct rr_stream *s, uint64_t lo, uint64_t hi,
                    uint64_t t_before, uint64_t t_after)
{
    gap_ids(ctx, GK_RECORDS, s, lo, hi, t_before, t_after);
    return 0;
}

/* "3 h", "2 d 4 h": a silence's length for people. */
static char *gap_duration(uint64_t ticks)
{
    uint64_t h = ticks / (3600ULL * SHO_TICKS_PER_SECOND);
    char d[64];

    if (h >= 48) {
        (void)snprintf(d, sizeof(d), "no event for %llu d %llu h", (unsigned long long)(h / 24),
                       (unsigned long long)(h % 24));
    } else {
        (void)snprintf(d, sizeof(d), "no event for %llu h", (unsigned long long)h);
    }
    return sho_xstrdup(d);
}

static int gap_event(void *ctx, const struct sho_index_row *row)
{
    struct gaps *g = ctx;
    struct ra_entry *e;
    struct sho_buf key;
    bool created;

    if ((row->actions & (SHO_ACT_LOG_CLEARED | SHO_ACT_AUDIT_POLICY)) != 0) {
        struct gap_row *r =
            gap_add(g, (row->actions & SHO_ACT_LOG_CLEARED) != 0 ? GK_CLEARED : GK_POLICY,
                    row->host, row->channel, row->time, row->time);
        r->count = 1;
        r->user = ra_person_label(row);
        (void)snprintf(r->ref, sizeof(r->ref), "%s", row->ref);
        if (rp_tap(g->o, row) != 0) {
            return 1;
        }
    }
    sho_buf_init(&key, (size_t)1 << 16);
    if (sho_buf_appendf(&key, "%s\x1f%s", row->host != NULL ? row->host : "",
                        row->channel != NULL ? row->channel : "") == 0) {
        e = ra_get(&g->streams, key.data, &created);
        if (!created && row->time > e->last + g->quiet) {
            struct gap_row *r = gap_add(g, GK_SILENCE, row->host, row->channel, e->last, row->time);
            r->detail = gap_duration(row->time - e->last);
        }
        ra_count(e, row->time, row->actions);
    }
    sho_buf_release(&key);
    e = ra_get(&g->hosts, row->host != NULL ? row->host : "", &created);
    ra_count(e, row->time, row->actions);
    g->newest = row->time > g->newest ? row->time : g->newest;
    return 0;
}

/* Hosts whose last event is more than --quiet before the latest of all. */
static void gap_stopped(struct gaps *g)
{
    size_t i;

    for (i = 0; i < g->hosts.count; i++) {
        const struct ra_entry *e = &g->hosts.entries[i];
        if (e->key[0] != '\0' && g->newest > e->last + g->quiet) {
            struct gap_row *r = gap_add(g, GK_STOPPED, e->key, NULL, e->last, g->newest);
            r->detail = gap_duration(g->newest - e->last);
        }
    }
}

static int gap_row_cmp(const void *a, const void *b)
{
    const struct gap_row *x = a, *y = b;

    if (x->from != y->from) {
        return x->from < y->from ? -1 : 1;
    }
    return (int)x->kind - (int)y->kind;
}

static const struct qo_col gap_cols[] = {
    { "kind", "KIND", QO_STR },     { "host", "HOST", QO_STR },   { "channel", "CHANNEL", QO_STR },
    { "from", "FROM", QO_STR },     { "until", "UNTIL", QO_STR }, { "count", "COUNT", QO_NUM },
    { "detail", "DETAIL", QO_STR }, { "user", "USER", QO_STR },   { "ref", "REF", QO_STR },
};

static int gap_print(struct gaps *g, uint64_t *rows)
{
    struct qo_writer *w = qo_new_cols(g->o->out, g->o->fmt, g->o->excel, &g->o->tz, gap_cols,
                                      SHO_ARRAY_COUNT(gap_cols));
    size_t i;
    int rc = 0;

    qsort(g->rows, g->count, sizeof(*g->rows), gap_row_cmp);
    for (i = 0; rc == 0 && i < g->count; i++) {
        struct gap_row *r = &g->rows[i];
        char *c[SHO_ARRAY_COUNT(gap_cols)];
        c[0] = qo_cell_str(gap_kinds[r->kind]);
        c[1] = r->host;
        c[2] = r->channel;
        c[3] = r->from != 0 ? qo_cell_time(w, r->from) : NULL;
        c[4] = r->until != 0 ? qo_cell_time(w, r->until) : NULL;
        c[5] = r->count != 0 ? qo_cell_num(r->count) : NULL;
        c[6] = r->detail;
        c[7] = r->user;
        c[8] = r->ref[0] != '\0' ? qo_cell_str(r->ref) : NULL;
        r->host = r->channel = r->detail = r->user = NULL; /* the writer owns them now */
        rc = qo_put_cells(w, c, 0, &g->err);
        (*rows)++;
    }
    rc = rc == 0 ? qo_finish(w, &g->err) : rc;
    qo_free(w);
    return rc;
}

static void gap_init(struct gaps *g, struct rp_opts *o)
{
    memset(g, 0, sizeof(*g));
    g->o = o;
    ra_init(&g->streams);
    ra_init(&g->hosts);
    sho_err_clear(&g->err);
}

static void gap_release(struct gaps *g);

/* Print the rows when all went well; say what did not; an exit status. Releases `g`. */
static int gap_finish(struct gaps *g, int rc, uint64_t *rows)
{
    if (rc == 0) {
        rc = gap_print(g, rows);
    }
    if (rc != 0 && g->err.code != 0) {
        sho_log_err(SHO_LOG_ERROR, &g->err);
    }
    if (rc != 0) {
        rc = rc == SHO_ETAMPER || rc == SHO_ECORRUPT ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    gap_release(g);
    return rc;
}

static void gap_release(struct gaps *g)
{
    size_t i;

    for (i = 0; i < g->count; i++) {
        free(g->rows[i].host);
        free(g->rows[i].channel);
        free(g->rows[i].detail);
        free(g->rows[i].user);
    }
    free(g->rows);
    ra_release(&g->streams);
    ra_release(&g->hosts);
}

int rg_gaps(struct rp_opts *o, uint64_t quiet, uint64_t *rows)
{
    struct gaps g;
    struct rr_set set;
    size_t i;
    int rc;

    gap_init(&g, o);
    g.quiet = quiet;
    rc = rr_load(sho_archive_data_dir(o->data), &set, &g.err);
    for (i = 0; rc == 0 && i < set.count; i++) {
        rc = rr_holes(&set.s[i], gap_hole, &g);
    }
    if (rc == 0 && set.sources_without > 0) {
        sho_log(SHO_LOG_WARN,
                "%llu of %llu Windows log sources were collected before record ids were kept: "
                "gaps in them cannot be told",
                (unsigned long long)set.sources_without, (unsigned long long)set.sources);
    }
    rr_release(&set);
    if (rc == 0) {
        rc = sho_index_search(o->ix, &o->base, gap_event, &g, &g.err);
    }
    if (rc == 0) {
        gap_stopped(&g);
    }
    return gap_finish(&g, rc, rows);
}

/* ---- health ------------------------------------------------------------------------- */

/* Object access: what file auditing logs (not logons, share connections, log events). */
static const uint32_t object_actions =
    ~(uint32_t)(SHO_ACT_SHARE_CONNECT | SHO_ACT_LOGON | SHO_ACT_LOGOFF | SHO_ACT_LOG_CLEARED |
                SHO_ACT_AUDIT_POLICY | SHO_ACT_DEVICE_CONNECT);

/* A host's tallies; each rides in its host entry's str[0] and goes with the table. */
struct health_host {
    uint64_t logons, objects, successes, failures, first, last;
};

static int health_event(void *ctx, const struct sho_index_row *row)
{
    struct gaps *g = ctx;
    bool created;
    struct ra_entry *e = ra_get(&g->hosts, row->host != NULL ? row->host : "", &created);
    struct health_host *h;

    if (created) {
        e->str[0] = sho_xcalloc(1, sizeof(struct health_host));
    }
    h = (struct health_host *)(void *)e->str[0];
    ra_count(e, row->time, row->actions);
    if ((row->actions & (SHO_ACT_LOGON | SHO_ACT_LOGOFF)) != 0) {
        h->logons++;
    }
    if (row->path != NULL && (row->actions & object_actions) != 0) {
        h->objects++;
        h->successes += row->outcome == SHO_OUTCOME_SUCCESS;
        h->failures += row->outcome == SHO_OUTCOME_FAILURE;
    }
    return 0;
}

static void health_hosts(struct gaps *g)
{
    size_t i;
    char d[160];

    for (i = 0; i < g->hosts.count; i++) {
        const struct ra_entry *e = &g->hosts.entries[i];
        const struct health_host *h = (const struct health_host *)(const void *)e->str[0];
        struct gap_row *r;
        if (e->key[0] == '\0' || h == NULL) {
            continue;
        }
        if (h->logons > 0 && h->objects == 0) {
            r = gap_add(g, GK_NO_OBJECT, e->key, NULL, e->first, e->last);
            r->count = h->logons;
            (void)snprintf(d, sizeof(d),
                           "%llu logon events but no file access: object access auditing is "
                           "likely off",
                           (unsigned long long)h->logons);
            r->detail = sho_xstrdup(d);
        } else if (h->objects > 0 && h->successes == 0 && h->failures > 0) {
            r = gap_add(g, GK_ONLY_FAILED, e->key, NULL, e->first, e->last);
            r->count = h->failures;
            (void)snprintf(d, sizeof(d),
                           "only failed file accesses are logged (%llu): success auditing is "
                           "likely off",
                           (unsigned long long)h->failures);
            r->detail = sho_xstrdup(d);
        }
    }
}

static int health_wrap(void *ctx, const struct rr_stream *s, uint64_t lo, uint64_t hi,
                       uint64_t t_before, uint64_t t_after)
{
    gap_ids(ctx, GK_WRAPPED, s, lo, hi, t_before, t_after);
    return 0;
}

static int health_ranges(struct gaps *g)
{
    struct rr_set set;
    size_t i;
    int rc = rr_load(sho_archive_data_dir(g->o->data), &set, &g->err);

    for (i = 0; rc == 0 && i < set.count; i++) {
        if (set.s[i].incomplete) {
            struct gap_row *r = gap_add(g, GK_INCOMPLETE, set.s[i].host, set.s[i].channel, 0, 0);
            r->detail = sho_xstrdup("a source held too many separate runs of record ids to "
                                    "describe: some gaps may go unreported");
        }
        rc = rr_wraps(&set.s[i], health_wrap, g);
    }
    rr_release(&set);
    return rc;
}

int rg_health(struct rp_opts *o, uint64_t *rows)
{
    struct gaps g;
    int rc;

    gap_init(&g, o);
    rc = health_ranges(&g);
    if (rc == 0) {
        rc = sho_index_search(o->ix, &o->base, health_event, &g, &g.err);
    }
    if (rc == 0) {
        health_hosts(&g);
    }
    return gap_finish(&g, rc, rows);
}
