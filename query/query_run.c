/*
 * query_run: what `who`, `what` and `timeline` share: their options and
 * filters, bringing the index up to date before answering (cheap when
 * nothing is new; skipped when another indexer is at work or with
 * --no-refresh), and the exit status (0 with results, 1 without, like grep).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query_priv.h"

static const char *const qr_names[] = { "who", "what", "timeline" };

static const char qr_common_help[] =
    "filters:\n"
    "      --since T        from T on (inclusive)\n"
    "      --until T        up to T (exclusive; a date alone includes that whole day)\n"
    "      --actions LIST   any of: read,write,append,delete,rename,create,execute,list,\n"
    "                       read-attributes,write-attributes,permission-change,\n"
    "                       owner-change,share-connect,logon,logoff,log-cleared,\n"
    "                       audit-policy-change,device-connect\n"
    "      --outcome O      success or failure\n"
    "      --host H         computer name (or its first label)\n"
    "      --client-ip IP   remote address\n"
    "      --limit N        at most N rows\n"
    "\n"
    "times: 2024-05-01, 2024-05-01T09:30[:15], with Z or +09:00 or read in --tz;\n"
    "today, yesterday, now, or -7d, -12h, -30m, -2w before now.\n"
    "\n"
    "output:\n"
    "      --tz ZONE        zone for times in and out: Asia/Tokyo, +09:00, UTC\n"
    "                       (default: this machine's local zone)\n"
    "      --format F       table, csv or jsonl (default: table on a terminal, else csv)\n"
    "      --excel          CSV for Excel: UTF-8 BOM, CRLF, formula-like cells neutralized\n"
    "  -d, --data DIR       data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "      --no-refresh     answer from the index as it is, without indexing new frames\n"
    "      --backend clickhouse://HOST:PORT/TABLE\n"
    "                       answer from a ClickHouse table filled by 'shoseki ship'\n"
    "                       ($SHOSEKI_CLICKHOUSE_USER, $SHOSEKI_CLICKHOUSE_PASSWORD_FILE)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Each event row carries `ref`: 'shoseki cat REF' prints the original record.\n"
    "Exit status: 0 results found, 1 none, 2 usage error, 3 no archive or index,\n"
    "4 the archive failed its checks, 5 system error.\n";

static const char *const qr_usage[] = {
    "usage: shoseki who (PATH | --like TEXT | --regex RE) [--summary] [FILTERS]\n"
    "\n"
    "Everyone who touched the file PATH (compared without regard to case, in any of\n"
    "its logged forms; a PATH ending in \\ means everything beneath that folder), the\n"
    "files whose path contains TEXT, or whose path matches the PCRE2 expression RE.\n"
    "--summary: one row per person (first seen, last seen, count, actions).\n"
    "\n",
    "usage: shoseki what PERSON [--summary] [FILTERS]\n"
    "\n"
    "Everything PERSON touched. PERSON is a name, DOMAIN\\name or a SID; a person is\n"
    "identified by SID where one is logged, under every name seen for it.\n"
    "--summary: one row per file (first seen, last seen, count, actions).\n"
    "\n",
    "usage: shoseki timeline [FILTERS]\n"
    "\n"
    "Every event in time order.\n"
    "\n",
};

struct qr_opts {
    const char *data, *tz, *since, *until, *format, *backend;
    struct sho_index_query q;
    bool summary, excel, no_refresh;
    const struct sho_ch_target *ch; /* with --backend: the table searched instead of the index */
};

static int qr_usage_error(enum qr_command cmd, const char *fmt, ...) SHO_PRINTF(2, 3);

static int qr_usage_error(enum qr_command cmd, const char *fmt, ...)
{
    va_list ap;

    (void)fprintf(stderr, "shoseki %s: ", qr_names[cmd]);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
    return SHO_EXIT_USAGE;
}

static int qr_actions(const char *list, uint32_t *out)
{
    char *copy = sho_xstrdup(list);
    char *p = copy;
    int rc = 0;

    *out = 0;
    while (rc == 0 && p != NULL) {
        char *comma = strchr(p, ',');
        uint32_t bit;
        if (comma != NULL) {
            *comma = '\0';
        }
        bit = sho_action_parse(p);
        if (bit == 0) {
            rc = SHO_EINVAL;
        }
        *out |= bit;
        p = comma != NULL ? comma + 1 : NULL;
    }
    free(copy);
    return rc;
}

/* One option of the search commands. Returns 0, -1 for --help (done), or an exit status. */
static int qr_option(enum qr_command cmd, int c, char **argv, struct qr_opts *o)
{
    uint64_t v;

    switch (c) {
    case 'd':
        o->data = optarg;
        return 0;
    case 'S':
        o->since = optarg;
        return 0;
    case 'U':
        o->until = optarg;
        return 0;
    case 'a':
        return qr_actions(optarg, &o->q.actions) == 0
                   ? 0
                   : qr_usage_error(cmd, "unknown action in '%s' (see --help)", optarg);
    case 'o':
        if (strcmp(optarg, "success") == 0 || strcmp(optarg, "failure") == 0) {
            o->q.outcome = optarg[0] == 's' ? SHO_OUTCOME_SUCCESS : SHO_OUTCOME_FAILURE;
            return 0;
        }
        return qr_usage_error(cmd, "--outcome wants success or failure, not '%s'", optarg);
    case 'H':
        o->q.host = optarg;
        return 0;
    case 'i':
        o->q.client_ip = optarg;
        return 0;
    case 'n':
        if (sho_parse_u64(optarg, (uint64_t)INT64_MAX, 0, &v) != 0 || v == 0) {
            return qr_usage_error(cmd, "--limit wants a positive count, not '%s'", optarg);
        }
        o->q.limit = v;
        return 0;
    case 's':
        if (cmd == QR_TIMELINE) {
            return qr_usage_error(cmd, "%s", "--summary is for who and what");
        }
        o->summary = true;
        return 0;
    case 'z':
        o->tz = optarg;
        return 0;
    case 'f':
        o->format = optarg;
        return 0;
    case 'x':
        o->excel = true;
        return 0;
    case 'R':
        o->no_refresh = true;
        return 0;
    case 'B':
        o->backend = optarg;
        return 0;
    case 'l':
    case 'r':
        if (cmd != QR_WHO) {
            return qr_usage_error(cmd, "%s", "--like and --regex are for who");
        }
        if (o->q.select != SHO_SELECT_ALL) {
            return qr_usage_error(cmd, "%s", "give one of PATH, --like and --regex");
        }
        o->q.select = c == 'l' ? SHO_SELECT_LIKE : SHO_SELECT_REGEX;
        o->q.text = optarg;
        return 0;
    case 'h':
        (void)fputs(qr_usage[cmd], stdout);
        (void)fputs(qr_common_help, stdout);
        return -1;
    default:
        return qr_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
}

static int qr_parse(enum qr_command cmd, int argc, char **argv, struct qr_opts *o)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "since", required_argument, NULL, 'S' },
        { "until", required_argument, NULL, 'U' },
        { "actions", required_argument, NULL, 'a' },
        { "outcome", required_argument, NULL, 'o' },
        { "host", required_argument, NULL, 'H' },
        { "client-ip", required_argument, NULL, 'i' },
        { "limit", required_argument, NULL, 'n' },
        { "summary", no_argument, NULL, 's' },
        { "tz", required_argument, NULL, 'z' },
        { "format", required_argument, NULL, 'f' },
        { "excel", no_argument, NULL, 'x' },
        { "no-refresh", no_argument, NULL, 'R' },
        { "backend", required_argument, NULL, 'B' },
        { "like", required_argument, NULL, 'l' },
        { "regex", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc;

    optind = 0;
    opterr = 0;
    /* Options may follow the PATH or PERSON (no '+'): `what tanaka --summary`. */
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        rc = qr_option(cmd, c, argv, o);
        if (rc != 0) {
            return rc;
        }
    }
    if (cmd == QR_WHO && optind < argc) {
        if (o->q.select != SHO_SELECT_ALL) {
            return qr_usage_error(cmd, "%s", "give one of PATH, --like and --regex");
        }
        o->q.select = SHO_SELECT_PATH;
        o->q.text = argv[optind++];
    } else if (cmd == QR_WHAT && optind < argc) {
        o->q.select = SHO_SELECT_PERSON;
        o->q.text = argv[optind++];
    }
    if (optind < argc) {
        return qr_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    if (cmd == QR_WHO && o->q.select == SHO_SELECT_ALL) {
        return qr_usage_error(cmd, "%s", "which file? give PATH, --like TEXT or --regex RE");
    }
    if (cmd == QR_WHAT && o->q.select == SHO_SELECT_ALL) {
        return qr_usage_error(cmd, "%s", "whose activity? give a name, DOMAIN\\name or SID");
    }
    if (o->q.text != NULL && o->q.text[0] == '\0') {
        return qr_usage_error(cmd, "%s", "the search text is empty");
    }
    if (o->backend != NULL && o->summary) {
        return qr_usage_error(cmd, "%s", "--summary is not available with --backend yet");
    }
    return 0;
}

/* Times, zone and format: everything checked before the index is touched. */
static int qr_prepare(enum qr_command cmd, struct qr_opts *o, struct sho_tz *tz,
                      enum sho_event_format *format, bool tapped)
{
    struct sho_err err;
    uint64_t now = sho_time_now();

    sho_err_clear(&err);
    if (sho_tz_parse(o->tz, tz, &err) != 0 ||
        (o->since != NULL &&
         sho_time_parse_user(o->since, tz, now, SHO_TIME_START, &o->q.since, &err) != 0) ||
        (o->until != NULL &&
         sho_time_parse_user(o->until, tz, now, SHO_TIME_END, &o->q.until, &err) != 0)) {
        return qr_usage_error(cmd, "%s", err.msg);
    }
    if (o->format == NULL) {
        *format = !tapped && isatty(STDOUT_FILENO) ? SHO_FORMAT_TABLE : SHO_FORMAT_CSV;
    } else if (sho_event_format_parse(o->format, format) != 0) {
        return qr_usage_error(cmd, "--format wants table, csv or jsonl, not '%s'", o->format);
    }
    if (o->excel && *format != SHO_FORMAT_CSV) {
        if (o->format != NULL) {
            return qr_usage_error(cmd, "%s", "--excel writes CSV");
        }
        *format = SHO_FORMAT_CSV;
    }
    return 0;
}

struct qr_sink {
    struct qo_writer *w; /* NULL: events to the tap alone */
    struct sho_query_tap *tap;
    struct sho_err *err;
};

static int qr_event(void *ctx, const struct sho_index_row *row)
{
    struct qr_sink *s = ctx;

    if (s->tap != NULL) {
        int rc = s->tap->fn(s->tap->ctx, row);
        if (rc != 0 || s->w == NULL) {
            return rc;
        }
    }
    return qo_put_event(s->w, row, s->err);
}

static int qr_group(void *ctx, const struct sho_index_group *g)
{
    struct qr_sink *s = ctx;
    return qo_put_group(s->w, g, s->err);
}

static int qr_exit(int rc)
{
    if (rc == SHO_ETAMPER || rc == SHO_ECORRUPT) {
        return SHO_EXIT_VERIFY;
    }
    if (rc == SHO_EINVAL) {
        return SHO_EXIT_USAGE;
    }
    return SHO_EXIT_SYSTEM;
}

/* Search or summarize into the writer; a tap gets the events behind a summary too. */
static int qr_search(enum qr_command cmd, const struct qr_opts *o, struct sho_index *ix,
                     struct qr_sink *sink)
{
    int rc;

    if (ix == NULL) {
        return sho_ch_search(o->ch, &o->q, qr_event, sink, sink->err);
    }
    if (!o->summary) {
        return sho_index_search(ix, &o->q, qr_event, sink, sink->err);
    }
    rc = sho_index_summary(ix, &o->q, cmd == QR_WHO ? SHO_GROUP_PERSON : SHO_GROUP_FILE, qr_group,
                           sink, sink->err);
    if (rc == 0 && sink->tap != NULL) {
        struct qr_sink events = { NULL, sink->tap, sink->err };
        rc = sho_index_search(ix, &o->q, qr_event, &events, sink->err);
    }
    return rc;
}

int qs_open_index(const char *dir, bool refresh, struct sho_index **ix)
{
    struct sho_err err;
    int rc = 0;

    sho_err_clear(&err);
    if (refresh) {
        rc = sho_index_refresh(dir, 0, NULL, NULL, &err);
    }
    if (rc == SHO_ETAMPER || rc == SHO_ECORRUPT || rc == SHO_EINVAL) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return rc == SHO_EINVAL ? SHO_EXIT_INPUT : SHO_EXIT_VERIFY;
    }
    if (rc < 0) {
        /* e.g. a read-only copy: answer from the index as it stands */
        sho_log(SHO_LOG_WARN, "cannot bring the index up to date: %s", err.msg);
        sho_err_clear(&err);
    }
    rc = sho_index_open(dir, 0, ix, &err);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return rc == SHO_EINVAL ? SHO_EXIT_INPUT : SHO_EXIT_SYSTEM;
    }
    return 0;
}

/* The ClickHouse table of --backend. Returns 0 or an exit status. */
static int qr_open_backend(struct qr_opts *o, struct sho_ch_target **out, struct sho_err *err)
{
    if (sho_ch_backend_open(o->backend, out, err) != 0) {
        sho_log_err(SHO_LOG_ERROR, err);
        return SHO_EXIT_USAGE;
    }
    o->ch = *out;
    return 0;
}

int qr_run(enum qr_command cmd, int argc, char **argv, struct sho_query_tap *tap)
{
    struct qr_opts o;
    struct sho_tz tz;
    enum sho_event_format format = SHO_FORMAT_CSV;
    struct sho_index *ix = NULL;
    struct sho_ch_target *ch = NULL;
    struct qo_writer *w = NULL;
    struct qr_sink sink;
    struct sho_err err;
    const char *dir;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = qr_parse(cmd, argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    memset(&tz, 0, sizeof(tz));
    rc = qr_prepare(cmd, &o, &tz, &format, tap != NULL);
    if (rc != 0) {
        sho_tz_release(&tz);
        return rc;
    }
    dir = sho_archive_data_dir(o.data);
    sho_err_clear(&err);
    rc =
        o.backend != NULL ? qr_open_backend(&o, &ch, &err) : qs_open_index(dir, !o.no_refresh, &ix);
    if (rc != 0) {
        sho_tz_release(&tz);
        return rc;
    }
    qs_info(tap, dir, &tz, NULL);
    w = qo_new(tap != NULL ? tap->out : stdout, format, o.excel, &tz,
               !o.summary      ? QO_EVENTS
               : cmd == QR_WHO ? QO_PERSONS
                               : QO_FILES);
    sink.w = w;
    sink.tap = tap;
    sink.err = &err;
    rc = qr_search(cmd, &o, ix, &sink);
    if (rc == 0) {
        rc = qo_finish(w, &err);
    }
    if (rc != 0) {
        if (err.code != 0) { /* else a tap stopped the search and said why */
            sho_log_err(SHO_LOG_ERROR, &err);
        }
        rc = qr_exit(rc);
    } else {
        rc = qo_rows(w) > 0 ? SHO_EXIT_OK : SHO_EXIT_SKIPPED;
    }
    qo_free(w);
    sho_index_close(ix);
    sho_ch_backend_close(ch);
    sho_tz_release(&tz);
    return rc;
}
