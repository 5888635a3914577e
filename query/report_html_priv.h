#ifndef SHOSEKI_REPORT_HTML_PRIV_H
#define SHOSEKI_REPORT_HTML_PRIV_H

/*
 * `shoseki report html`: one self-contained page for an incident ticket. The
 * selection's events are folded into aggregates as they come (report_html_agg.c),
 * the marks are gathered by further runs over the window (report_html_marks.c),
 * then the page is written: charts as inline SVG (report_html_svg.c), tables as
 * compact JSON rendered by an inline script (report_html_page.c, report_html_assets.c).
 * Memory is bounded by the aggregates and a fixed number of embedded event rows,
 * never by the number of events.
 */

#include "report_priv.h"

/* What the charts stack: every event falls in exactly one group. */
enum rh_group { RH_READ, RH_WRITE, RH_CREATE, RH_DELETE, RH_PERM, RH_CONNECT, RH_OTHER, RH_GROUPS };

enum rh_lang { RH_EN = 0, RH_JA = 1 };

/* Counts kept beside a tally entry. */
struct rh_stat {
    uint64_t n[RH_GROUPS]; /* events by group */
    uint64_t after;        /* of them outside business hours */
    uint64_t failed;       /* of them failed */
    uint64_t items;        /* distinct files (person, class) or persons (file) */
};

/* A tally (report_agg.c) with a parallel array of stats, entry i <-> st[i]. */
struct rh_table {
    struct ra_table t;
    struct rh_stat *st; /* owned */
    size_t st_cap;
};

/* One time bucket: index = local minutes / bucket width. */
struct rh_bucket {
    int64_t idx;
    uint64_t n[RH_GROUPS];
    uint64_t after;
};

/* One embedded event row (strings owned). */
struct rh_ev {
    uint64_t time;
    char *person, *path, *host, *ref;
    const char *cls; /* borrowed from the policy */
    uint32_t actions;
    enum sho_outcome outcome;
    bool after;
};

struct rh_burst {
    char *person; /* owned */
    uint64_t start, end, events, files;
};

struct rh_clear {
    char *host, *person, *ref; /* owned */
    uint64_t time;
};

struct rh_gap {
    char *host, *channel;             /* owned */
    uint64_t after_id, before_id;     /* record ids on either side */
    uint64_t after_time, before_time; /* FILETIME */
};

struct rh_marks {
    struct rh_burst *bursts;
    size_t burst_count;
    struct rh_clear *clears;
    size_t clear_count;
    struct rh_gap *gaps;
    size_t gap_count;
    bool gaps_partial; /* a channel was too fragmented to follow */
};

/* Everything the page shows. */
struct rh_agg {
    bool ready;             /* policy and zones loaded (at the first event) */
    struct qp_policy pol;   /* the policy the selection ran with */
    struct sho_tz tz;       /* times shown in */
    struct sho_tz hours_tz; /* business hours judged in */
    const char *tz_spec;    /* --tz, borrowed, or NULL */
    int32_t offset;         /* seconds east of UTC used for buckets */
    uint64_t events, failed, after, first, last;
    bool group_seen[RH_GROUPS]; /* for the legend */
    struct rh_table persons, files, classes, hosts, pairs;
    struct rh_bucket *b; /* sorted by idx */
    size_t b_count, b_cap;
    unsigned level; /* bucket width: rh_widths[level] minutes */
    struct rh_ev *ev;
    size_t ev_count, ev_max;
    struct rh_marks marks;
};

/* Bucket widths in minutes, each a multiple of the one before. */
extern const unsigned rh_widths[];
extern const size_t rh_width_count;

/* ---- aggregation (report_html_agg.c) ---------------------------------------------- */

void rh_agg_init(struct rh_agg *a, size_t ev_max, const char *tz_spec);
void rh_agg_release(struct rh_agg *a);
/* Load the policy and zones the selection ran with (tap info). Returns 0 or SHO_EINVAL. */
SHO_NODISCARD int rh_agg_setup(struct rh_agg *a, const struct sho_query_info *info,
                               struct sho_err *err);
/* Fold one event in. */
void rh_agg_event(struct rh_agg *a, const struct sho_index_row *row);
/* The group an event is drawn in. */
enum rh_group rh_group_of(uint32_t actions);
/* Entries of `t` ordered by events (most first), then key. Caller frees. */
size_t *rh_table_order(const struct rh_table *t);
uint64_t rh_stat_total(const struct rh_stat *s);
/* Local minutes since 1970 of FILETIME `ft` in the bucket zone. */
int64_t rh_local_minutes(const struct rh_agg *a, uint64_t ft);
/* FILETIME of the start of local minute `m` (the inverse of rh_local_minutes). */
uint64_t rh_minute_ft(const struct rh_agg *a, int64_t m);
/* Widen buckets until at most `bars` cover FILETIMEs [from, to). */
void rh_agg_fit(struct rh_agg *a, uint64_t from, uint64_t to, size_t bars);
struct rh_stat *rh_table_get(struct rh_table *t, const char *key, bool *created);
void rh_table_release(struct rh_table *t);

/* ---- marks (report_html_marks.c) ---------------------------------------------------- */

/*
 * Gather the marks of window [since, until) (FILETIME): bursts (`report
 * mass-access` with the same data and policy, persons of the selection only),
 * log clears (`timeline --actions log-cleared`) and record-id gaps per host
 * and channel of the selection's hosts (the archive's events in the window).
 * `base` holds the options passed on (--data, --policy, --tz), NULL-ended.
 * Returns 0 or an exit status.
 */
int rh_marks_gather(struct rh_agg *a, char **base, const char *data_dir, uint64_t since,
                    uint64_t until);
void rh_marks_release(struct rh_marks *m);

/* ---- the page (report_html_page.c, report_html_svg.c, report_html_assets.c) ---------- */

struct rh_page {
    const struct rh_agg *a;
    enum rh_lang lang;
    const char *selection; /* the selection as typed, for the header */
    const struct sho_query_info *info;
    uint64_t since, until; /* the marks' window */
    uint64_t generated;    /* FILETIME */
};

/* Write the whole page to `f`. Returns 0 or SHO_EIO. */
SHO_NODISCARD int rh_page_write(FILE *f, const struct rh_page *p);

/* Text and attribute escaping for HTML; JSON strings safe inside <script>. */
void rh_html(FILE *f, const char *s);
void rh_json(FILE *f, const char *s);
/* A time in the page's zone, "2024-04-02 01:59:00" (no fraction, no offset). */
void rh_time(const struct rh_agg *a, uint64_t ft, char out[SHO_TIME_ISO_MAX]);
/* A message in the page's language. */
const char *rh_msg(enum rh_lang lang, int id);

void rh_svg_timeline(FILE *f, const struct rh_page *p);
void rh_svg_persons(FILE *f, const struct rh_page *p);
void rh_svg_files(FILE *f, const struct rh_page *p);

extern const char *const rh_group_colors[RH_GROUPS];
extern const char *const rh_style[];
extern const char *const rh_script[];

/* Message ids (report_html_page.c holds both languages). */
enum rh_msg_id {
    M_TITLE,
    M_PERSONS,
    M_FILES,
    M_CLASSES,
    M_HOSTS,
    M_EVENTS,
    M_FIRST,
    M_LAST,
    M_MARKS,
    M_AFTER,
    M_BURSTS,
    M_CLEARS,
    M_GAPS,
    M_TIMELINE,
    M_BY_PERSON,
    M_TOP_FILES,
    M_SELECTION,
    M_WINDOW,
    M_ZONE,
    M_GENERATED,
    M_DATA,
    M_POLICY,
    M_NONE,
    M_READ,
    M_WRITE,
    M_CREATE,
    M_DELETE,
    M_PERM,
    M_CONNECT,
    M_OTHER,
    M_FAILED,
    M_PERSON,
    M_PATH,
    M_CLASS,
    M_HOST,
    M_TIME,
    M_ACTIONS,
    M_OUTCOME,
    M_REF,
    M_FILTER,
    M_ROWS_NOTE,
    M_NO_EVENTS,
    M_CHANNEL,
    M_MISSING,
    M_BETWEEN,
    M_BY,
    M_TABLES,
    M_EVENT_ROWS,
    M_GAPS_PARTIAL,
    M_NOSCRIPT,
    M_BUCKET,
    M_AFTER_NOTE,
    M_N_FILES,
    M_N_EVENTS,
    M_COUNT
};

#endif /* SHOSEKI_REPORT_HTML_PRIV_H */
