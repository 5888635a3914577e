/*
 * report_burst: `shoseki report mass-access`: bursts of one person touching
 * at least N distinct files within M minutes (the policy's [mass-access],
 * default 500 in 5). Events arrive in time order; each person keeps the
 * events of the last M minutes with a count per file, so memory follows the
 * busiest window, not the archive. A burst lasts while the window holds N
 * distinct files; it is reported with every file touched during it.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

struct burst_event {
    uint64_t time;
    char *path; /* owned */
};

struct burst_person {
    char *label, *sid;     /* owned */
    struct burst_event *q; /* window, oldest first (ring) */
    size_t head, count, cap;
    struct ra_table in_window; /* path -> events in the window (count) */
    bool active;
    uint64_t start, last, events;
    struct ra_table files; /* files touched during the active burst */
    uint64_t *spans;       /* start and last of each burst reported, in pairs */
    size_t span_count, span_cap;
};

struct burst_state {
    struct ra_table index; /* person key -> position in persons (count field) */
    struct burst_person *persons;
    size_t person_count, person_cap;
    uint64_t window; /* ticks */
    unsigned threshold;
    struct qo_writer *w;
    uint64_t rows;
    struct sho_err *err;
};

static const struct qo_col burst_cols[] = {
    { "user", "USER", QO_STR },   { "user_sid", "SID", QO_STR }, { "start", "START", QO_STR },
    { "end", "END", QO_STR },     { "files", "FILES", QO_NUM },  { "events", "EVENTS", QO_NUM },
    { "paths", "PATHS", QO_STR },
};

static int burst_emit(struct burst_state *b, struct burst_person *p)
{
    char *c[SHO_ARRAY_COUNT(burst_cols)];
    struct sho_buf paths;
    size_t i;

    sho_buf_init(&paths, (size_t)16 << 20);
    for (i = 0; i < p->files.count; i++) {
        if (sho_buf_appendf(&paths, "%s%s", i != 0 ? " " : "", p->files.entries[i].key) != 0) {
            break;
        }
    }
    c[0] = qo_cell_str(p->label);
    c[1] = qo_cell_str(p->sid);
    c[2] = qo_cell_time(b->w, p->start);
    c[3] = qo_cell_time(b->w, p->last);
    c[4] = qo_cell_num(p->files.count);
    c[5] = qo_cell_num(p->events);
    c[6] = qo_cell_str(paths.data);
    sho_buf_release(&paths);
    if (p->span_count + 2 > p->span_cap) {
        p->span_cap = p->span_cap != 0 ? p->span_cap * 2 : 8;
        p->spans = sho_xrealloc(p->spans, p->span_cap * sizeof(*p->spans));
    }
    p->spans[p->span_count++] = p->start;
    p->spans[p->span_count++] = p->last;
    ra_release(&p->files);
    ra_init(&p->files);
    p->active = false;
    b->rows++;
    return qo_put_cells(b->w, c, 0, b->err);
}

static void burst_pop(struct burst_person *p)
{
    struct burst_event *e = &p->q[p->head];
    struct ra_entry *n = ra_find(&p->in_window, e->path);

    if (n != NULL && n->count > 0) {
        n->count--;
    }
    free(e->path);
    p->head = (p->head + 1) % p->cap;
    p->count--;
}

static void burst_push(struct burst_person *p, uint64_t time, const char *path)
{
    if (p->count == p->cap) {
        size_t cap = p->cap != 0 ? p->cap * 2 : 64, i;
        struct burst_event *q = sho_xmalloc(cap * sizeof(*q));
        for (i = 0; i < p->count; i++) {
            q[i] = p->q[(p->head + i) % p->cap];
        }
        free(p->q);
        p->q = q;
        p->head = 0;
        p->cap = cap;
    }
    p->q[(p->head + p->count) % p->cap].time = time;
    p->q[(p->head + p->count) % p->cap].path = sho_xstrdup(path);
    p->count++;
}

/* Distinct files in the window: entries whose count is not zero. */
static size_t burst_distinct(const struct burst_person *p)
{
    size_t i, n = 0;

    for (i = 0; i < p->in_window.count; i++) {
        n += p->in_window.entries[i].count != 0;
    }
    return n;
}

int burst_row(struct burst_state *b, const struct sho_index_row *row)
{
    char *key = row->user_sid != NULL ? sho_xstrdup(row->user_sid) : ra_person_label(row);
    struct burst_person *p;
    struct ra_entry *ix, *e;
    bool created;
    int rc = 0;

    if (key == NULL || row->path == NULL || row->actions == 0) {
        free(key);
        return 0;
    }
    ix = ra_get(&b->index, key, &created);
    if (created) {
        if (b->person_count == b->person_cap) {
            b->person_cap = b->person_cap != 0 ? b->person_cap * 2 : 16;
            b->persons = sho_xrealloc(b->persons, b->person_cap * sizeof(*b->persons));
        }
        p = &b->persons[b->person_count];
        memset(p, 0, sizeof(*p));
        p->label = ra_person_label(row);
        p->sid = row->user_sid != NULL ? sho_xstrdup(row->user_sid) : NULL;
        ra_init(&p->in_window);
        ra_init(&p->files);
        ix->count = b->person_count++;
    }
    free(key);
    p = &b->persons[ix->count];
    while (p->count > 0 && p->q[p->head].time + b->window < row->time) {
        burst_pop(p);
    }
    if (p->active && burst_distinct(p) < b->threshold) {
        rc = burst_emit(b, p); /* the window no longer holds a burst: it ended */
    }
    burst_push(p, row->time, row->path);
    e = ra_get(&p->in_window, row->path, &created);
    e->count++;
    if (!p->active && burst_distinct(p) >= b->threshold) {
        size_t i;
        p->active = true;
        p->start = p->q[p->head].time;
        p->events = 0;
        for (i = 0; i + 1 < p->count; i++) { /* the window's earlier events start it */
            (void)ra_get(&p->files, p->q[(p->head + i) % p->cap].path, &created);
            p->events++;
        }
    }
    if (p->active) {
        (void)ra_get(&p->files, row->path, &created);
        p->events++;
        p->last = row->time;
    }
    return rc;
}

struct burst_state *burst_new(struct qo_writer *w, const struct qp_policy *pol, struct sho_err *err)
{
    struct burst_state *b = sho_xcalloc(1, sizeof(*b));

    ra_init(&b->index);
    b->window = (uint64_t)pol->mass_minutes * 60 * SHO_TICKS_PER_SECOND;
    b->threshold = pol->mass_files;
    b->w = w;
    b->err = err;
    return b;
}

/* Close the bursts still open. Returns the first error or 0. */
int burst_finish(struct burst_state *b, uint64_t *rows)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < b->person_count; i++) {
        struct burst_person *p = &b->persons[i];
        if (p->active && rc == 0) {
            rc = burst_emit(b, p);
        }
    }
    *rows += b->rows;
    b->rows = 0;
    return rc;
}

/* The events of a burst are the person's file events from its start to its last. */
bool burst_member(struct burst_state *b, const struct sho_index_row *row)
{
    char *key = row->user_sid != NULL ? sho_xstrdup(row->user_sid) : ra_person_label(row);
    const struct ra_entry *ix;
    const struct burst_person *p;
    size_t i;
    bool in = false;

    if (key == NULL || row->path == NULL || row->actions == 0) {
        free(key);
        return false;
    }
    ix = ra_find(&b->index, key);
    free(key);
    if (ix == NULL) {
        return false;
    }
    p = &b->persons[ix->count];
    for (i = 0; !in && i + 1 < p->span_count; i += 2) {
        in = row->time >= p->spans[i] && row->time <= p->spans[i + 1];
    }
    return in;
}

void burst_free(struct burst_state *b)
{
    size_t i;

    if (b == NULL) {
        return;
    }
    for (i = 0; i < b->person_count; i++) {
        struct burst_person *p = &b->persons[i];
        while (p->count > 0) {
            burst_pop(p);
        }
        free(p->q);
        free(p->label);
        free(p->sid);
        free(p->spans);
        ra_release(&p->in_window);
        ra_release(&p->files);
    }
    free(b->persons);
    ra_release(&b->index);
    free(b);
}

const struct qo_col *burst_columns(size_t *count)
{
    *count = SHO_ARRAY_COUNT(burst_cols);
    return burst_cols;
}
