/*
 * cmd_report: `shoseki report KIND`, the compliance reports judged against
 * the policy (docs/policy.md): accesses to sensitive classes by persons not
 * designated for them, accesses outside business hours, failed attempts
 * grouped by person and file, deletions, and writes to removable media with
 * the device connections around them. Reads the index (docs/reports.md).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static const char report_usage[] =
    "usage: shoseki report KIND [--since T] [--until T] [OPTIONS]\n"
    "\n"
    "kinds:\n"
    "  handlers     accesses to a sensitive class by someone not designated for it, with\n"
    "               the declared purpose they fall in (or none); designated handlers'\n"
    "               accesses outside every purpose declared for their class\n"
    "  after-hours  file accesses outside business hours, on days off or holidays\n"
    "  failed       failed access attempts, one row per person and file\n"
    "  deletions    deletions (4660, DELETE access, Sysmon 23/26), with the disposal\n"
    "               record covering each file (or none, for a file of a class)\n"
    "  removable    writes to removable volumes, and device connections (6416)\n"
    "  mass-access  bursts: one person, N distinct files within M minutes (policy)\n"
    "  gaps         evidence completeness per log: missing record ids, logs cleared,\n"
    "               audit policy changed, silences longer than --quiet, hosts that stopped\n"
    "  health       audit settings the logs reveal: logons but no file access, only\n"
    "               failures, logs that wrapped between exports\n"
    "  sessions     logon sessions (host and LogonId) with the file activity in each\n"
    "  takeouts     take-outs (shoseki record takeout) still open, or with writes to\n"
    "               removable volumes by the same person while out\n"
    "  html         one self-contained HTML page of a scope selection (report html --help)\n"
    "\n"
    "options:\n"
    "      --quiet D        gaps: a silence is longer than D (default 24h; 90m, 3d, 1w)\n";

enum rk {
    RK_HANDLERS,
    RK_AFTER,
    RK_FAILED,
    RK_DELETIONS,
    RK_REMOVABLE,
    RK_MASS,
    RK_GAPS,
    RK_HEALTH,
    RK_SESSIONS,
    RK_TAKEOUTS,
    RK_COUNT
};

static const char *const kind_names[RK_COUNT] = {
    "handlers",    "after-hours", "failed", "deletions", "removable",
    "mass-access", "gaps",        "health", "sessions",  "takeouts",
};

static const struct qo_col event_cols[] = {
    { "time", "TIME", QO_STR },       { "user", "USER", QO_STR },
    { "user_sid", NULL, QO_STR },     { "actions", "ACTIONS", QO_ACTS },
    { "outcome", "OUTCOME", QO_STR }, { "class", "CLASS", QO_STR },
    { "host", "HOST", QO_STR },       { "client_ip", NULL, QO_STR },
    { "event_id", "EVENT", QO_NUM },  { "ref", "REF", QO_STR },
    { "path", "PATH", QO_STR },
};

/* The same with the record column before the path: deletions, then handlers. */
#define RECORD_COLS(name, head)                                                                    \
    { "time", "TIME", QO_STR }, { "user", "USER", QO_STR }, { "user_sid", NULL, QO_STR },          \
        { "actions", "ACTIONS", QO_ACTS }, { "outcome", "OUTCOME", QO_STR },                       \
        { "class", "CLASS", QO_STR }, { "host", "HOST", QO_STR }, { "client_ip", NULL, QO_STR },   \
        { "event_id", "EVENT", QO_NUM }, { "ref", "REF", QO_STR }, { name, head, QO_STR },         \
    {                                                                                              \
        "path", "PATH", QO_STR                                                                     \
    }
static const struct qo_col deletion_cols[] = { RECORD_COLS("disposal", "DISPOSAL") };
static const struct qo_col handler_cols[] = { RECORD_COLS("purpose", "PURPOSE") };

static const struct qo_col failed_cols[] = {
    { "user", "USER", QO_STR },   { "user_sid", "SID", QO_STR }, { "count", "COUNT", QO_NUM },
    { "first", "FIRST", QO_STR }, { "last", "LAST", QO_STR },    { "actions", "ACTIONS", QO_ACTS },
    { "class", "CLASS", QO_STR }, { "path", "PATH", QO_STR },
};

struct report {
    struct rp_opts o;
    enum rk kind;
    struct qo_writer *w;
    struct ra_table failed;
    struct burst_state *burst;
    uint64_t rows;
    uint64_t quiet;         /* gaps: ticks */
    struct sho_records rec; /* deletions, handlers, takeouts: the archive's records */
    struct sho_err err;
};

/* One event row; `extra` (owned, may be NULL) is the record column of deletions and handlers. */
static int report_event(struct report *r, const struct sho_index_row *row, const char *cls,
                        char *extra)
{
    char *c[SHO_ARRAY_COUNT(event_cols) + 1];
    bool has_extra = r->kind == RK_DELETIONS || r->kind == RK_HANDLERS;

    if (rp_tap(&r->o, row) != 0) {
        free(extra);
        return 1; /* the tap said stop */
    }
    c[0] = qo_cell_time(r->w, row->time);
    c[1] = ra_person_label(row);
    c[2] = qo_cell_str(row->user_sid);
    c[3] = NULL;
    c[4] = qo_cell_str(sho_outcome_name(row->outcome));
    c[5] = qo_cell_str(cls);
    c[6] = qo_cell_str(row->host);
    c[7] = qo_cell_str(row->client_ip);
    c[8] = row->event_id != 0 ? qo_cell_num(row->event_id) : NULL;
    c[9] = qo_cell_str(row->ref);
    c[10] = has_extra ? extra : qo_cell_str(row->path);
    c[11] = has_extra ? qo_cell_str(row->path) : NULL;
    r->rows++;
    return qo_put_cells(r->w, c, row->actions, &r->err);
}

static const uint32_t writes = SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_CREATE | SHO_ACT_RENAME;

static int report_row(void *ctx, const struct sho_index_row *row)
{
    struct report *r = ctx;
    const char *cls;
    uint64_t purpose;

    if (row->actions == 0) {
        return 0; /* a handle closed (4658): the opening event says what was done */
    }
    if (r->kind == RK_MASS) {
        return burst_row(r->burst, row);
    }
    cls = qp_class_of(&r->o.pol, row->path);
    switch (r->kind) {
    case RK_HANDLERS:
        if (cls == NULL) {
            return 0;
        }
        purpose = rx_purpose_of(&r->rec, row, cls);
        if (qp_is_handler(&r->o.pol, cls, row->user_sid, row->domain, row->user) &&
            (purpose != 0 || !rx_class_has_purposes(&r->rec, cls))) {
            return 0; /* a handler, at work inside a declared purpose (or none declared) */
        }
        return report_event(r, row, cls, purpose != 0 ? qo_cell_num(purpose) : sho_xstrdup("none"));
    case RK_AFTER:
        if (row->path == NULL || !qp_after_hours(&r->o.pol, &r->o.hours_tz, row->time)) {
            return 0;
        }
        break;
    case RK_FAILED: {
        char *label;
        if (rp_tap(&r->o, row) != 0) {
            return 1; /* the tap said stop */
        }
        label = ra_person_label(row);
        struct sho_buf key;
        struct ra_entry *e;
        bool created;
        sho_buf_init(&key, (size_t)1 << 16);
        if (sho_buf_appendf(&key, "%s\x1f%s", row->user_sid != NULL ? row->user_sid : "",
                            row->path != NULL ? row->path : "") == 0) {
            e = ra_get(&r->failed, key.data, &created);
            if (created) {
                e->str[0] = label;
                label = NULL;
                e->str[1] = row->user_sid != NULL ? sho_xstrdup(row->user_sid) : NULL;
                e->str[2] = row->path != NULL ? sho_xstrdup(row->path) : NULL;
                e->str[3] = cls != NULL ? sho_xstrdup(cls) : NULL;
            }
            ra_count(e, row->time, row->actions);
        }
        free(label);
        sho_buf_release(&key);
        return 0;
    }
    case RK_DELETIONS: /* the search asked for deletes */
        return report_event(r, row, cls, rx_disposal_cell(&r->rec, row->path, cls));
    default:
        if ((row->actions & SHO_ACT_DEVICE_CONNECT) == 0 &&
            !((row->actions & writes) != 0 && qp_removable(&r->o.pol, row->path))) {
            return 0;
        }
        break;
    }
    return report_event(r, row, cls, NULL);
}

/* A tap's second pass over the window: the events of the bursts reported. */
static int report_burst_tap(void *ctx, const struct sho_index_row *row)
{
    struct report *r = ctx;
    return burst_member(r->burst, row) ? rp_tap(&r->o, row) : 0;
}

static int report_failed_print(struct report *r)
{
    size_t i;
    int rc = 0;

    ra_sort(&r->failed);
    for (i = 0; rc == 0 && i < r->failed.count; i++) {
        const struct ra_entry *e = &r->failed.entries[i];
        char *c[SHO_ARRAY_COUNT(failed_cols)];
        c[0] = qo_cell_str(e->str[0]);
        c[1] = qo_cell_str(e->str[1]);
        c[2] = qo_cell_num(e->count);
        c[3] = qo_cell_time(r->w, e->first);
        c[4] = qo_cell_time(r->w, e->last);
        c[5] = NULL;
        c[6] = qo_cell_str(e->str[3]);
        c[7] = qo_cell_str(e->str[2]);
        r->rows++;
        rc = qo_put_cells(r->w, c, e->actions, &r->err);
    }
    return rc;
}

/* "90m", "24h", "3d", "1w" -> ticks. Returns 0 or SHO_EINVAL. */
static int report_duration(const char *s, uint64_t *ticks)
{
    static const char units[] = "mhdw";
    static const uint64_t minutes[] = { 1, 60, 1440, 10080 };
    size_t n = strlen(s);
    const char *u;
    char num[32];
    uint64_t v;

    if (n < 2 || n >= sizeof(num) || (u = strchr(units, s[n - 1])) == NULL) {
        return SHO_EINVAL;
    }
    memcpy(num, s, n - 1);
    num[n - 1] = '\0';
    if (sho_parse_u64(num, (uint64_t)1 << 32, 0, &v) != 0 || v == 0) {
        return SHO_EINVAL;
    }
    *ticks = v * minutes[u - units] * 60 * SHO_TICKS_PER_SECOND;
    return 0;
}

static int report_parse(struct report *r, int argc, char **argv)
{
    static const struct option longopts[] = {
        RP_LONGOPTS,
        { "quiet", required_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *quiet = NULL;
    int c, k;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        if (rp_option(&r->o, c, optarg) == 1) {
            continue;
        }
        if (c == 'h') {
            (void)fputs(report_usage, stdout);
            (void)fputs(rp_common_help, stdout);
            return -1;
        }
        if (c == 'q') {
            quiet = optarg;
            continue;
        }
        (void)fprintf(stderr, "shoseki report: unknown option '%s'\n", argv[optind - 1]);
        return SHO_EXIT_USAGE;
    }
    if (optind + 1 != argc) {
        (void)fprintf(stderr,
                      "shoseki report: which report? (handlers, after-hours, failed, "
                      "deletions, removable, mass-access, gaps, health, sessions, takeouts, "
                      "html)\n");
        return SHO_EXIT_USAGE;
    }
    r->quiet = (uint64_t)24 * 3600 * SHO_TICKS_PER_SECOND;
    for (k = 0; k < RK_COUNT; k++) {
        if (strcmp(argv[optind], kind_names[k]) == 0) {
            r->kind = (enum rk)k;
            if (quiet != NULL && r->kind != RK_GAPS) {
                (void)fprintf(stderr, "shoseki report: --quiet is for report gaps\n");
                return SHO_EXIT_USAGE;
            }
            if (quiet != NULL && report_duration(quiet, &r->quiet) != 0) {
                (void)fprintf(stderr,
                              "shoseki report: --quiet wants a duration like 90m, 24h, 3d or "
                              "1w, not '%s'\n",
                              quiet);
                return SHO_EXIT_USAGE;
            }
            return 0;
        }
    }
    (void)fprintf(stderr, "shoseki report: unknown report '%s' (see --help)\n", argv[optind]);
    return SHO_EXIT_USAGE;
}

int sho_cmd_report(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "html") == 0) {
        return rh_cmd(argc - 1, argv + 1); /* a kind with its own arguments */
    }
    return qs_report(argc, argv, NULL);
}

/* The writer with the kind's columns (and the burst state of mass-access). */
static void report_writer(struct report *r)
{
    const struct qo_col *cols = event_cols;
    size_t n = SHO_ARRAY_COUNT(event_cols);

    if (r->kind == RK_MASS) {
        cols = burst_columns(&n);
    } else if (r->kind == RK_FAILED) {
        cols = failed_cols;
        n = SHO_ARRAY_COUNT(failed_cols);
    } else if (r->kind == RK_DELETIONS || r->kind == RK_HANDLERS) {
        cols = r->kind == RK_DELETIONS ? deletion_cols : handler_cols;
        n = SHO_ARRAY_COUNT(deletion_cols);
    }
    r->w = qo_new_cols(r->o.out, r->o.fmt, r->o.excel, &r->o.tz, cols, n);
    if (r->kind == RK_MASS) {
        r->burst = burst_new(r->w, &r->o.pol, &r->err);
    }
}

int qs_report(int argc, char **argv, struct sho_query_tap *tap)
{
    struct report r;
    struct sho_index_query q;
    int rc;

    memset(&r, 0, sizeof(r));
    r.o.tap = tap;
    ra_init(&r.failed);
    rc = report_parse(&r, argc, argv);
    if (rc == 0) {
        rc = rp_open(&r.o, "report");
    }
    if (rc == 0 && r.kind == RK_HANDLERS && r.o.pol.class_count == 0) {
        (void)fprintf(stderr, "shoseki report: the policy declares no [class ...]: nothing is "
                              "sensitive (see docs/policy.md)\n");
        rc = SHO_EXIT_USAGE;
    }
    if (rc == 0 && (r.kind == RK_DELETIONS || r.kind == RK_HANDLERS || r.kind == RK_TAKEOUTS)) {
        rc = rx_load(&r.o, &r.rec);
    }
    if (rc == 0 && (r.kind == RK_GAPS || r.kind == RK_HEALTH || r.kind == RK_SESSIONS ||
                    r.kind == RK_TAKEOUTS)) {
        rc = r.kind == RK_GAPS       ? rg_gaps(&r.o, r.quiet, &r.rows)
             : r.kind == RK_HEALTH   ? rg_health(&r.o, &r.rows)
             : r.kind == RK_TAKEOUTS ? rx_takeouts(&r.o, &r.rec, &r.rows)
                                     : rs_sessions(&r.o, &r.rows);
        rc = rc != 0 ? rc : (r.rows > 0 ? SHO_EXIT_OK : SHO_EXIT_SKIPPED);
        rp_close(&r.o);
        sho_records_release(&r.rec);
        return rc;
    }
    if (rc == 0) {
        sho_err_clear(&r.err);
        q = r.o.base;
        if (r.kind == RK_FAILED) {
            q.outcome = SHO_OUTCOME_FAILURE;
        } else if (r.kind == RK_DELETIONS) {
            q.actions = SHO_ACT_DELETE;
        } else if (r.kind == RK_REMOVABLE) {
            q.actions = writes | SHO_ACT_DEVICE_CONNECT;
        }
        report_writer(&r);
        rc = sho_index_search(r.o.ix, &q, report_row, &r, &r.err);
        if (rc == 0 && r.kind == RK_FAILED) {
            rc = report_failed_print(&r);
        }
        if (r.burst != NULL) {
            int brc = burst_finish(r.burst, &r.rows);
            rc = rc != 0 ? rc : brc;
            if (rc == 0 && r.o.tap != NULL) {
                rc = sho_index_search(r.o.ix, &q, report_burst_tap, &r, &r.err);
            }
            burst_free(r.burst);
        }
        if (rc == 0) {
            rc = qo_finish(r.w, &r.err);
        }
        qo_free(r.w);
        if (rc != 0) {
            if (r.err.code != 0) { /* else a tap stopped the command and said why */
                sho_log_err(SHO_LOG_ERROR, &r.err);
            }
            rc = SHO_EXIT_SYSTEM;
        } else {
            rc = r.rows > 0 ? SHO_EXIT_OK : SHO_EXIT_SKIPPED;
        }
    }
    rp_close(&r.o);
    ra_release(&r.failed);
    sho_records_release(&r.rec);
    return rc < 0 ? SHO_EXIT_OK : rc;
}
