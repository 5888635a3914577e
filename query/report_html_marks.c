/*
 * report_html_marks: what the HTML report marks on its timeline, gathered
 * after the selection over the report's window:
 * - bursts: `report mass-access` with the same data and policy, run through
 *   the selection API; its tap hands over the events of every burst, which
 *   are grouped per person (a pause longer than the policy's minutes starts
 *   another burst); only the selection's persons are kept;
 * - log clears: `timeline --actions log-cleared` over the window, any host;
 * - record-id gaps: the holes `report gaps` finds in the record ids collect
 *   kept of every record it read (report_ranges.c), for the selection's
 *   hosts, in the window.
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
};

static int rh_gap_hole(void *ctx, const struct rr_stream *s, uint64_t lo, uint64_t hi,
                       uint64_t t_before, uint64_t t_after)
{
    struct gap_ctx *g = ctx;
    struct rh_marks *m = &g->a->marks;
    struct rh_gap *gap;

    if (t_after < g->since || t_before >= g->until || ra_find(&g->a->hosts.t, s->host) == NULL) {
        return 0; /* outside the window, or a host the selection does not touch */
    }
    m->gaps = sho_xrealloc(m->gaps, (m->gap_count + 1) * sizeof(*m->gaps));
    gap = &m->gaps[m->gap_count++];
    gap->host = sho_xstrdup(s->host);
    gap->channel = sho_xstrdup(s->channel);
    gap->after_id = lo - 1;
    gap->after_time = t_before;
    gap->before_id = hi + 1;
    gap->before_time = t_after;
    return 0;
}

/* The holes in the record ids collect kept for each log (report_ranges.c), as `report gaps`
 * finds them, for the selection's hosts in the window. */
static int rh_gaps(struct rh_agg *a, const char *data_dir, uint64_t since, uint64_t until)
{
    struct gap_ctx g = { a, since, until };
    struct rr_set set;
    struct sho_err err;
    size_t i;
    int rc;

    sho_err_clear(&err);
    rc = rr_load(data_dir, &set, &err);
    for (i = 0; rc == 0 && i < set.count; i++) {
        a->marks.gaps_partial |= set.s[i].incomplete;
        rc = rr_holes(&set.s[i], rh_gap_hole, &g);
    }
    rr_release(&set);
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
