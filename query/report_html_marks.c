/*
 * report_html_marks: what the HTML report marks on its timeline, gathered
 * after the selection over the report's window:
 * - bursts: `report mass-access` with the same data and policy, run through
 *   the selection API; its tap hands over the events of every burst, which
 *   are grouped per person (a pause longer than the policy's minutes starts
 *   another burst); only the selection's persons are kept;
 * - log clears: `timeline --actions log-cleared` over the window, any host;
 * - record-id gaps: the index holds no record ids, so the archive's events
 *   are walked once; for the selection's hosts, each channel's record ids in
 *   the window are kept as a set of runs (memory follows the gaps, not the
 *   events) and every hole between runs is a gap, unless the records after
 *   it are older than those before (numbering that started again).
 */
#include <stdlib.h>
#include <string.h>

#include "report_html_priv.h"
#include "shoseki/archive.h"

void rh_marks_release(struct rh_marks *m)
{
    size_t i;

    for (i = 0; i < m->burst_count; i++) {
        free(m->bursts[i].person);
    }
    for (i = 0; i < m->clear_count; i++) {
        free(m->clears[i].host);
        free(m->clears[i].person);
        free(m->clears[i].ref);
    }
    for (i = 0; i < m->gap_count; i++) {
        free(m->gaps[i].host);
        free(m->gaps[i].channel);
    }
    free(m->bursts);
    free(m->clears);
    free(m->gaps);
    memset(m, 0, sizeof(*m));
}

/* ---- bursts ------------------------------------------------------------------------ */

struct burst_ctx {
    struct rh_agg *a;
    struct ra_table open;  /* person -> key "N": their burst being gathered */
    struct ra_table files; /* "N\x1fpath": distinct files per burst */
};

static int rh_burst_tap(void *ctx, const struct sho_index_row *row)
{
    struct burst_ctx *c = ctx;
    struct rh_marks *m = &c->a->marks;
    uint64_t pause = (uint64_t)c->a->pol.mass_minutes * 600000000ULL;
    char *label = ra_person_label(row);
    struct ra_entry *e;
    struct rh_burst *b;
    struct sho_buf key;
    bool created;

    if (label == NULL || ra_find(&c->a->persons.t, label) == NULL) {
        free(label);
        return 0; /* someone outside the selection */
    }
    e = ra_get(&c->open, label, &created);
    b = created ? NULL : &m->bursts[e->count];
    if (b == NULL || row->time > b->end + pause) {
        m->bursts = sho_xrealloc(m->bursts, (m->burst_count + 1) * sizeof(*m->bursts));
        b = &m->bursts[m->burst_count];
        memset(b, 0, sizeof(*b));
        b->person = sho_xstrdup(label);
        b->start = row->time;
        e->count = m->burst_count++;
    }
    b->end = row->time > b->end ? row->time : b->end;
    b->events++;
    sho_buf_init(&key, (size_t)1 << 16);
    if (row->path != NULL &&
        sho_buf_appendf(&key, "%llu\x1f%s", (unsigned long long)e->count, row->path) == 0) {
        (void)ra_get(&c->files, key.data, &created);
        b->files += created;
    }
    sho_buf_release(&key);
    free(label);
    return 0;
}

/* Run one selection with `fn` as its tap; its printed result is thrown away. */
static int rh_run(char **argv, int (*fn)(void *, const struct sho_index_row *), void *ctx)
{
    struct sho_query_tap tap;
    int argc = 0, rc;

    memset(&tap, 0, sizeof(tap));
    tap.fn = fn;
    tap.ctx = ctx;
    tap.out = fopen("/dev/null", "w");
    if (tap.out == NULL) {
        (void)fputs("shoseki report html: cannot open /dev/null\n", stderr);
        return SHO_EXIT_SYSTEM;
    }
    while (argv[argc] != NULL) {
        argc++;
    }
    rc = sho_query_select(argc, argv, &tap);
    (void)fclose(tap.out);
    return rc == SHO_EXIT_SKIPPED ? SHO_EXIT_OK : rc;
}

/* ---- log clears ---------------------------------------------------------------------- */

static int rh_clear_tap(void *ctx, const struct sho_index_row *row)
{
    struct rh_marks *m = ctx;
    struct rh_clear *c;

    m->clears = sho_xrealloc(m->clears, (m->clear_count + 1) * sizeof(*m->clears));
    c = &m->clears[m->clear_count++];
    c->time = row->time;
    c->host = row->host != NULL ? sho_xstrdup(row->host) : NULL;
    c->person = ra_person_label(row);
    c->ref = sho_xstrdup(row->ref);
    return 0;
}

/* ---- record-id gaps -------------------------------------------------------------------- */

struct gap_ctx {
    struct rh_agg *a;
    uint64_t since, until;
    struct ra_table keys; /* "host\x1fchannel" -> chans[entry index] */
    struct rh_chan *chans;
    size_t chan_cap;
};

void rh_chan_add(struct rh_chan *c, uint64_t id, uint64_t t)
{
    size_t lo = 0, hi = c->count;

    while (lo < hi) { /* first run starting after id */
        size_t mid = lo + (hi - lo) / 2;
        if (c->runs[mid].lo <= id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0 && id <= c->runs[lo - 1].hi) {
        return; /* seen */
    }
    if (lo > 0 && c->runs[lo - 1].hi + 1 == id) {
        struct rh_ids *p = &c->runs[lo - 1];
        p->hi = id;
        p->hi_time = t;
        if (lo < c->count && c->runs[lo].lo == id + 1) {
            p->hi = c->runs[lo].hi;
            p->hi_time = c->runs[lo].hi_time;
            memmove(&c->runs[lo], &c->runs[lo + 1], (c->count - lo - 1) * sizeof(*c->runs));
            c->count--;
        }
        return;
    }
    if (lo < c->count && c->runs[lo].lo == id + 1) {
        c->runs[lo].lo = id;
        c->runs[lo].lo_time = t;
        return;
    }
    if (c->count == RH_RUNS_MAX) {
        c->too_many = true;
        return;
    }
    if (c->count == c->cap) {
        c->cap = c->cap != 0 ? c->cap * 2 : 16;
        c->runs = sho_xrealloc(c->runs, c->cap * sizeof(*c->runs));
    }
    memmove(&c->runs[lo + 1], &c->runs[lo], (c->count - lo) * sizeof(*c->runs));
    c->runs[lo] = (struct rh_ids){ id, id, t, t };
    c->count++;
}

static int rh_gap_event(void *ctx, const struct sho_event *ev, const uint8_t sha[SHO_HASH_LEN])
{
    struct gap_ctx *g = ctx;
    struct sho_buf key;
    bool created;

    (void)sha;
    if ((ev->has & SHO_HAS_RECORD_ID) == 0 || ev->host == NULL || ev->time < g->since ||
        ev->time >= g->until || ra_find(&g->a->hosts.t, ev->host) == NULL) {
        return 0;
    }
    sho_buf_init(&key, (size_t)1 << 16);
    if (sho_buf_appendf(&key, "%s\x1f%s", ev->host, ev->channel != NULL ? ev->channel : "") == 0) {
        struct ra_entry *e = ra_get(&g->keys, key.data, &created);
        size_t i = (size_t)(e - g->keys.entries);
        if (i >= g->chan_cap) {
            size_t cap = g->chan_cap != 0 ? g->chan_cap * 2 : 16;
            g->chans = sho_xrealloc(g->chans, cap * sizeof(*g->chans));
            memset(g->chans + g->chan_cap, 0, (cap - g->chan_cap) * sizeof(*g->chans));
            g->chan_cap = cap;
        }
        rh_chan_add(&g->chans[i], ev->record_id, ev->time);
    }
    sho_buf_release(&key);
    return 0;
}

static void rh_gaps_collect(struct gap_ctx *g)
{
    struct rh_marks *m = &g->a->marks;
    size_t i, k;

    for (i = 0; i < g->keys.count; i++) {
        const struct rh_chan *c = &g->chans[i];
        const char *key = g->keys.entries[i].key;
        const char *sep = strchr(key, '\x1f');
        m->gaps_partial |= c->too_many;
        for (k = 0; k + 1 < c->count && !c->too_many; k++) {
            struct rh_gap *gap;
            if (c->runs[k + 1].lo_time < c->runs[k].hi_time) {
                continue; /* numbering started again (a new log): ids and time disagree */
            }
            m->gaps = sho_xrealloc(m->gaps, (m->gap_count + 1) * sizeof(*m->gaps));
            gap = &m->gaps[m->gap_count++];
            gap->host = sho_xstrdup(key);
            gap->host[sep - key] = '\0';
            gap->channel = sho_xstrdup(sep + 1);
            gap->after_id = c->runs[k].hi;
            gap->after_time = c->runs[k].hi_time;
            gap->before_id = c->runs[k + 1].lo;
            gap->before_time = c->runs[k + 1].lo_time;
        }
        free(c->runs);
    }
}

static int rh_gaps(struct rh_agg *a, const char *data_dir, uint64_t since, uint64_t until)
{
    struct sho_archive_opts opts;
    struct sho_archive *ar = NULL;
    struct gap_ctx g;
    struct sho_err err;
    int rc;

    memset(&opts, 0, sizeof(opts));
    memset(&g, 0, sizeof(g));
    sho_err_clear(&err);
    g.a = a;
    g.since = since;
    g.until = until;
    ra_init(&g.keys);
    rc = sho_archive_open(data_dir, &opts, &ar, &err);
    if (rc == 0) {
        rc = sho_archive_events(ar, rh_gap_event, &g, &err);
    }
    sho_archive_close(ar);
    rh_gaps_collect(&g);
    free(g.chans);
    ra_release(&g.keys);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return rc == SHO_ETAMPER || rc == SHO_ECORRUPT ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    return 0;
}

/* argv of a run over the window: `head` (NULL-ended), the base options (without --policy
 * unless `with_policy`), then --since and --until. Returns the count filled in. */
static size_t rh_window_argv(char **argv, char **head, char **base, bool with_policy,
                             char *window[4])
{
    size_t n = 0, i;

    for (i = 0; head[i] != NULL; i++) {
        argv[n++] = head[i];
    }
    for (i = 0; base[i] != NULL && n < 24; i++) {
        if (!with_policy && strcmp(base[i], "--policy") == 0) {
            i++; /* and its file */
            continue;
        }
        argv[n++] = base[i];
    }
    for (i = 0; i < 4; i++) {
        argv[n++] = window[i];
    }
    argv[n] = NULL;
    return n;
}

int rh_marks_gather(struct rh_agg *a, char **base, const char *data_dir, uint64_t since,
                    uint64_t until)
{
    char s[SHO_TIME_ISO_MAX], u[SHO_TIME_ISO_MAX];
    char k_report[] = "report", k_timeline[] = "timeline", k_since[] = "--since";
    char k_until[] = "--until", k_mass[] = "mass-access", k_actions[] = "--actions";
    char k_cleared[] = "log-cleared";
    char *window[4] = { k_since, s, k_until, u };
    char *mass[] = { k_report, NULL }, *clears[] = { k_timeline, NULL };
    char *argv[32];
    struct burst_ctx bc;
    size_t n;
    int rc;

    (void)sho_tz_format(&a->tz, since, s);
    (void)sho_tz_format(&a->tz, until, u);
    n = rh_window_argv(argv, mass, base, true, window);
    argv[n++] = k_mass;
    argv[n] = NULL;
    memset(&bc, 0, sizeof(bc));
    bc.a = a;
    ra_init(&bc.open);
    ra_init(&bc.files);
    rc = rh_run(argv, rh_burst_tap, &bc);
    ra_release(&bc.open);
    ra_release(&bc.files);
    if (rc == 0) {
        n = rh_window_argv(argv, clears, base, false, window); /* timeline takes no --policy */
        argv[n++] = k_actions;
        argv[n++] = k_cleared;
        argv[n] = NULL;
        rc = rh_run(argv, rh_clear_tap, &a->marks);
    }
    return rc == 0 ? rh_gaps(a, data_dir, since, until) : rc;
}
