/*
 * record_list: `shoseki record list`, every record of the archive as the
 * ledger reads it (docs/records.md): one row each, in the order stored,
 * with what superseded it and, for take-outs, when they came back.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record_priv.h"

static const struct qo_col list_cols[] = {
    { "id", "ID", QO_NUM },
    { "kind", "KIND", QO_STR },
    { "time", "TIME", QO_STR },
    { "until", "UNTIL", QO_STR },
    { "person", "PERSON", QO_STR },
    { "subject", "SUBJECT", QO_STR },
    { "detail", "DETAIL", QO_STR },
    { "status", "STATUS", QO_STR },
    { "entered_by", "ENTERED BY", QO_STR },
    { "entered_at", NULL, QO_STR },
    { "certificate", NULL, QO_STR },
    { "note", NULL, QO_STR },
};

/* "superseded by N", "returned T (N)", "open", or "". */
static char *list_status(const struct qo_writer *w, const struct sho_record *r)
{
    struct sho_buf b;
    char *t;
    int rc = 0;

    sho_buf_init(&b, 256);
    if (r->superseded_by != 0) {
        rc = sho_buf_appendf(&b, "superseded by %llu", (unsigned long long)r->superseded_by);
    } else if (r->kind == SHO_RECORD_TAKEOUT && r->returned == 0) {
        rc = sho_buf_appends(&b, "open");
    } else if (r->kind == SHO_RECORD_TAKEOUT) {
        t = qo_cell_time(w, r->returned);
        rc = sho_buf_appendf(&b, "returned %s", t);
        free(t);
    } else if (r->corrects != 0) {
        rc = sho_buf_appendf(&b, "corrects %llu", (unsigned long long)r->corrects);
    } else if (r->kind == SHO_RECORD_RETURN) {
        rc = sho_buf_appendf(&b, "closes %llu", (unsigned long long)r->takeout);
    }
    if (rc != 0 || b.len == 0) {
        sho_buf_release(&b);
        return NULL;
    }
    t = sho_xstrdup(b.data);
    sho_buf_release(&b);
    return t;
}

static int list_row(struct qo_writer *w, const struct sho_record *r, struct sho_err *err)
{
    char *c[SHO_ARRAY_COUNT(list_cols)];

    c[0] = qo_cell_num(r->id);
    c[1] = qo_cell_str(sho_record_kind_name(r->kind));
    c[2] = qo_cell_time(w, r->time);
    c[3] = r->until != 0 ? qo_cell_time(w, r->until) : NULL;
    c[4] = qo_cell_str(r->person);
    c[5] = qo_cell_str(r->covers != NULL ? r->covers : r->item != NULL ? r->item : r->class_name);
    c[6] = qo_cell_str(r->vendor != NULL ? r->vendor : r->purpose);
    c[7] = list_status(w, r);
    c[8] = qo_cell_str(r->entered_by);
    c[9] = qo_cell_time(w, r->entered_at);
    c[10] = qo_cell_str(r->certificate);
    c[11] = qo_cell_str(r->note);
    return qo_put_cells(w, c, 0, err);
}

int rec_list(struct rec_opts *o)
{
    enum sho_event_format fmt = SHO_FORMAT_CSV;
    struct sho_archive *a = NULL;
    struct sho_records set;
    struct qo_writer *w;
    size_t i, count;
    int rc = 0;

    if (o->format == NULL && isatty(STDOUT_FILENO) && !o->excel) {
        fmt = SHO_FORMAT_TABLE;
    }
    if (o->format != NULL &&
        (sho_event_format_parse(o->format, &fmt) != 0 || (o->excel && fmt != SHO_FORMAT_CSV))) {
        (void)fprintf(stderr, "shoseki record list: --format wants table, csv or jsonl\n");
        return SHO_EXIT_USAGE;
    }
    memset(&set, 0, sizeof(set));
    if (sho_archive_open(sho_archive_data_dir(o->data), NULL, &a, &o->err) != 0 ||
        sho_records_load(a, &set, &o->err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &o->err);
        sho_archive_close(a);
        return o->err.code == SHO_ETAMPER ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    w = qo_new_cols(stdout, fmt, o->excel, &o->tz, list_cols, SHO_ARRAY_COUNT(list_cols));
    for (i = 0; rc == 0 && i < set.count; i++) {
        rc = list_row(w, &set.r[i], &o->err);
    }
    if (rc == 0) {
        rc = qo_finish(w, &o->err);
    }
    qo_free(w);
    count = set.count;
    sho_records_release(&set);
    sho_archive_close(a);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &o->err);
        return SHO_EXIT_SYSTEM;
    }
    return count > 0 ? SHO_EXIT_OK : SHO_EXIT_SKIPPED;
}
