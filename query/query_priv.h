#ifndef SHOSEKI_QUERY_PRIV_H
#define SHOSEKI_QUERY_PRIV_H

/* The query module's insides: the result writer and the shared search runner. */

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

/* ---- the search commands (query_run.c) --------------------------------------------- */

enum qr_command {
    QR_WHO = 0,
    QR_WHAT = 1,
    QR_TIMELINE = 2,
};

/* Parse the command line of who / what / timeline, refresh the index, search, print. */
int qr_run(enum qr_command cmd, int argc, char **argv);

#endif /* SHOSEKI_QUERY_PRIV_H */
