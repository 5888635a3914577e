/*
 * event_writer: streams events to a FILE in one of three formats. JSON lines
 * and CSV are written row by row; the table buffers a bounded block of rows
 * (TABLE_BLOCK_ROWS) so columns can be aligned without holding the whole
 * output in memory. Widths count East Asian wide characters as two columns so
 * Japanese names and paths line up in a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "event_fields.h"
#include "shoseki/event.h"

#define WRITER_LINE_LIMIT ((size_t)64 * 1024 * 1024) /* one rendered event, worst case */
#define TABLE_BLOCK_ROWS  1000
#define TABLE_COLS        7
#define TABLE_PATH_COL    (TABLE_COLS - 1)

struct sho_event_writer {
    FILE *out;                    /* borrowed */
    enum sho_event_format format; /* how to render */
    unsigned flags;               /* enum sho_event_writer_flags */
    bool header_done;             /* CSV header or table heading written */
    struct sho_buf line;          /* scratch for one rendered row */
    char **rows;                  /* table: TABLE_BLOCK_ROWS * TABLE_COLS cells, owned */
    size_t row_count;             /* table: rows buffered */
};

static const char *const table_heads[TABLE_COLS] = {
    "TIME", "HOST", "EVENT", "USER", "ACTIONS", "OUTCOME", "PATH",
};

struct sho_event_writer *sho_event_writer_new(FILE *out, enum sho_event_format format,
                                              unsigned flags)
{
    struct sho_event_writer *w = sho_xcalloc(1, sizeof(*w));

    w->out = out;
    w->format = format;
    w->flags = flags;
    sho_buf_init(&w->line, WRITER_LINE_LIMIT);
    if (format == SHO_FORMAT_TABLE) {
        w->rows = sho_xcalloc((size_t)TABLE_BLOCK_ROWS * TABLE_COLS, sizeof(char *));
    }
    return w;
}

static int writer_flush_line(struct sho_event_writer *w, struct sho_err *err)
{
    if (w->line.len != 0 && fwrite(w->line.data, 1, w->line.len, w->out) != w->line.len) {
        return sho_err_set(err, SHO_EIO, "<stdout>", -1, "cannot write output");
    }
    sho_buf_reset(&w->line);
    return 0;
}

/* ---- CSV ---------------------------------------------------------------------- */

static int csv_header(struct sho_event_writer *w, struct sho_err *err)
{
    size_t i, count = event_field_count(w->flags);
    int rc = 0;

    if ((w->flags & SHO_WRITER_EXCEL) != 0) {
        rc = sho_buf_append(&w->line, "\xEF\xBB\xBF", 3);
    }
    for (i = 0; rc == 0 && i < count; i++) {
        rc = sho_buf_appendf(&w->line, "%s%s", i != 0 ? "," : "", event_field_get(i)->name);
    }
    if (rc == 0) {
        rc = sho_buf_appends(&w->line, (w->flags & SHO_WRITER_EXCEL) ? "\r\n" : "\n");
    }
    w->header_done = true;
    return rc != 0 ? sho_err_set(err, rc, NULL, -1, "output row too long") : 0;
}

static int csv_put(struct sho_event_writer *w, const struct sho_event *ev, struct sho_err *err)
{
    char scratch[EVENT_FIELD_SCRATCH];
    size_t i, count = event_field_count(w->flags);
    unsigned csv_flags = (w->flags & SHO_WRITER_EXCEL) != 0 ? SHO_CSV_NEUTRALIZE : 0;
    int rc = 0;

    if ((w->flags & SHO_WRITER_NO_HEADER) != 0) {
        w->header_done = true;
    }
    if (!w->header_done && csv_header(w, err) != 0) {
        return SHO_ELIMIT;
    }
    for (i = 0; rc == 0 && i < count; i++) {
        if (i != 0) {
            rc = sho_buf_putc(&w->line, ',');
        }
        if (rc == 0) {
            rc = sho_csv_cell(&w->line, event_field_text(ev, i, scratch), csv_flags);
        }
    }
    if (rc == 0) {
        rc = sho_buf_appends(&w->line, (w->flags & SHO_WRITER_EXCEL) ? "\r\n" : "\n");
    }
    if (rc != 0) {
        sho_buf_reset(&w->line);
        return sho_err_set(err, rc, NULL, -1, "output row too long");
    }
    return writer_flush_line(w, err);
}

/* ---- table -------------------------------------------------------------------- */

static void table_row_cells(const struct sho_event *ev, char **cells)
{
    int rc = 0;
    char scratch[EVENT_FIELD_SCRATCH];
    struct sho_buf user;

    if ((ev->has & SHO_HAS_TIME) != 0) {
        (void)sho_time_format_iso(ev->time, scratch);
        cells[0] = sho_xstrdup(scratch);
    } else {
        cells[0] = sho_xstrdup("-");
    }
    cells[1] = sho_xstrdup(ev->host != NULL ? ev->host : "-");
    (void)snprintf(scratch, sizeof(scratch), "%u", ev->event_id);
    cells[2] = sho_xstrdup((ev->has & SHO_HAS_EVENT_ID) ? scratch : "-");
    sho_buf_init(&user, WRITER_LINE_LIMIT);
    if (ev->domain != NULL && ev->user != NULL) {
        rc = sho_buf_appendf(&user, "%s\\%s", ev->domain, ev->user);
    } else if (ev->user != NULL || ev->user_sid != NULL) {
        rc = sho_buf_appends(&user, ev->user != NULL ? ev->user : ev->user_sid);
    }
    cells[3] = sho_xstrdup(rc == 0 && user.len != 0 ? user.data : "-");
    sho_buf_release(&user);
    cells[4] = sho_xstrdup(ev->actions != 0 ? event_actions_text(ev, scratch) : "-");
    cells[5] =
        sho_xstrdup(ev->outcome != SHO_OUTCOME_UNKNOWN ? sho_outcome_name(ev->outcome) : "-");
    cells[6] = sho_xstrdup(ev->path != NULL ? ev->path : "-");
}

static int table_flush(struct sho_event_writer *w, struct sho_err *err)
{
    size_t widths[TABLE_COLS];
    size_t r, c;
    int rc = 0;

    for (c = 0; c < TABLE_COLS; c++) {
        widths[c] = strlen(table_heads[c]);
        for (r = 0; r < w->row_count; r++) {
            size_t cw = sho_str_width(w->rows[r * TABLE_COLS + c]);
            widths[c] = cw > widths[c] ? cw : widths[c];
        }
    }
    for (r = 0; r <= w->row_count && rc == 0; r++) {
        if (r == 0 && w->header_done) {
            continue;
        }
        for (c = 0; c < TABLE_COLS && rc == 0; c++) {
            const char *cell = r == 0 ? table_heads[c] : w->rows[(r - 1) * TABLE_COLS + c];
            rc = sho_buf_appends(&w->line, cell);
            if (rc == 0 && c != TABLE_PATH_COL) {
                rc = sho_buf_appendf(&w->line, "%*s", (int)(widths[c] - sho_str_width(cell) + 2),
                                     "");
            }
        }
        if (rc == 0) {
            rc = sho_buf_putc(&w->line, '\n');
        }
        if (rc == 0) {
            rc = writer_flush_line(w, err);
        }
    }
    w->header_done = true;
    for (r = 0; r < w->row_count * TABLE_COLS; r++) {
        free(w->rows[r]);
        w->rows[r] = NULL;
    }
    w->row_count = 0;
    return rc;
}

static int table_put(struct sho_event_writer *w, const struct sho_event *ev, struct sho_err *err)
{
    table_row_cells(ev, &w->rows[w->row_count * TABLE_COLS]);
    w->row_count++;
    return w->row_count == TABLE_BLOCK_ROWS ? table_flush(w, err) : 0;
}

/* ---- public ------------------------------------------------------------------- */

int sho_event_writer_put(struct sho_event_writer *w, const struct sho_event *ev,
                         struct sho_err *err)
{
    int rc;

    switch (w->format) {
    case SHO_FORMAT_CSV:
        return csv_put(w, ev, err);
    case SHO_FORMAT_TABLE:
        return table_put(w, ev, err);
    default:
        rc = sho_event_to_json(ev, w->flags, &w->line);
        if (rc == 0) {
            rc = sho_buf_putc(&w->line, '\n');
        }
        if (rc != 0) {
            sho_buf_reset(&w->line);
            return sho_err_set(err, rc, NULL, -1, "output row too long");
        }
        return writer_flush_line(w, err);
    }
}

int sho_event_writer_finish(struct sho_event_writer *w, struct sho_err *err)
{
    int rc = 0;

    if (w->format == SHO_FORMAT_CSV && !w->header_done && (w->flags & SHO_WRITER_NO_HEADER) == 0) {
        rc = csv_header(w, err);
        if (rc == 0) {
            rc = writer_flush_line(w, err);
        }
    } else if (w->format == SHO_FORMAT_TABLE && w->row_count != 0) {
        rc = table_flush(w, err);
    }
    if (rc == 0 && fflush(w->out) != 0) {
        rc = sho_err_set(err, SHO_EIO, "<stdout>", -1, "cannot write output");
    }
    return rc;
}

void sho_event_writer_free(struct sho_event_writer *w)
{
    size_t i;

    if (w == NULL) {
        return;
    }
    if (w->rows != NULL) {
        for (i = 0; i < w->row_count * TABLE_COLS; i++) {
            free(w->rows[i]);
        }
        free(w->rows);
    }
    sho_buf_release(&w->line);
    free(w);
}
