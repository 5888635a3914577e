/*
 * report_records: what the reports take from the records (docs/records.md):
 * the disposal that covers a deleted file (report deletions), the declared
 * purpose an access falls in (report handlers), and `report takeouts`: the
 * take-outs still open and those with writes to removable volumes by the
 * same person while they were out. The records come from the archive's
 * SOURCE frames (sho_records_load), the events from the index.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

int rx_load(struct rp_opts *o, struct sho_records *set)
{
    struct sho_archive *a = NULL;
    struct sho_err err;
    int rc;

    sho_err_clear(&err);
    memset(set, 0, sizeof(*set));
    rc = sho_archive_open(sho_archive_data_dir(o->data), NULL, &a, &err);
    if (rc == 0) {
        rc = sho_records_load(a, set, &err);
    }
    sho_archive_close(a);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return rc == SHO_ETAMPER || rc == SHO_ECORRUPT ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    return 0;
}

/* Ids joined by spaces (caller frees), or NULL for none. */
static char *ids_text(const uint64_t *ids, size_t n)
{
    struct sho_buf b;
    char *s = NULL;
    size_t i;
    int rc = 0;

    sho_buf_init(&b, 4096);
    for (i = 0; rc == 0 && i < n; i++) {
        rc = sho_buf_appendf(&b, "%s%llu", i > 0 ? " " : "", (unsigned long long)ids[i]);
    }
    if (rc == 0 && b.len > 0) {
        s = sho_xstrdup(b.data);
    }
    sho_buf_release(&b);
    return s;
}

char *rx_disposal_cell(const struct sho_records *set, const char *path, const char *cls)
{
    uint64_t ids[8];
    size_t i, n = 0;

    for (i = 0; i < set->count && n < SHO_ARRAY_COUNT(ids); i++) {
        const struct sho_record *r = &set->r[i];
        if (r->kind == SHO_RECORD_DISPOSAL && r->superseded_by == 0 &&
            sho_record_covers(r->covers, path)) {
            ids[n++] = r->id;
        }
    }
    return n > 0 ? ids_text(ids, n) : cls != NULL ? sho_xstrdup("none") : NULL;
}

uint64_t rx_purpose_of(const struct sho_records *set, const struct sho_index_row *row,
                       const char *cls)
{
    size_t i;

    for (i = 0; cls != NULL && i < set->count; i++) {
        const struct sho_record *r = &set->r[i];
        if (r->kind == SHO_RECORD_PURPOSE && r->superseded_by == 0 &&
            strcmp(r->class_name, cls) == 0 && row->time >= r->time && row->time < r->until &&
            sho_record_person_is(r->person, row->user_sid, row->domain, row->user)) {
            return r->id;
        }
    }
    return 0;
}

bool rx_class_has_purposes(const struct sho_records *set, const char *cls)
{
    size_t i;

    for (i = 0; cls != NULL && i < set->count; i++) {
        const struct sho_record *r = &set->r[i];
        if (r->kind == SHO_RECORD_PURPOSE && r->superseded_by == 0 &&
            strcmp(r->class_name, cls) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- report takeouts ------------------------------------------------------------------ */

static const struct qo_col takeout_cols[] = {
    { "id", "ID", QO_NUM },           { "person", "PERSON", QO_STR },
    { "out", "OUT", QO_STR },         { "returned", "RETURNED", QO_STR },
    { "status", "STATUS", QO_STR },   { "removable_writes", "WRITES", QO_NUM },
    { "first_write", NULL, QO_STR },  { "media", "MEDIA", QO_STR },
    { "purpose", "PURPOSE", QO_STR }, { "item", "ITEM", QO_STR },
};

struct takeouts {
    struct rp_opts *o;
    struct sho_records *set;
    uint64_t *writes, *first; /* per record: removable writes while out, the first's time */
    uint64_t now;
};

static const uint32_t tk_writes = SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_CREATE | SHO_ACT_RENAME;

static bool tk_out_at(const struct sho_record *r, uint64_t t, uint64_t now)
{
    return t >= r->time && t < (r->returned != 0 ? r->returned : now);
}

static int tk_row(void *ctx, const struct sho_index_row *row)
{
    struct takeouts *t = ctx;
    size_t i;
    bool hit = false;

    if ((row->actions & tk_writes) == 0 || !qp_removable(&t->o->pol, row->path)) {
        return 0;
    }
    for (i = 0; i < t->set->count; i++) {
        const struct sho_record *r = &t->set->r[i];
        if (r->kind != SHO_RECORD_TAKEOUT || r->superseded_by != 0 ||
            !tk_out_at(r, row->time, t->now) ||
            !sho_record_person_is(r->person, row->user_sid, row->domain, row->user)) {
            continue;
        }
        if (t->writes[i]++ == 0) {
            t->first[i] = row->time;
        }
        hit = true;
    }
    return hit ? rp_tap(t->o, row) : 0;
}

static int tk_print(struct takeouts *t, struct qo_writer *w, uint64_t *rows, struct sho_err *err)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < t->set->count; i++) {
        const struct sho_record *r = &t->set->r[i];
        char *c[SHO_ARRAY_COUNT(takeout_cols)];
        if (r->kind != SHO_RECORD_TAKEOUT || r->superseded_by != 0 ||
            (r->returned != 0 && t->writes[i] == 0) ||
            (t->o->base.since != 0 && r->returned != 0 && r->returned < t->o->base.since) ||
            (t->o->base.until != 0 && r->time >= t->o->base.until)) {
            continue;
        }
        c[0] = qo_cell_num(r->id);
        c[1] = qo_cell_str(r->person);
        c[2] = qo_cell_time(w, r->time);
        c[3] = r->returned != 0 ? qo_cell_time(w, r->returned) : NULL;
        c[4] = qo_cell_str(r->returned != 0 ? "returned" : "open");
        c[5] = qo_cell_num(t->writes[i]);
        c[6] = t->writes[i] != 0 ? qo_cell_time(w, t->first[i]) : NULL;
        c[7] = qo_cell_str(r->media);
        c[8] = qo_cell_str(r->purpose);
        c[9] = qo_cell_str(r->item);
        (*rows)++;
        rc = qo_put_cells(w, c, 0, err);
    }
    return rc;
}

int rx_takeouts(struct rp_opts *o, struct sho_records *set, uint64_t *rows)
{
    struct takeouts t;
    struct sho_index_query q = o->base;
    struct qo_writer *w;
    struct sho_err err;
    int rc;

    sho_err_clear(&err);
    t.o = o;
    t.set = set;
    t.now = sho_time_now();
    t.writes = sho_xcalloc(set->count + 1, sizeof(*t.writes));
    t.first = sho_xcalloc(set->count + 1, sizeof(*t.first));
    q.actions = tk_writes;
    w = qo_new_cols(o->out, o->fmt, o->excel, &o->tz, takeout_cols, SHO_ARRAY_COUNT(takeout_cols));
    rc = sho_index_search(o->ix, &q, tk_row, &t, &err);
    if (rc == 0) {
        rc = tk_print(&t, w, rows, &err);
    }
    if (rc == 0) {
        rc = qo_finish(w, &err);
    }
    qo_free(w);
    free(t.writes);
    free(t.first);
    if (rc != 0 && err.code != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
    }
    return rc != 0 ? SHO_EXIT_SYSTEM : 0;
}
