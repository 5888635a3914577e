/*
 * report_html_agg: the HTML report's aggregates, fed one selected event at a
 * time by the selection's tap: totals, time buckets by action group, tallies
 * per person, file, class and host (distinct person-file pairs counted through
 * a pair table, not by scanning lists), and the first `ev_max` events as rows.
 * Buckets start one minute wide and widen (5, 15, 60 minutes, ...) whenever
 * more than RH_BUCKETS_KEPT are held, so memory does not follow the event count.
 */
#include <stdlib.h>
#include <string.h>

#include "report_html_priv.h"

#define RH_BUCKETS_KEPT 2048

const unsigned rh_widths[] = { 1, 5, 15, 60, 180, 360, 1440, 10080, 40320, 161280, 645120 };
const size_t rh_width_count = SHO_ARRAY_COUNT(rh_widths);

void rh_agg_init(struct rh_agg *a, size_t ev_max, const char *tz_spec)
{
    memset(a, 0, sizeof(*a));
    a->first = UINT64_MAX;
    a->ev_max = ev_max;
    a->tz_spec = tz_spec;
    qp_defaults(&a->pol);
}

void rh_table_release(struct rh_table *t)
{
    ra_release(&t->t);
    free(t->st);
    memset(t, 0, sizeof(*t));
}

void rh_agg_release(struct rh_agg *a)
{
    size_t i;

    for (i = 0; i < a->ev_count; i++) {
        free(a->ev[i].person);
        free(a->ev[i].path);
        free(a->ev[i].host);
        free(a->ev[i].ref);
    }
    free(a->ev);
    free(a->b);
    rh_table_release(&a->persons);
    rh_table_release(&a->files);
    rh_table_release(&a->classes);
    rh_table_release(&a->hosts);
    rh_table_release(&a->pairs);
    rh_marks_release(&a->marks);
    if (a->ready) {
        sho_tz_release(&a->tz);
        sho_tz_release(&a->hours_tz);
    }
    qp_release(&a->pol);
}

int rh_agg_setup(struct rh_agg *a, const struct sho_query_info *info, struct sho_err *err)
{
    int rc;

    if (a->ready) {
        return 0;
    }
    if (info->policy[0] != '\0') {
        qp_release(&a->pol);
        rc = qp_load(info->policy, true, &a->pol, err);
        if (rc != 0) {
            return rc;
        }
    }
    rc = sho_tz_parse(a->pol.timezone, &a->hours_tz, err);
    if (rc != 0) {
        return rc;
    }
    rc = sho_tz_parse(a->tz_spec != NULL ? a->tz_spec : a->pol.timezone, &a->tz, err);
    if (rc != 0) {
        sho_tz_release(&a->hours_tz);
        return rc;
    }
    a->ready = true;
    return 0;
}

enum rh_group rh_group_of(uint32_t actions)
{
    if ((actions & SHO_ACT_DELETE) != 0) {
        return RH_DELETE;
    }
    if ((actions & (SHO_ACT_PERM_CHANGE | SHO_ACT_OWNER_CHANGE | SHO_ACT_AUDIT_POLICY)) != 0) {
        return RH_PERM;
    }
    if ((actions & (SHO_ACT_CREATE | SHO_ACT_RENAME)) != 0) {
        return RH_CREATE;
    }
    if ((actions & (SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_WRITE_ATTR)) != 0) {
        return RH_WRITE;
    }
    if ((actions & (SHO_ACT_READ | SHO_ACT_EXECUTE | SHO_ACT_LIST | SHO_ACT_READ_ATTR)) != 0) {
        return RH_READ;
    }
    if ((actions & (SHO_ACT_SHARE_CONNECT | SHO_ACT_LOGON | SHO_ACT_LOGOFF)) != 0) {
        return RH_CONNECT;
    }
    return RH_OTHER;
}

struct rh_stat *rh_table_get(struct rh_table *t, const char *key, bool *created)
{
    struct ra_entry *e = ra_get(&t->t, key, created);
    size_t i = (size_t)(e - t->t.entries);

    if (i >= t->st_cap) {
        size_t cap = t->st_cap != 0 ? t->st_cap * 2 : 64;
        while (cap <= i) {
            cap *= 2;
        }
        t->st = sho_xrealloc(t->st, cap * sizeof(*t->st));
        memset(t->st + t->st_cap, 0, (cap - t->st_cap) * sizeof(*t->st));
        t->st_cap = cap;
    }
    return &t->st[i];
}

uint64_t rh_stat_total(const struct rh_stat *s)
{
    uint64_t n = 0;
    int g;

    for (g = 0; g < RH_GROUPS; g++) {
        n += s->n[g];
    }
    return n;
}

struct rh_order {
    uint64_t total;
    const char *key;
    size_t i;
};

static int rh_order_cmp(const void *x, const void *y)
{
    const struct rh_order *a = x, *b = y;

    if (a->total != b->total) {
        return a->total > b->total ? -1 : 1;
    }
    return strcmp(a->key, b->key);
}

size_t *rh_table_order(const struct rh_table *t)
{
    struct rh_order *o = sho_xcalloc(t->t.count + 1, sizeof(*o));
    size_t *idx = sho_xcalloc(t->t.count + 1, sizeof(*idx));
    size_t i;

    for (i = 0; i < t->t.count; i++) {
        o[i].total = rh_stat_total(&t->st[i]);
        o[i].key = t->t.entries[i].key;
        o[i].i = i;
    }
    qsort(o, t->t.count, sizeof(*o), rh_order_cmp);
    for (i = 0; i < t->t.count; i++) {
        idx[i] = o[i].i;
    }
    free(o);
    return idx;
}

int64_t rh_local_minutes(const struct rh_agg *a, uint64_t ft)
{
    int64_t unix_s = (int64_t)(ft / 10000000ULL) - (int64_t)(SHO_FILETIME_UNIX_EPOCH / 10000000ULL);
    int64_t m = unix_s + a->offset;

    return m >= 0 ? m / 60 : -((-m + 59) / 60);
}

uint64_t rh_minute_ft(const struct rh_agg *a, int64_t m)
{
    int64_t unix_s = m * 60 - a->offset;

    return (uint64_t)(unix_s + (int64_t)(SHO_FILETIME_UNIX_EPOCH / 10000000ULL)) * 10000000ULL;
}

static int64_t rh_floor_div(int64_t x, int64_t d)
{
    return x >= 0 ? x / d : -((-x + d - 1) / d);
}

/* Merge the buckets into the next width up (each width divides the next). */
static void rh_widen(struct rh_agg *a)
{
    int64_t ratio = (int64_t)(rh_widths[a->level + 1] / rh_widths[a->level]);
    size_t i, k = 0;
    int g;

    for (i = 0; i < a->b_count; i++) {
        int64_t idx = rh_floor_div(a->b[i].idx, ratio);
        if (k > 0 && a->b[k - 1].idx == idx) {
            for (g = 0; g < RH_GROUPS; g++) {
                a->b[k - 1].n[g] += a->b[i].n[g];
            }
            a->b[k - 1].after += a->b[i].after;
        } else {
            a->b[k] = a->b[i];
            a->b[k].idx = idx;
            k++;
        }
    }
    a->b_count = k;
    a->level++;
}

static struct rh_bucket *rh_bucket(struct rh_agg *a, uint64_t ft)
{
    int64_t idx = rh_floor_div(rh_local_minutes(a, ft), rh_widths[a->level]);
    size_t lo = 0, hi = a->b_count;

    /* events come in time order within a hop: the last bucket is the usual answer */
    if (a->b_count > 0 && a->b[a->b_count - 1].idx == idx) {
        return &a->b[a->b_count - 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->b[mid].idx < idx) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < a->b_count && a->b[lo].idx == idx) {
        return &a->b[lo];
    }
    if (a->b_count == a->b_cap) {
        a->b_cap = a->b_cap != 0 ? a->b_cap * 2 : 256;
        a->b = sho_xrealloc(a->b, a->b_cap * sizeof(*a->b));
    }
    memmove(&a->b[lo + 1], &a->b[lo], (a->b_count - lo) * sizeof(*a->b));
    memset(&a->b[lo], 0, sizeof(*a->b));
    a->b[lo].idx = idx;
    a->b_count++;
    return &a->b[lo];
}

void rh_agg_fit(struct rh_agg *a, uint64_t from, uint64_t to, size_t bars)
{
    int64_t lo = rh_local_minutes(a, from), hi = rh_local_minutes(a, to > from ? to - 1 : to);

    while (a->level + 1 < rh_width_count &&
           (size_t)(rh_floor_div(hi, rh_widths[a->level]) -
                    rh_floor_div(lo, rh_widths[a->level])) >= bars) {
        rh_widen(a);
    }
}

static void rh_stat_add(struct rh_stat *s, enum rh_group g, bool after, bool failed)
{
    s->n[g]++;
    s->after += after;
    s->failed += failed;
}

static void rh_keep_event(struct rh_agg *a, const struct sho_index_row *row, const char *person,
                          const char *cls, bool after)
{
    struct rh_ev *e;

    if (a->ev_count >= a->ev_max) {
        return;
    }
    if (a->ev == NULL) {
        a->ev = sho_xcalloc(a->ev_max, sizeof(*a->ev));
    }
    e = &a->ev[a->ev_count++];
    e->time = row->time;
    e->person = person != NULL ? sho_xstrdup(person) : NULL;
    e->path = row->path != NULL ? sho_xstrdup(row->path) : NULL;
    e->host = row->host != NULL ? sho_xstrdup(row->host) : NULL;
    e->ref = sho_xstrdup(row->ref);
    e->cls = cls;
    e->actions = row->actions;
    e->outcome = row->outcome;
    e->after = after;
}

/* Tallies per person, file, class and the pairs that count distinct ones. */
static void rh_tally(struct rh_agg *a, const struct sho_index_row *row, const char *label,
                     const char *cls, enum rh_group g, bool after, bool failed)
{
    struct rh_stat *ps = NULL, *fs = NULL, *s;
    bool created;

    if (label != NULL) {
        ps = rh_table_get(&a->persons, label, &created);
        rh_stat_add(ps, g, after, failed);
        ra_count(&a->persons.t.entries[ps - a->persons.st], row->time, row->actions);
    }
    if (row->path != NULL) {
        fs = rh_table_get(&a->files, row->path, &created);
        if (created) {
            a->files.t.entries[fs - a->files.st].str[0] = cls != NULL ? sho_xstrdup(cls) : NULL;
            if (cls != NULL) {
                rh_table_get(&a->classes, cls, &created)->items++;
            }
        }
        rh_stat_add(fs, g, after, failed);
        ra_count(&a->files.t.entries[fs - a->files.st], row->time, row->actions);
        if (cls != NULL) {
            s = rh_table_get(&a->classes, cls, &created);
            rh_stat_add(s, g, after, failed);
            ra_count(&a->classes.t.entries[s - a->classes.st], row->time, row->actions);
        }
    }
    if (ps != NULL && fs != NULL) {
        struct sho_buf key;
        sho_buf_init(&key, (size_t)1 << 16);
        if (sho_buf_appendf(&key, "%s\x1f%s", label, row->path) == 0) {
            (void)rh_table_get(&a->pairs, key.data, &created);
            if (created) {
                /* the tables may have moved: look both up again */
                rh_table_get(&a->persons, label, &created)->items++;
                rh_table_get(&a->files, row->path, &created)->items++;
            }
        }
        sho_buf_release(&key);
    }
    if (row->host != NULL) {
        s = rh_table_get(&a->hosts, row->host, &created);
        rh_stat_add(s, g, after, failed);
        ra_count(&a->hosts.t.entries[s - a->hosts.st], row->time, row->actions);
    }
}

void rh_agg_event(struct rh_agg *a, const struct sho_index_row *row)
{
    char *label = ra_person_label(row);
    const char *cls = row->path != NULL ? qp_class_of(&a->pol, row->path) : NULL;
    bool after = row->path != NULL && qp_after_hours(&a->pol, &a->hours_tz, row->time);
    bool failed = row->outcome == SHO_OUTCOME_FAILURE;
    enum rh_group g = rh_group_of(row->actions);
    struct rh_bucket *b;

    if (a->events == 0) {
        a->offset = sho_tz_offset(&a->tz, row->time) * 60;
    }
    a->events++;
    a->failed += failed;
    a->after += after;
    a->first = row->time < a->first ? row->time : a->first;
    a->last = row->time > a->last ? row->time : a->last;
    b = rh_bucket(a, row->time);
    b->n[g]++;
    b->after += after;
    a->group_seen[g] = true;
    if (a->b_count > RH_BUCKETS_KEPT && a->level + 1 < rh_width_count) {
        rh_widen(a);
    }
    rh_tally(a, row, label, cls, g, after, failed);
    rh_keep_event(a, row, label, cls, after);
    free(label);
}
