#ifndef SHOSEKI_REPORT_PRIV_H
#define SHOSEKI_REPORT_PRIV_H

/* The reports' shared parts: options, the policy and zone, tallies. */

#include "query_priv.h"
#include "shoseki/records.h"

/* ---- tallies (report_agg.c) ------------------------------------------------------- */

#define RA_STR_MAX 4

struct ra_entry {
    char *key;             /* owned */
    char *str[RA_STR_MAX]; /* owned extra strings (class, SID, ...), NULL when absent */
    uint64_t first, last;  /* FILETIME */
    uint64_t count;
    uint32_t actions;
    unsigned hop; /* scope: 1 selected, 2 one hop further */
    char **who;   /* owned distinct names */
    size_t who_count;
};

struct ra_table {
    struct ra_entry *entries;
    size_t count, cap;
    size_t *slots; /* open addressing over entries, SIZE_MAX empty */
    size_t slot_cap;
};

void ra_init(struct ra_table *t);
void ra_release(struct ra_table *t);
/* The entry of `key`, created (zeroed, first = max) when new. Valid until the next ra_get. */
struct ra_entry *ra_get(struct ra_table *t, const char *key, bool *created);
struct ra_entry *ra_find(struct ra_table *t, const char *key);
void ra_count(struct ra_entry *e, uint64_t time, uint32_t actions);
void ra_who(struct ra_entry *e, const char *who);
/* The names sorted and joined by spaces (caller frees), or NULL. */
char *ra_who_text(const struct ra_entry *e);
/* Order by hop, then first time, then key. */
void ra_sort(struct ra_table *t);
/* "DOMAIN\name" of a row's person (caller frees), or its SID, or NULL. */
char *ra_person_label(const struct sho_index_row *r);

/* ---- bursts (report_burst.c) ----------------------------------------------------- */

struct burst_state;
struct burst_state *burst_new(struct qo_writer *w, const struct qp_policy *pol,
                              struct sho_err *err);
/* One event, in time order. */
SHO_NODISCARD int burst_row(struct burst_state *b, const struct sho_index_row *row);
/* Report the bursts still open, add the rows written to *rows. */
SHO_NODISCARD int burst_finish(struct burst_state *b, uint64_t *rows);
/* After burst_finish: is `row` one of the events of a reported burst? */
bool burst_member(struct burst_state *b, const struct sho_index_row *row);
void burst_free(struct burst_state *b);
const struct qo_col *burst_columns(size_t *count);

/* ---- record-id ranges of the archive's logs (report_ranges.c) --------------------- */

struct rr_range {
    uint64_t lo, hi;     /* record ids, inclusive */
    uint64_t t_lo, t_hi; /* FILETIME of records lo and hi */
    uint64_t seq;        /* the source's SOURCE frame: collection order */
};

struct rr_stream {
    char *host, *channel; /* owned, as logged */
    struct rr_range *r;   /* owned */
    size_t count, cap;
    bool incomplete; /* a source could not describe all its records */
};

struct rr_set {
    struct rr_stream *s; /* owned */
    size_t count, cap;
    uint64_t sources, sources_without; /* Windows log sources, and those without ranges */
};

/* A run of missing ids lo..hi of log `s`, between records written at t_before and t_after. */
typedef int (*rr_hole_fn)(void *ctx, const struct rr_stream *s, uint64_t lo, uint64_t hi,
                          uint64_t t_before, uint64_t t_after);

SHO_NODISCARD int rr_load(const char *dir, struct rr_set *set, struct sho_err *err);
void rr_release(struct rr_set *set);
/* Holes in the union of every source's ids (sorts `s` by id). */
SHO_NODISCARD int rr_holes(struct rr_stream *s, rr_hole_fn fn, void *ctx);
/* Sources whose lowest id lies past every id collected before them (sorts `s` by source). */
SHO_NODISCARD int rr_wraps(struct rr_stream *s, rr_hole_fn fn, void *ctx);

/* ---- gaps and health (report_gaps.c) ---------------------------------------------------- */

struct rp_opts;

/* Run `report gaps` (silences longer than `quiet` ticks) or `report health` on the open
 * options; add the rows written to *rows. Return 0 or an exit status. */
int rg_gaps(struct rp_opts *o, uint64_t quiet, uint64_t *rows);
int rg_health(struct rp_opts *o, uint64_t *rows);
/* `report sessions` (report_sessions.c), likewise. */
int rs_sessions(struct rp_opts *o, uint64_t *rows);

/* ---- records (report_records.c) ------------------------------------------------------ */

struct rp_opts;

/* Every record of the archive of o->data. Returns 0 or an exit status (said). */
int rx_load(struct rp_opts *o, struct sho_records *set);
/* The disposals in force that cover `path` ("ID ID"), else "none" for a file of a class
 * (`cls` not NULL), else NULL. Caller frees. */
char *rx_disposal_cell(const struct sho_records *set, const char *path, const char *cls);
/* The id of a purpose in force for the row's person, class `cls` and time, or 0. */
uint64_t rx_purpose_of(const struct sho_records *set, const struct sho_index_row *row,
                       const char *cls);
/* Has anyone a purpose in force declared for class `cls`? */
bool rx_class_has_purposes(const struct sho_records *set, const char *cls);
/* `report takeouts`; add the rows written to *rows. Returns 0 or an exit status. */
int rx_takeouts(struct rp_opts *o, struct sho_records *set, uint64_t *rows);

/* ---- options (report_opts.c) ------------------------------------------------------ */

struct rp_opts {
    const char *data, *tz_spec, *since, *until, *format, *policy;
    bool excel, no_refresh;
    struct sho_tz tz;       /* times in and out (--tz, else the policy's zone, else local) */
    struct sho_tz hours_tz; /* business hours are judged in the policy's zone */
    enum sho_event_format fmt;
    struct qp_policy pol;
    struct sho_index *ix;        /* NULL with --backend */
    const char *backend;         /* --backend (scope only) */
    struct sho_ch_target *ch;    /* its table, owned */
    struct sho_index_query base; /* since / until set */
    struct sho_query_tap *tap;   /* NULL: a command run from the command line */
    FILE *out;                   /* standard output, or the tap's */
};

/*
 * Handle one of the options every report takes (returns 1 when `c` was one,
 * 0 when not); then rp_open parses times, zone and format, loads the
 * policy, refreshes and opens the index. rp_open returns 0 or an exit status;
 * rp_close releases.
 */
int rp_option(struct rp_opts *o, int c, const char *arg);
int rp_open(struct rp_opts *o, const char *cmd);
/* sho_index_search on the index, or sho_ch_search on the --backend table. */
SHO_NODISCARD int rp_search(const struct rp_opts *o, const struct sho_index_query *q,
                            int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx,
                            struct sho_err *err);
/* Pass one selected event to the tap, if there is one. */
SHO_NODISCARD int rp_tap(const struct rp_opts *o, const struct sho_index_row *row);
void rp_close(struct rp_opts *o);

/* The long options rp_option handles, to append to a command's own. */
#define RP_LONGOPTS                                                                                \
    { "data", required_argument, NULL, 'd' }, { "since", required_argument, NULL, 'S' },           \
        { "until", required_argument, NULL, 'U' }, { "tz", required_argument, NULL, 'z' },         \
        { "format", required_argument, NULL, 'f' }, { "excel", no_argument, NULL, 'x' },           \
        { "policy", required_argument, NULL, 'P' }, { "backend", required_argument, NULL, 'B' },   \
    {                                                                                              \
        "no-refresh", no_argument, NULL, 'R'                                                       \
    }

extern const char rp_common_help[];

/* `shoseki report html` (report_html.c): argv[0] is "html". Returns an exit status. */
int rh_cmd(int argc, char **argv);

#endif /* SHOSEKI_REPORT_PRIV_H */
