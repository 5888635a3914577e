/*
 * query_out: search results as people and programs want them. An aligned
 * table for a terminal (wide characters counted as two columns), RFC 4180
 * CSV (with --excel: a UTF-8 BOM, CRLF and formula-like cells neutralized,
 * so Excel shows Japanese names and paths and runs nothing), or JSON lines.
 * Every event row carries its archive reference for `shoseki cat`.
 */
#include <stdlib.h>
#include <string.h>

#include "query_priv.h"

#define QO_COLS_MAX   16
#define QO_TABLE_ROWS 512 /* a table is aligned per block of rows, so memory stays bounded */

#define T_STR  QO_STR
#define T_NUM  QO_NUM
#define T_ACTS QO_ACTS

static const struct qo_col event_cols[] = {
    { "time", "TIME", T_STR },  { "user_sid", NULL, T_STR },      { "domain", NULL, T_STR },
    { "user", "USER", T_STR },  { "actions", "ACTIONS", T_ACTS }, { "outcome", "OUTCOME", T_STR },
    { "host", "HOST", T_STR },  { "client_ip", "CLIENT", T_STR }, { "ref", "REF", T_STR },
    { "path", "PATH", T_STR },  { "object_type", NULL, T_STR },   { "share", NULL, T_STR },
    { "process", NULL, T_STR }, { "event_id", NULL, T_NUM },      { "channel", NULL, T_STR },
};

static const struct qo_col person_cols[] = {
    { "user", "USER", T_STR },        { "user_sid", "SID", T_STR }, { "domain", NULL, T_STR },
    { "first", "FIRST", T_STR },      { "last", "LAST", T_STR },    { "count", "COUNT", T_NUM },
    { "actions", "ACTIONS", T_ACTS },
};

static const struct qo_col file_cols[] = {
    { "first", "FIRST", T_STR },      { "last", "LAST", T_STR }, { "count", "COUNT", T_NUM },
    { "actions", "ACTIONS", T_ACTS }, { "path", "PATH", T_STR },
};

struct qo_writer {
    FILE *out;
    enum sho_event_format format;
    bool excel;
    struct sho_tz tz;
    const struct qo_col *cols;
    size_t ncols;
    bool header_done;
    uint64_t rows;
    struct sho_buf line;
    char **table; /* QO_TABLE_ROWS * ncols cells, owned */
    size_t table_rows;
};

struct qo_writer *qo_new(FILE *out, enum sho_event_format format, bool excel,
                         const struct sho_tz *tz, enum qo_kind kind)
{
    struct qo_writer *w = sho_xcalloc(1, sizeof(*w));

    w->out = out;
    w->format = format;
    w->excel = excel;
    w->tz = *tz;
    w->cols = kind == QO_EVENTS ? event_cols : kind == QO_PERSONS ? person_cols : file_cols;
    w->ncols = kind == QO_EVENTS    ? SHO_ARRAY_COUNT(event_cols)
               : kind == QO_PERSONS ? SHO_ARRAY_COUNT(person_cols)
                                    : SHO_ARRAY_COUNT(file_cols);
    sho_buf_init(&w->line, (size_t)16 * 1024 * 1024);
    if (format == SHO_FORMAT_TABLE) {
        w->table = sho_xcalloc((size_t)QO_TABLE_ROWS * w->ncols, sizeof(char *));
    }
    return w;
}

static int qo_write(struct qo_writer *w, struct sho_err *err)
{
    size_t n = w->line.len;
    bool ok = n == 0 || fwrite(w->line.data, 1, n, w->out) == n;

    sho_buf_reset(&w->line);
    return ok ? 0 : sho_err_set(err, SHO_EIO, "<stdout>", -1, "cannot write results");
}

/* "read write delete": the action names of `bits`. */
static int qo_actions(struct sho_buf *b, uint32_t bits, bool json)
{
    unsigned i;
    int rc = json ? sho_buf_putc(b, '[') : 0;
    bool first = true;

    for (i = 0; rc == 0 && i < SHO_ACTION_COUNT; i++) {
        if ((bits & (1u << i)) == 0) {
            continue;
        }
        if (json) {
            rc = sho_buf_appends(b, first ? "" : ",");
            if (rc == 0) {
                rc = sho_json_append_string(b, sho_action_name(i));
            }
        } else {
            rc = sho_buf_appendf(b, "%s%s", first ? "" : " ", sho_action_name(i));
        }
        first = false;
    }
    return rc == 0 && json ? sho_buf_putc(b, ']') : rc;
}

static int qo_header(struct qo_writer *w, struct sho_err *err)
{
    size_t i;
    int rc = 0;

    w->header_done = true;
    if (w->format != SHO_FORMAT_CSV) {
        return 0;
    }
    if (w->excel) {
        rc = sho_buf_append(&w->line, "\xEF\xBB\xBF", 3);
    }
    for (i = 0; rc == 0 && i < w->ncols; i++) {
        rc = sho_buf_appendf(&w->line, "%s%s", i != 0 ? "," : "", w->cols[i].name);
    }
    if (rc == 0) {
        rc = sho_buf_appends(&w->line, w->excel ? "\r\n" : "\n");
    }
    return rc != 0 ? sho_err_set(err, rc, NULL, -1, "output row too long") : qo_write(w, err);
}

/* ---- table -------------------------------------------------------------------------- */

static int qo_table_flush(struct qo_writer *w, struct sho_err *err)
{
    size_t widths[QO_COLS_MAX] = { 0 };
    size_t r, c, last = 0;
    int rc = 0;

    for (c = 0; c < w->ncols; c++) {
        if (w->cols[c].head != NULL) {
            widths[c] = strlen(w->cols[c].head);
            last = c;
        }
    }
    for (r = 0; r < w->table_rows; r++) {
        for (c = 0; c < w->ncols; c++) {
            const char *cell = w->table[r * w->ncols + c];
            size_t cw = cell != NULL ? sho_str_width(cell) : 1;
            widths[c] = cw > widths[c] ? cw : widths[c];
        }
    }
    for (r = 0; rc == 0 && r <= w->table_rows; r++) {
        for (c = 0; rc == 0 && c < w->ncols; c++) {
            const char *cell;
            if (w->cols[c].head == NULL) {
                continue;
            }
            cell = r == 0 ? w->cols[c].head : w->table[(r - 1) * w->ncols + c];
            if (cell == NULL) {
                cell = "-";
            }
            rc = sho_buf_appends(&w->line, cell);
            if (rc == 0 && c != last) {
                rc = sho_buf_appendf(&w->line, "%*s", (int)(widths[c] - sho_str_width(cell) + 2),
                                     "");
            }
        }
        if (rc == 0) {
            rc = sho_buf_putc(&w->line, '\n');
        }
        if (rc == 0) {
            rc = qo_write(w, err);
        }
    }
    for (r = 0; r < w->table_rows * w->ncols; r++) {
        free(w->table[r]);
        w->table[r] = NULL;
    }
    w->table_rows = 0;
    return rc;
}

/* ---- one row of cells ----------------------------------------------------------------- */

static int qo_row(struct qo_writer *w, char **cells, const uint32_t *acts, struct sho_err *err)
{
    size_t i;
    int rc = 0;

    if (!w->header_done) {
        rc = qo_header(w, err);
        if (rc != 0) {
            return rc;
        }
    }
    w->rows++;
    if (w->format == SHO_FORMAT_TABLE) {
        for (i = 0; i < w->ncols; i++) {
            if (w->cols[i].type == T_ACTS && cells[i] == NULL) {
                struct sho_buf b;
                sho_buf_init(&b, 4096);
                if (qo_actions(&b, *acts, false) == 0 && b.len > 0) {
                    cells[i] = sho_xstrdup(b.data);
                }
                sho_buf_release(&b);
            }
            w->table[w->table_rows * w->ncols + i] = cells[i];
            cells[i] = NULL;
        }
        if (++w->table_rows == QO_TABLE_ROWS) {
            return qo_table_flush(w, err);
        }
        return 0;
    }
    if (w->format == SHO_FORMAT_JSONL) {
        rc = sho_buf_putc(&w->line, '{');
    }
    for (i = 0; rc == 0 && i < w->ncols; i++) {
        const struct qo_col *col = &w->cols[i];
        if (w->format == SHO_FORMAT_CSV) {
            if (i != 0) {
                rc = sho_buf_putc(&w->line, ',');
            }
            if (rc == 0 && col->type == T_ACTS) {
                struct sho_buf b;
                sho_buf_init(&b, 4096);
                rc = qo_actions(&b, *acts, false);
                if (rc == 0 && b.len > 0) {
                    rc = sho_csv_cell(&w->line, b.data, w->excel ? SHO_CSV_NEUTRALIZE : 0);
                }
                sho_buf_release(&b);
            } else if (rc == 0) {
                rc = sho_csv_cell(&w->line, cells[i], w->excel ? SHO_CSV_NEUTRALIZE : 0);
            }
            continue;
        }
        rc = sho_buf_appendf(&w->line, "%s\"%s\":", i != 0 ? "," : "", col->name);
        if (rc != 0) {
            break;
        }
        if (col->type == T_ACTS) {
            rc = qo_actions(&w->line, *acts, true);
        } else if (cells[i] == NULL) {
            rc = sho_buf_appends(&w->line, "null");
        } else if (col->type == T_NUM) {
            rc = sho_buf_appends(&w->line, cells[i]);
        } else {
            rc = sho_json_append_string(&w->line, cells[i]);
        }
    }
    if (rc == 0 && w->format == SHO_FORMAT_JSONL) {
        rc = sho_buf_putc(&w->line, '}');
    }
    if (rc == 0) {
        rc = sho_buf_appends(&w->line, w->excel && w->format == SHO_FORMAT_CSV ? "\r\n" : "\n");
    }
    for (i = 0; i < w->ncols; i++) {
        free(cells[i]);
    }
    if (rc != 0) {
        sho_buf_reset(&w->line);
        return sho_err_set(err, rc, NULL, -1, "output row too long");
    }
    return qo_write(w, err);
}

static char *qo_dup(const char *s)
{
    return s != NULL && s[0] != '\0' ? sho_xstrdup(s) : NULL;
}

static char *qo_time(const struct qo_writer *w, uint64_t ft)
{
    char buf[SHO_TIME_ISO_MAX];

    (void)sho_tz_format(&w->tz, ft, buf);
    return sho_xstrdup(buf);
}

static char *qo_num(uint64_t v)
{
    char buf[32];

    (void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    return sho_xstrdup(buf);
}

/* "DOMAIN\name" for the table, which shows one USER column. */
static char *qo_person(const struct qo_writer *w, const char *domain, const char *user,
                       const char *sid)
{
    struct sho_buf b;
    char *s;

    if (w->format != SHO_FORMAT_TABLE) {
        return qo_dup(user);
    }
    if (user == NULL || user[0] == '\0') {
        return qo_dup(sid);
    }
    sho_buf_init(&b, 4096);
    if (sho_buf_appendf(&b, "%s%s%s", domain != NULL && domain[0] != '\0' ? domain : "",
                        domain != NULL && domain[0] != '\0' ? "\\" : "", user) != 0) {
        sho_buf_release(&b);
        return qo_dup(user);
    }
    s = sho_xstrdup(b.data);
    sho_buf_release(&b);
    return s;
}

int qo_put_event(struct qo_writer *w, const struct sho_index_row *r, struct sho_err *err)
{
    char *cells[QO_COLS_MAX] = { NULL };

    cells[0] = qo_time(w, r->time);
    cells[1] = qo_dup(r->user_sid);
    cells[2] = qo_dup(r->domain);
    cells[3] = qo_person(w, r->domain, r->user, r->user_sid);
    cells[5] = qo_dup(sho_outcome_name(r->outcome));
    cells[6] = qo_dup(r->host);
    cells[7] = qo_dup(r->client_ip);
    cells[8] = qo_dup(r->ref);
    cells[9] = qo_dup(r->path);
    cells[10] = qo_dup(r->object_type);
    cells[11] = qo_dup(r->share);
    cells[12] = qo_dup(r->process);
    cells[13] = r->event_id != 0 ? qo_num(r->event_id) : NULL;
    cells[14] = qo_dup(r->channel);
    return qo_row(w, cells, &r->actions, err);
}

int qo_put_group(struct qo_writer *w, const struct sho_index_group *g, struct sho_err *err)
{
    char *cells[QO_COLS_MAX] = { NULL };

    if (w->cols == person_cols) {
        cells[0] = qo_person(w, g->domain, g->user, g->user_sid);
        cells[1] = qo_dup(g->user_sid);
        cells[2] = qo_dup(g->domain);
        cells[3] = qo_time(w, g->first);
        cells[4] = qo_time(w, g->last);
        cells[5] = qo_num(g->count);
    } else {
        cells[0] = qo_time(w, g->first);
        cells[1] = qo_time(w, g->last);
        cells[2] = qo_num(g->count);
        cells[4] = qo_dup(g->path);
    }
    return qo_row(w, cells, &g->actions, err);
}

struct qo_writer *qo_new_cols(FILE *out, enum sho_event_format format, bool excel,
                              const struct sho_tz *tz, const struct qo_col *cols, size_t ncols)
{
    struct qo_writer *w = qo_new(out, format, excel, tz, QO_EVENTS);

    if (ncols > QO_COLS_MAX) {
        ncols = QO_COLS_MAX;
    }
    w->cols = cols;
    w->ncols = ncols;
    if (w->table != NULL) {
        free(w->table);
        w->table = sho_xcalloc((size_t)QO_TABLE_ROWS * ncols, sizeof(char *));
    }
    return w;
}

int qo_put_cells(struct qo_writer *w, char **cells, uint32_t actions, struct sho_err *err)
{
    return qo_row(w, cells, &actions, err);
}

char *qo_cell_time(const struct qo_writer *w, uint64_t ft)
{
    return qo_time(w, ft);
}

char *qo_cell_num(uint64_t v)
{
    return qo_num(v);
}

char *qo_cell_str(const char *s)
{
    return qo_dup(s);
}

int qo_finish(struct qo_writer *w, struct sho_err *err)
{
    int rc = 0;

    if (!w->header_done && w->format == SHO_FORMAT_CSV) {
        rc = qo_header(w, err);
    }
    if (rc == 0 && w->format == SHO_FORMAT_TABLE && w->table_rows > 0) {
        rc = qo_table_flush(w, err);
    }
    if (rc == 0 && fflush(w->out) != 0) {
        rc = sho_err_set(err, SHO_EIO, "<stdout>", -1, "cannot write results");
    }
    return rc;
}

uint64_t qo_rows(const struct qo_writer *w)
{
    return w->rows;
}

void qo_free(struct qo_writer *w)
{
    size_t i;

    if (w == NULL) {
        return;
    }
    if (w->table != NULL) {
        for (i = 0; i < (size_t)QO_TABLE_ROWS * w->ncols; i++) {
            free(w->table[i]);
        }
        free(w->table);
    }
    sho_buf_release(&w->line);
    free(w);
}
