#ifndef SHOSEKI_QUERY_PRIV_H
#define SHOSEKI_QUERY_PRIV_H

/* The query module's insides: the result writer and the shared search runner. */

#include "shoseki/clickhouse.h"
#include "shoseki/query.h"

/* ---- result writer (query_out.c) --------------------------------------------------- */

enum qo_kind {
    QO_EVENTS = 0,  /* one row per event */
    QO_PERSONS = 1, /* --summary of who: one row per person */
    QO_FILES = 2,   /* --summary of what: one row per file */
};

struct qo_writer;

/* A writer of result rows to `out` (borrowed). Caller frees with qo_free. */
struct qo_writer *qo_new(FILE *out, enum sho_event_format format, bool excel,
                         const struct sho_tz *tz, enum qo_kind kind);

SHO_NODISCARD int qo_put_event(struct qo_writer *w, const struct sho_index_row *row,
                               struct sho_err *err);
SHO_NODISCARD int qo_put_group(struct qo_writer *w, const struct sho_index_group *g,
                               struct sho_err *err);

/* Flush what is buffered (and a CSV header when no row came). Returns 0 or SHO_EIO. */
SHO_NODISCARD int qo_finish(struct qo_writer *w, struct sho_err *err);

/* Rows written so far. */
uint64_t qo_rows(const struct qo_writer *w);

void qo_free(struct qo_writer *w);

/* A writer of rows with the columns a report chooses (names as CSV header and JSON keys,
 * heads for the table, NULL head: not in the table). `cols` is borrowed for the writer's life. */
enum qo_type { QO_STR = 0, QO_NUM = 1, QO_ACTS = 2 };

struct qo_col {
    const char *name;
    const char *head;
    enum qo_type type;
};

struct qo_writer *qo_new_cols(FILE *out, enum sho_event_format format, bool excel,
                              const struct sho_tz *tz, const struct qo_col *cols, size_t ncols);

/* One row: `cells` (ncols strings, owned by the writer from now on; NULL = empty) and the
 * action bits shown in the QO_ACTS column. */
SHO_NODISCARD int qo_put_cells(struct qo_writer *w, char **cells, uint32_t actions,
                               struct sho_err *err);

/* Time in the writer's zone, a number, a copy: helpers for building cells (caller's to give). */
char *qo_cell_time(const struct qo_writer *w, uint64_t ft);
char *qo_cell_num(uint64_t v);
char *qo_cell_str(const char *s);

/* ---- policy (policy.c) -------------------------------------------------------------- */

struct qp_class {
    char *name;
    struct sho_regex **paths; /* owned */
    size_t path_count, paths_cap;
    char **handlers; /* SIDs or DOMAIN\name, owned */
    size_t handler_count, handlers_cap;
};

struct qp_policy {
    bool loaded; /* a policy file was read */
    struct qp_class *classes;
    size_t class_count, classes_cap;
    char timezone[64];        /* [hours] timezone, "" = --tz / local */
    unsigned work_days;       /* bit 0 = Monday */
    int work_start, work_end; /* minutes after midnight */
    int64_t *holidays;        /* days since 1970 */
    size_t holiday_count, holidays_cap;
    char **volumes; /* removable volumes as written */
    size_t volume_count, volumes_cap;
    unsigned mass_files, mass_minutes;
};

/* Defaults: Mon-Fri 09:00-18:00, Japanese public holidays 2024-2027, 500 files in 5 minutes. */
void qp_defaults(struct qp_policy *p);

/* Read `path` over the defaults; a missing file is fine unless `required`. Errors name the line. */
SHO_NODISCARD int qp_load(const char *path, bool required, struct qp_policy *p,
                          struct sho_err *err);
/* The parser behind qp_load: read policy lines from `f` (borrowed) over what `p` holds
 * (qp_defaults first); `path` names the source in messages. For tests and fuzzing. */
SHO_NODISCARD int qp_read(FILE *f, const char *path, struct qp_policy *p, struct sho_err *err);
void qp_release(struct qp_policy *p);

/* The class whose pattern matches `path` first, or NULL. Borrowed. */
const char *qp_class_of(const struct qp_policy *p, const char *path);

/* Is the person (SID, or domain and name) a designated handler of class `class_name`? */
bool qp_is_handler(const struct qp_policy *p, const char *class_name, const char *sid,
                   const char *domain, const char *user);

/* Is FILETIME `ft` outside business hours, on a day off or a holiday, in `tz`? */
bool qp_after_hours(const struct qp_policy *p, const struct sho_tz *tz, uint64_t ft);

/* Is `path` on a removable volume? */
bool qp_removable(const struct qp_policy *p, const char *path);

/* ---- the search commands (query_run.c) --------------------------------------------- */

enum qr_command {
    QR_WHO = 0,
    QR_WHAT = 1,
    QR_TIMELINE = 2,
};

/* Parse the command line of who / what / timeline, refresh the index, search, print (to
 * standard output, or with `tap` not NULL: to tap->out, every event to tap->fn). */
int qr_run(enum qr_command cmd, int argc, char **argv, struct sho_query_tap *tap);

/* ---- scope and report, run by sho_query_select too (cmd_scope.c, cmd_report.c) ------ */

int qs_scope(int argc, char **argv, struct sho_query_tap *tap);
int qs_report(int argc, char **argv, struct sho_query_tap *tap);

/* Bring the index of `dir` up to date (when `refresh`) and open it for searching into *ix.
 * Returns 0 or an exit status, the problem printed: 3 no archive or no index, 4 the archive
 * failed its checks, 5 system error. An index that cannot be refreshed (a read-only copy) is
 * searched as it stands, with a warning. */
int qs_open_index(const char *dir, bool refresh, struct sho_index **ix);

/* Fill tap->info (when tap is not NULL). `policy` may be NULL. */
void qs_info(struct sho_query_tap *tap, const char *dir, const struct sho_tz *tz,
             const char *policy);

#endif /* SHOSEKI_QUERY_PRIV_H */
