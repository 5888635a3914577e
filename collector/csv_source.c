/*
 * csv_source: CSV exports (NAS appliances, PowerShell Export-Csv, other
 * tools) -> events, the columns mapped by a --csv-map file (csv_map.c), or by
 * the built-in map when the header is that of `Get-WinEvent | Export-Csv`.
 *
 * Records are cut by libcsv (RFC 4180: quoted fields may hold delimiters,
 * doubled quotes and line breaks), fed one line at a time from csv_lines
 * (UTF-8 or UTF-16LE, CRLF or LF), so every record knows the lines it spans:
 * its source_offset is its first line's, and `cat` shows those lines. A
 * quoted field still open after CSV_RECORD_LINES_MAX lines or
 * CSV_RECORD_MAX bytes is reported and dropped, so memory does not grow with
 * a damaged file. PowerShell's "#TYPE ..." first line is skipped.
 *
 * A row whose map names a message column is a Windows event: its columns and
 * the message's labels (csv_winmsg.c) fill a winrec that the EVTX
 * normalization reads. Any other row is mapped field by field. Bad rows (too
 * few columns, a time that matches no format, an unknown action or outcome
 * word, a number that is none) are reported once with their line, counted
 * and skipped.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_map.h"
#include "textsrc.h"

#define CSV_RECORD_MAX       ((size_t)16 << 20) /* bytes of one record */
#define CSV_RECORD_LINES_MAX 100000             /* lines of one record */
#define CSV_WHY_MAX          256

struct csv_state {
    struct textsrc_file *f;
    const struct csv_map *map;    /* the user's, or `builtin` */
    struct csv_map *builtin;      /* owned: the Get-WinEvent map when chosen */
    struct csv_parser p;          /* libcsv */
    struct sho_buf cells;         /* the record's cells, each NUL-terminated */
    size_t cell[CSV_COLUMNS_MAX]; /* offsets of the cells in `cells` */
    size_t cell_count;            /* cells of the record */
    bool is_too_wide;             /* more than CSV_COLUMNS_MAX cells */
    bool is_too_large;            /* a cell did not fit CSV_RECORD_MAX */
    bool has_record;              /* libcsv ended a record */
    bool is_in_record;            /* lines of a record are being fed */
    int64_t rec_offset;           /* its first line */
    uint64_t rec_line, rec_lines; /* first line number and lines so far */
    size_t rec_len;               /* bytes so far */
    bool is_header_done;          /* the header was read (or there is none) */
    int col[CSV_F_COUNT];         /* 0-based cell of each field, -1 none */
    size_t cols_needed;           /* cells a row must have */
    struct textsrc_ids ids;       /* record ids of rows without one */
    struct sho_buf domain, user;  /* split DOMAIN\user */
    char why[CSV_WHY_MAX];        /* what is wrong with the row */
};

/* ---- libcsv callbacks ------------------------------------------------------------------ */

static void csv_cb_cell(void *s, size_t len, void *data)
{
    struct csv_state *st = data;

    if (st->cell_count == CSV_COLUMNS_MAX) {
        st->is_too_wide = true;
        return;
    }
    st->cell[st->cell_count++] = st->cells.len;
    if (sho_buf_append(&st->cells, s != NULL ? s : "", s != NULL ? len : 0) != 0 ||
        sho_buf_putc(&st->cells, '\0') != 0) {
        st->is_too_large = true;
    }
}

static void csv_cb_record(int c, void *data)
{
    struct csv_state *st = data;

    (void)c;
    st->has_record = true;
}

static int csv_is_blank(unsigned char c)
{
    return c == ' ';
}

static void csv_parser_start(struct csv_parser *p, char delimiter)
{
    (void)csv_init(p, 0);
    csv_set_delim(p, (unsigned char)delimiter);
    if (delimiter == '\t') {
        csv_set_space_func(p, csv_is_blank); /* libcsv trims tabs too by default */
    }
}

/* ---- cells -------------------------------------------------------------------------------- */

/* The cell of `field`, the map's constant, or NULL; "" reads as NULL. */
static const char *csv_get(const struct csv_state *st, enum csv_field field)
{
    const char *v = NULL;

    if (st->col[field] >= 0 && (size_t)st->col[field] < st->cell_count) {
        v = st->cells.data + st->cell[st->col[field]];
    }
    if (v == NULL || v[0] == '\0') {
        v = st->map->constant[field];
    }
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool csv_why(struct csv_state *st, const char *what, const char *value)
{
    (void)snprintf(st->why, sizeof(st->why), "%s '%.120s'", what, value);
    return false;
}

/* A numeric field into *out ("0x" hex or decimal); absent leaves it. False when not a number. */
static bool csv_num(struct csv_state *st, enum csv_field field, uint64_t *out, uint32_t *has,
                    uint32_t bit)
{
    const char *v = csv_get(st, field);

    if (v == NULL) {
        return true;
    }
    if (sho_parse_u64(v, UINT64_MAX, SHO_PARSE_HEX, out) != 0) {
        (void)snprintf(st->why, sizeof(st->why), "%s '%.120s' is not a number",
                       csv_field_name(field), v);
        return false;
    }
    *has |= bit;
    return true;
}

static bool csv_time_of(struct csv_state *st, uint64_t *ft)
{
    const struct csv_map *m = st->map;
    const struct sho_tzone *zone = m->has_zone ? &m->zone : &st->f->t->zone;
    const char *v = csv_get(st, CSV_F_TIME);
    size_t i;

    if (v == NULL) {
        (void)sho_str_copy(st->why, sizeof(st->why), "no time");
        return false;
    }
    for (i = 0; i < m->time_count; i++) {
        if (csv_time_parse(&m->time[i], zone, v, ft) == 0) {
            return true;
        }
    }
    return csv_why(st, "time does not match the map's time format:", v);
}

/* The person: DOMAIN\user is split when the map gives no domain. */
static void csv_person(struct csv_state *st, struct sho_event *ev)
{
    const char *user = csv_get(st, CSV_F_USER), *slash;

    ev->user_sid = csv_get(st, CSV_F_USER_SID) != NULL ? csv_get(st, CSV_F_USER_SID) : ev->user_sid;
    ev->domain = csv_get(st, CSV_F_DOMAIN) != NULL ? csv_get(st, CSV_F_DOMAIN) : ev->domain;
    if (user == NULL) {
        return;
    }
    slash = strchr(user, '\\');
    ev->user = user;
    if (slash != NULL && csv_get(st, CSV_F_DOMAIN) == NULL) {
        sho_buf_reset(&st->domain);
        sho_buf_reset(&st->user);
        if (sho_buf_append(&st->domain, user, (size_t)(slash - user)) == 0 &&
            sho_buf_appends(&st->user, slash + 1) == 0) {
            ev->domain = slash > user ? st->domain.data : ev->domain;
            ev->user = st->user.data;
        }
    }
}

/* Actions and outcome from the tool's words. False when a word is unknown. */
static bool csv_words(struct csv_state *st, struct sho_event *ev, bool *is_ignored)
{
    const struct csv_map *m = st->map;
    const char *a = csv_get(st, CSV_F_ACTION), *o = csv_get(st, CSV_F_OUTCOME);
    const struct csv_word *w;

    if (a != NULL) {
        w = csv_word_find(m->actions, m->action_count, a);
        if (w == NULL && sho_action_parse(a) == 0) {
            return csv_why(st, "unknown action", a);
        }
        *is_ignored = w != NULL && w->is_ignored;
        ev->actions = w != NULL ? w->value : sho_action_parse(a);
    }
    if (o != NULL) {
        w = csv_word_find(m->outcomes, m->outcome_count, o);
        if (w == NULL && strcmp(o, "success") != 0 && strcmp(o, "failure") != 0) {
            return csv_why(st, "unknown outcome", o);
        }
        ev->outcome = w != NULL     ? (enum sho_outcome)w->value
                      : o[0] == 's' ? SHO_OUTCOME_SUCCESS
                                    : SHO_OUTCOME_FAILURE;
    }
    return true;
}

/* The mapped fields of the row into `ev` (over what a Windows message gave). */
static bool csv_fields(struct csv_state *st, struct sho_event *ev, bool *is_ignored)
{
    static const enum csv_field fields[] = {
        CSV_F_HOST,    CSV_F_CHANNEL,   CSV_F_PROVIDER, CSV_F_OBJECT_TYPE,     CSV_F_PATH,
        CSV_F_PROCESS, CSV_F_CLIENT_IP, CSV_F_SHARE,    CSV_F_SHARE_LOCAL_PATH
    };
    const char **dst[SHO_ARRAY_COUNT(fields)] = {
        &ev->host,    &ev->channel,   &ev->provider, &ev->object_type,     &ev->path,
        &ev->process, &ev->client_ip, &ev->share,    &ev->share_local_path
    };
    uint64_t id = ev->event_id;
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(fields); i++) {
        const char *v = csv_get(st, fields[i]);
        if (v != NULL) {
            *dst[i] = v;
        }
    }
    csv_person(st, ev);
    if (!csv_num(st, CSV_F_EVENT_ID, &id, &ev->has, SHO_HAS_EVENT_ID) ||
        !csv_num(st, CSV_F_RECORD_ID, &ev->record_id, &ev->has, SHO_HAS_RECORD_ID) ||
        !csv_num(st, CSV_F_LOGON_ID, &ev->logon_id, &ev->has, SHO_HAS_LOGON_ID) ||
        !csv_num(st, CSV_F_PROCESS_ID, &ev->process_id, &ev->has, SHO_HAS_PROCESS_ID) ||
        !csv_num(st, CSV_F_ACCESS_MASK, &ev->access_mask, &ev->has, SHO_HAS_ACCESS_MASK) ||
        !csv_num(st, CSV_F_HANDLE_ID, &ev->handle_id, &ev->has, SHO_HAS_HANDLE_ID)) {
        return false;
    }
    if (id > UINT32_MAX) {
        return csv_why(st, "event id out of range:", csv_get(st, CSV_F_EVENT_ID));
    }
    ev->event_id = (uint32_t)id;
    return csv_words(st, ev, is_ignored);
}

/* ---- Windows events (a message column) ------------------------------------------------- */

/* Keywords as PowerShell writes them: a signed 64-bit decimal (audit bits are the top ones). */
static bool csv_keywords(const char *v, uint64_t *out)
{
    if (v[0] == '-') {
        if (sho_parse_u64(v + 1, (uint64_t)1 << 63, 0, out) != 0) {
            return false;
        }
        *out = 0 - *out;
        return true;
    }
    return sho_parse_u64(v, UINT64_MAX, SHO_PARSE_HEX, out) == 0;
}

static int csv_store(struct winrec *r, const char *v, uint32_t *off)
{
    return v != NULL ? winrec_store(r, v, strlen(v), off) : 0;
}

/* Fill the reader's winrec from the row. 1 done, 0 a bad row (st->why), <0 limit. */
static int csv_winrec(struct csv_state *st, uint64_t time)
{
    struct winrec *r = &st->f->t->rec;
    const char *kw = csv_get(st, CSV_F_KEYWORDS), *msg = csv_get(st, CSV_F_MESSAGE);
    uint64_t v = 0;
    uint32_t has = 0;
    int rc;

    winrec_reset(r);
    r->time = time;
    r->has |= WINREC_HAS_TIME;
    if (!csv_num(st, CSV_F_EVENT_ID, &v, &has, WINREC_HAS_EVENT_ID) || v > UINT32_MAX) {
        return 0;
    }
    r->event_id = (uint32_t)v;
    if (!csv_num(st, CSV_F_RECORD_ID, &r->record_id, &has, WINREC_HAS_RECORD_ID)) {
        return 0;
    }
    r->has |= has;
    if (kw != NULL && csv_keywords(kw, &r->keywords)) {
        r->has |= WINREC_HAS_KEYWORDS;
    }
    rc = csv_store(r, csv_get(st, CSV_F_HOST), &r->computer);
    if (rc == 0) {
        rc = csv_store(r, csv_get(st, CSV_F_CHANNEL), &r->channel);
    }
    if (rc == 0) {
        rc = csv_store(r, csv_get(st, CSV_F_PROVIDER), &r->provider);
    }
    if (rc == 0 && msg != NULL) {
        rc = csv_winmsg_fields(r, r->event_id, msg);
    }
    return rc < 0 ? rc : 1;
}

/* ---- rows --------------------------------------------------------------------------------- */

static void csv_bad(struct csv_state *st, enum sho_skip_reason reason, const char *what)
{
    textsrc_problem(st->f, reason, true, st->rec_offset, st->rec_line, what);
}

/* The header row: where each mapped column is. Returns 0 or SHO_EINVAL (map's line). */
static int csv_header(struct csv_state *st, struct sho_err *err)
{
    const struct csv_map *m = st->map;
    size_t i, c;

    for (i = 0; i < CSV_F_COUNT; i++) {
        const struct csv_column *col = &m->col[i];
        st->col[i] = -1;
        if (col->line == 0) {
            continue;
        }
        if (col->name == NULL) {
            st->col[i] = (int)col->number - 1;
        }
        for (c = 0; col->name != NULL && c < st->cell_count; c++) {
            if (sho_str_casecmp(st->cells.data + st->cell[c], col->name) == 0) {
                st->col[i] = (int)c;
                break;
            }
        }
        if (st->col[i] < 0) {
            /* a long name is quoted in part, so the reason always fits the one line */
            const char *name = col->name != NULL ? col->name : "";
            return sho_err_set(err, SHO_EINVAL, m->path, -1,
                               "line %u: column '%.60s%s' is not in the header of '%s'", col->line,
                               name, strlen(name) > 60 ? "..." : "", st->f->path);
        }
        if ((size_t)st->col[i] + 1 > st->cols_needed) {
            st->cols_needed = (size_t)st->col[i] + 1;
        }
    }
    st->is_header_done = true;
    return 0;
}

static bool csv_row_blank(const struct csv_state *st)
{
    size_t i;

    for (i = 0; i < st->cell_count; i++) {
        if (st->cells.data[st->cell[i]] != '\0') {
            return false;
        }
    }
    return true;
}

static uint64_t csv_row_hash(const struct csv_state *st)
{
    uint64_t h = TEXTSRC_HASH_SEED;
    size_t i;

    for (i = 0; i < st->cell_count; i++) {
        const char *c = st->cells.data + st->cell[i];
        h = textsrc_hash(c, strlen(c) + 1, h);
    }
    return h;
}

/* Turn the row into an event. 1 emit, 0 not an event, -1 bad (st->why), <-1 error code. */
static int csv_event(struct csv_state *st, struct sho_event *ev)
{
    bool is_ignored = false;
    uint64_t time;
    int rc;

    if (!csv_time_of(st, &time)) {
        return -1;
    }
    sho_event_clear(ev);
    if (st->col[CSV_F_MESSAGE] >= 0) {
        rc = csv_winrec(st, time);
        if (rc == SHO_ELIMIT) {
            (void)sho_str_copy(st->why, sizeof(st->why), "message larger than 16 MiB");
        }
        if (rc <= 0) {
            return rc == 0 || rc == SHO_ELIMIT ? -1 : rc;
        }
        if (!normalizer_run(st->f->t->normalizer, &st->f->t->rec, ev)) {
            return 0;
        }
    }
    ev->time = time;
    ev->has |= SHO_HAS_TIME;
    if (!csv_fields(st, ev, &is_ignored)) {
        return -1;
    }
    if (is_ignored) {
        return 0;
    }
    if ((ev->has & SHO_HAS_RECORD_ID) == 0) {
        ev->record_id = textsrc_record_id(&st->ids, csv_row_hash(st), time);
        ev->has |= SHO_HAS_RECORD_ID;
    }
    ev->source_offset = st->rec_offset;
    ev->has |= SHO_HAS_SOURCE_OFFSET;
    return 1;
}

static int csv_row(struct csv_state *st, struct sho_err *err)
{
    struct sho_event ev;
    char what[CSV_WHY_MAX + 64];
    int rc;

    if (st->is_too_wide || st->is_too_large) {
        st->f->st->records++;
        csv_bad(st, SHO_SKIP_TOO_LARGE,
                st->is_too_wide ? "row of more than 1024 columns: skipped"
                                : "row larger than 16 MiB: skipped");
        return 0;
    }
    if (!st->is_header_done) {
        return csv_header(st, err);
    }
    if (csv_row_blank(st)) {
        return 0;
    }
    st->f->st->records++;
    if (st->cell_count < st->cols_needed) {
        (void)snprintf(what, sizeof(what), "%zu columns, the map needs %zu: skipped",
                       st->cell_count, st->cols_needed);
        csv_bad(st, SHO_SKIP_BAD_LINE, what);
        return 0;
    }
    rc = csv_event(st, &ev);
    if (rc == -1) {
        (void)snprintf(what, sizeof(what), "%s: skipped", st->why);
        csv_bad(st, SHO_SKIP_BAD_LINE, what);
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    st->f->st->read++;
    return rc == 1 ? textsrc_event(st->f, &ev, err) : 0;
}

/* ---- lines -------------------------------------------------------------------------------- */

static void csv_record_reset(struct csv_state *st)
{
    st->cell_count = 0;
    st->is_too_wide = false;
    st->is_too_large = false;
    st->has_record = false;
    st->is_in_record = false;
    sho_buf_reset(&st->cells);
}

/* Drop a record that cannot be finished, and start the parser afresh. */
static void csv_record_drop(struct csv_state *st, const char *what)
{
    st->f->st->records++;
    csv_bad(st, SHO_SKIP_BAD_LINE, what);
    csv_free(&st->p);
    csv_parser_start(&st->p, st->map->delimiter);
    csv_record_reset(st);
}

/* Is this a line before the data: the map's skip-lines, or PowerShell's #TYPE line after them? */
static bool csv_skip_line(const struct csv_state *st, const struct text_line *l)
{
    unsigned skip = st->map->skip_lines;

    return l->number <= skip ||
           (l->number == skip + 1 && l->len >= 6 && memcmp(l->text, "#TYPE ", 6) == 0);
}

static int csv_line(struct csv_state *st, const struct text_line *l, struct sho_err *err)
{
    if (csv_skip_line(st, l)) {
        return 0;
    }
    if (!st->is_in_record) {
        if (l->len == 0) {
            return 0;
        }
        st->is_in_record = true;
        st->rec_offset = l->offset;
        st->rec_line = l->number;
        st->rec_lines = 0;
        st->rec_len = 0;
    }
    st->rec_lines++;
    st->rec_len += l->len + 1;
    if (st->rec_lines > CSV_RECORD_LINES_MAX || st->rec_len > CSV_RECORD_MAX) {
        csv_record_drop(st, "quoted field not closed within 100000 lines or 16 MiB: skipped");
        return 0;
    }
    if (csv_parse(&st->p, l->text, l->len, csv_cb_cell, csv_cb_record, st) != l->len ||
        csv_parse(&st->p, "\n", 1, csv_cb_cell, csv_cb_record, st) != 1) {
        return sho_err_set(err, SHO_ENOMEM, NULL, l->offset, "CSV parser: %s",
                           csv_strerror(csv_error(&st->p)));
    }
    if (!st->has_record) {
        return 0;
    }
    {
        int rc = csv_row(st, err);
        csv_record_reset(st);
        return rc;
    }
}

/*
 * The map for this file: the built-in one when the header is Get-WinEvent's
 * and the user's map is not one for such exports (it names no message
 * column), else the user's.
 */
static int csv_choose_map(struct csv_state *st, struct csv_lines *lines, struct sho_err *err)
{
    const struct csv_map *user = st->f->t->csv;
    struct text_line l;
    int rc;

    st->map = user;
    if (user != NULL && user->col[CSV_F_MESSAGE].line != 0) {
        return 0;
    }
    rc = csv_lines_next(lines, &l, err);
    if (rc == 1 && l.len >= 6 && memcmp(l.text, "#TYPE ", 6) == 0) {
        rc = csv_lines_next(lines, &l, err);
    }
    if (rc == 1 && csv_is_winevent_header(l.text, l.len)) {
        st->builtin = csv_map_winevent();
        st->map = st->builtin;
        return 0;
    }
    if (rc < 0 || user != NULL) {
        return rc < 0 ? rc : 0;
    }
    return sho_err_set(err, SHO_EINVAL, st->f->path, 0,
                       "CSV without --csv-map: give a map that says which column is which "
                       "(docs/sources.md)");
}

static int csv_read_lines(struct csv_state *st, struct csv_lines *lines, struct sho_err *err)
{
    struct text_line l;
    int rc;

    while ((rc = csv_lines_next(lines, &l, err)) == 1) {
        if (l.is_too_long || l.has_nul) {
            if (st->is_in_record) {
                csv_record_drop(st, "record holds a bad line: skipped");
            }
            if (!st->is_header_done && l.number > st->map->skip_lines) {
                st->is_header_done = true; /* would be unusable as a header */
            }
            (void)textsrc_line_bad(st->f, &l);
            continue;
        }
        rc = csv_line(st, &l, err);
        if (rc != 0) {
            return rc;
        }
    }
    if (rc == 0 && st->is_in_record) {
        st->f->st->records++;
        csv_bad(st, SHO_SKIP_BAD_LINE, "quoted field not closed before the end of the file");
    }
    return rc;
}

int textsrc_read_csv(struct textsrc_file *f, int fd, const void *mem, size_t mem_len,
                     struct sho_err *err)
{
    struct csv_state st;
    struct csv_lines *lines;
    size_t i;
    int rc;

    memset(&st, 0, sizeof(st));
    st.f = f;
    lines = csv_lines_new(fd, 0, mem, mem_len);
    rc = csv_choose_map(&st, lines, err);
    csv_lines_free(lines);
    if (rc != 0) {
        return rc;
    }
    for (i = 0; i < CSV_F_COUNT; i++) {
        st.col[i] = -1;
    }
    sho_buf_init(&st.cells, CSV_RECORD_MAX);
    sho_buf_init(&st.domain, CSV_RECORD_MAX);
    sho_buf_init(&st.user, CSV_RECORD_MAX);
    csv_parser_start(&st.p, st.map->delimiter);
    if (!st.map->has_header) {
        rc = csv_header(&st, err);
    }
    lines = csv_lines_new(fd, 0, mem, mem_len);
    if (rc == 0) {
        rc = csv_read_lines(&st, lines, err);
    }
    csv_lines_free(lines);
    csv_free(&st.p);
    sho_buf_release(&st.cells);
    sho_buf_release(&st.domain);
    sho_buf_release(&st.user);
    csv_map_free(st.builtin);
    return rc;
}

/* ---- cat and detection -------------------------------------------------------------------- */

static void csv_cb_none(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    (void)data;
}

int csv_record_lines(int fd, int64_t offset,
                     int (*fn)(void *ctx, int64_t offset, const char *text, size_t len), void *ctx,
                     struct sho_err *err)
{
    struct csv_lines *lines = csv_lines_new(fd, offset, NULL, 0);
    struct csv_state st; /* only has_record is used */
    struct text_line l;
    uint64_t n = 0;
    int rc = 0;

    memset(&st, 0, sizeof(st));
    csv_parser_start(&st.p, ',');
    while (!st.has_record && n < CSV_RECORD_LINES_MAX &&
           (rc = csv_lines_next(lines, &l, err)) == 1) {
        if (fn(ctx, l.offset, l.text, l.len) < 0) {
            rc = SHO_EIO;
            break;
        }
        n++;
        (void)csv_parse(&st.p, l.text, l.len, csv_cb_none, csv_cb_record, &st);
        (void)csv_parse(&st.p, "\n", 1, csv_cb_none, csv_cb_record, &st);
    }
    csv_free(&st.p);
    csv_lines_free(lines);
    return rc < 0 ? rc : n > 0 ? 1 : 0;
}

bool csv_is_winevent_header(const char *text, size_t len)
{
    static const char *const names[] = { "\"TimeCreated\"", "\"Message\"", "\"Id\"", "\"RecordId\"",
                                         "\"ProviderName\"" };
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(names); i++) {
        size_t n = strlen(names[i]);
        const char *p = text, *end = text + len;
        bool found = false;
        while (!found && (p = memchr(p, '"', (size_t)(end - p))) != NULL) {
            found = (size_t)(end - p) >= n && memcmp(p, names[i], n) == 0;
            p++;
        }
        if (!found) {
            return false;
        }
    }
    return true;
}
