/*
 * report_html: `shoseki report html --out FILE.html SELECTION`, the page an
 * auditor attaches to an incident ticket. The selection is scope's: the
 * command builds the argv of a `scope` run from its own options, runs it
 * through sho_query_select and folds every event the tap hands over into the
 * aggregates (report_html_agg.c); then it gathers the marks over the window
 * (report_html_marks.c) and writes the page (report_html_page.c) to a
 * temporary file beside FILE, created 0600, moved into place at the end: an
 * existing FILE is never replaced unless --force says so (docs/reports.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_html_priv.h"

static const char html_usage[] =
    "usage: shoseki report html --out FILE.html (--user P | --file PATH | --like TEXT |\n"
    "         --regex RE | --host H | --client-ip IP) [--depth 1|2] [OPTIONS]\n"
    "\n"
    "One self-contained HTML page (no network needed to open it) of scope's selection:\n"
    "summary, a timeline by action with after-hours activity, bursts, log clears and\n"
    "record-id gaps marked, activity per person, the top files, and tables (persons,\n"
    "files, classes, hosts, events with their ref) sorted and filtered in the page.\n"
    "\n"
    "options:\n"
    "      --out FILE       the page to write (created 0600; an existing file is kept)\n"
    "      --force          replace FILE if it exists\n"
    "      --lang ja|en     language of the page (default: ja when $LANG starts with ja)\n"
    "      --rows N         rows embedded per table (default 10000; the page says so)\n"
    "      --user, --file, --like, --regex, --host, --client-ip, --depth: as scope\n"
    "      --since T        from T on;  --until T  up to T (default: the selection's days)\n"
    "      --policy FILE    the policy (default DIR/policy.conf; see docs/policy.md)\n"
    "      --tz ZONE        zone for times in and out (default: the policy's, else local)\n"
    "  -d, --data DIR       data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "      --no-refresh     answer from the index as it is\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 page written, 1 page written but nothing selected, 2 usage,\n"
    "3 no archive or index, 4 archive damaged, 5 system error\n";

#define RH_ARGS_MAX 40

struct rh_opts {
    const char *out, *since, *until, *tz;
    bool force;
    enum rh_lang lang;
    uint64_t rows;
    char *argv[RH_ARGS_MAX]; /* the scope run: "scope" and the options passed on */
    int argc;
    char names[RH_ARGS_MAX][16]; /* "--user", ...: argv's option names */
    struct sho_buf sel;          /* the selection as typed, for the page's header */
};

static bool rh_pass(struct rh_opts *o, const char *name, char *arg)
{
    char *n = o->names[o->argc];

    if (o->argc + 3 > RH_ARGS_MAX) {
        return false;
    }
    (void)snprintf(n, sizeof(o->names[0]), "--%s", name);
    o->argv[o->argc++] = n;
    if (arg != NULL) {
        o->argv[o->argc++] = arg;
    }
    if (strcmp(name, "data") != 0 && strcmp(name, "policy") != 0 &&
        strcmp(name, "no-refresh") != 0 && strcmp(name, "tz") != 0) {
        int nrc = sho_buf_appendf(&o->sel, "%s%s%s%s", o->sel.len != 0 ? " " : "", n,
                                  arg != NULL ? " " : "", arg != NULL ? arg : "");
        (void)nrc; /* the page's heading: a selection past its limit is shown cut */
    }
    return true;
}

static int rh_lang_parse(const char *s, enum rh_lang *lang)
{
    if (strcmp(s, "ja") == 0) {
        *lang = RH_JA;
    } else if (strcmp(s, "en") == 0) {
        *lang = RH_EN;
    } else {
        return -1;
    }
    return 0;
}

static const struct option html_longopts[] = {
    { "out", required_argument, NULL, 'o' },
    { "force", no_argument, NULL, 'F' },
    { "lang", required_argument, NULL, 'L' },
    { "rows", required_argument, NULL, 'n' },
    { "help", no_argument, NULL, 'h' },
    { "user", required_argument, NULL, 1 },
    { "file", required_argument, NULL, 1 },
    { "like", required_argument, NULL, 1 },
    { "regex", required_argument, NULL, 1 },
    { "host", required_argument, NULL, 1 },
    { "client-ip", required_argument, NULL, 1 },
    { "depth", required_argument, NULL, 1 },
    { "since", required_argument, NULL, 1 },
    { "until", required_argument, NULL, 1 },
    { "tz", required_argument, NULL, 1 },
    { "policy", required_argument, NULL, 1 },
    { "data", required_argument, NULL, 'd' },
    { "no-refresh", no_argument, NULL, 1 },
    { NULL, 0, NULL, 0 },
};

/* An option of scope's: remember the ones this command reads itself, pass all on. */
static int rh_option_pass(struct rh_opts *o, const char *name, char *arg)
{
    if (strcmp(name, "since") == 0) {
        o->since = arg;
    } else if (strcmp(name, "until") == 0) {
        o->until = arg;
    } else if (strcmp(name, "tz") == 0) {
        o->tz = arg;
    }
    if (rh_pass(o, name, arg)) {
        return 0;
    }
    (void)fputs("shoseki report html: too many options\n", stderr);
    return SHO_EXIT_USAGE;
}

static int rh_parse_one(struct rh_opts *o, int c, int li, char **argv)
{
    switch (c) {
    case 'o':
        o->out = optarg;
        return 0;
    case 'F':
        o->force = true;
        return 0;
    case 'L':
        if (rh_lang_parse(optarg, &o->lang) != 0) {
            (void)fputs("shoseki report html: --lang wants ja or en\n", stderr);
            return SHO_EXIT_USAGE;
        }
        return 0;
    case 'n':
        if (sho_parse_u64(optarg, 1000000, 0, &o->rows) != 0 || o->rows == 0) {
            (void)fputs("shoseki report html: --rows wants a number from 1 to 1000000\n", stderr);
            return SHO_EXIT_USAGE;
        }
        return 0;
    case 'd':
        return rh_option_pass(o, "data", optarg);
    case 1:
        return rh_option_pass(o, html_longopts[li].name, optarg);
    case 'h':
        (void)fputs(html_usage, stdout);
        return -1;
    default:
        (void)fprintf(stderr, "shoseki report html: unknown option '%s'\n", argv[optind - 1]);
        return SHO_EXIT_USAGE;
    }
}

static int rh_parse(struct rh_opts *o, int argc, char **argv)
{
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    const char *env = getenv("LANG");
    int c, li = 0, rc;

    o->lang = env != NULL && strncmp(env, "ja", 2) == 0 ? RH_JA : RH_EN;
    o->rows = 10000;
    (void)snprintf(o->names[0], sizeof(o->names[0]), "scope");
    o->argv[o->argc++] = o->names[0];
    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "d:h", html_longopts, &li)) != -1) {
        rc = rh_parse_one(o, c, li, argv);
        if (rc != 0) {
            return rc;
        }
    }
    if (optind != argc) {
        (void)fprintf(stderr, "shoseki report html: unexpected argument '%s'\n", argv[optind]);
        return SHO_EXIT_USAGE;
    }
    if (o->out == NULL) {
        (void)fputs("shoseki report html: where to? (--out FILE.html)\n", stderr);
        return SHO_EXIT_USAGE;
    }
    o->argv[o->argc] = NULL;
    return 0;
}

struct rh_run {
    struct rh_agg a;
    struct sho_query_tap tap;
    struct sho_err err;
    int setup_rc;
};

static int rh_tap(void *ctx, const struct sho_index_row *row)
{
    struct rh_run *r = ctx;

    if (!r->a.ready) {
        r->setup_rc = rh_agg_setup(&r->a, &r->tap.info, &r->err);
        if (r->setup_rc != 0) {
            return 1;
        }
    }
    rh_agg_event(&r->a, row);
    return 0;
}

/* The window of the marks: --since/--until, else the whole days of the selection. */
static int rh_window(struct rh_run *r, const struct rh_opts *o, uint64_t *since, uint64_t *until)
{
    uint64_t now = sho_time_now();
    int64_t day;

    if (r->a.events == 0) {
        *since = *until = now;
    } else {
        day = rh_local_minutes(&r->a, r->a.first);
        *since = rh_minute_ft(&r->a, (day >= 0 ? day : day - 1439) / 1440 * 1440);
        day = rh_local_minutes(&r->a, r->a.last);
        *until = rh_minute_ft(&r->a, ((day >= 0 ? day : day - 1439) / 1440 + 1) * 1440);
    }
    if ((o->since != NULL &&
         sho_time_parse_user(o->since, &r->a.tz, now, SHO_TIME_START, since, &r->err) != 0) ||
        (o->until != NULL &&
         sho_time_parse_user(o->until, &r->a.tz, now, SHO_TIME_END, until, &r->err) != 0)) {
        (void)fprintf(stderr, "shoseki report html: %s\n", r->err.msg);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

/* Write the page to a temporary file beside `out`, then put it in place. */
static int rh_write(const struct rh_opts *o, const struct rh_page *p)
{
    struct sho_buf tmp;
    char why[128];
    FILE *f;
    int fd, rc = 0, wrc, e;

    sho_buf_init(&tmp, 8192);
    if (sho_buf_appendf(&tmp, "%s.%ld.tmp", o->out, (long)getpid()) != 0) {
        (void)fputs("shoseki report html: output path too long\n", stderr);
        return SHO_EXIT_USAGE;
    }
    fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        (void)fprintf(stderr, "shoseki report html: cannot create '%s': %s\n", tmp.data,
                      sho_errno_text(errno, why, sizeof(why)));
        if (fd >= 0) {
            (void)close(fd);
            (void)unlink(tmp.data);
        }
        sho_buf_release(&tmp);
        return SHO_EXIT_SYSTEM;
    }
    wrc = rh_page_write(f, p);
    if (fclose(f) != 0 || wrc != 0) {
        (void)fprintf(stderr, "shoseki report html: cannot write '%s': %s\n", tmp.data,
                      sho_errno_text(errno, why, sizeof(why)));
        rc = SHO_EXIT_SYSTEM;
    } else if (o->force ? rename(tmp.data, o->out) != 0 : link(tmp.data, o->out) != 0) {
        /* link() refuses an existing name: no moment in which a file could be replaced */
        e = errno;
        (void)fprintf(stderr, "shoseki report html: cannot create '%s': %s%s\n", o->out,
                      sho_errno_text(e, why, sizeof(why)),
                      e == EEXIST ? " (--force replaces it)" : "");
        rc = e == EEXIST ? SHO_EXIT_USAGE : SHO_EXIT_SYSTEM;
    }
    (void)unlink(tmp.data);
    sho_buf_release(&tmp);
    return rc;
}

static int rh_build(struct rh_run *r, const struct rh_opts *o)
{
    struct rh_page page;
    char *base[8];
    char k_data[] = "--data", k_policy[] = "--policy", k_norefresh[] = "--no-refresh";
    int n = 0, rc;

    memset(&page, 0, sizeof(page));
    rc = rh_window(r, o, &page.since, &page.until);
    if (rc == 0 && r->a.events > 0) {
        base[n++] = k_data;
        base[n++] = r->tap.info.data_dir;
        if (r->tap.info.policy[0] != '\0') {
            base[n++] = k_policy;
            base[n++] = r->tap.info.policy;
        }
        base[n++] = k_norefresh;
        base[n] = NULL;
        rc = rh_marks_gather(&r->a, base, r->tap.info.data_dir, page.since, page.until);
    }
    if (rc != 0) {
        return rc;
    }
    page.a = &r->a;
    page.lang = o->lang;
    page.selection = o->sel.data != NULL ? o->sel.data : "";
    page.info = &r->tap.info;
    page.generated = sho_time_now();
    return rh_write(o, &page);
}

int rh_cmd(int argc, char **argv)
{
    struct rh_opts o;
    struct rh_run r;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    sho_buf_init(&o.sel, 8192);
    rc = rh_parse(&o, argc, argv);
    if (rc != 0) {
        sho_buf_release(&o.sel);
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    if (!o.force && access(o.out, F_OK) == 0) {
        (void)fprintf(stderr, "shoseki report html: '%s' exists (--force replaces it)\n", o.out);
        sho_buf_release(&o.sel);
        return SHO_EXIT_USAGE;
    }
    rh_agg_init(&r.a, (size_t)o.rows, o.tz);
    sho_err_clear(&r.err);
    r.tap.fn = rh_tap;
    r.tap.ctx = &r;
    r.tap.out = fopen("/dev/null", "w");
    rc = r.tap.out != NULL ? sho_query_select(o.argc, o.argv, &r.tap) : SHO_EXIT_SYSTEM;
    if (r.tap.out != NULL) {
        (void)fclose(r.tap.out);
    }
    if (r.setup_rc == 0 && !r.a.ready && (rc == SHO_EXIT_OK || rc == SHO_EXIT_SKIPPED)) {
        r.setup_rc = rh_agg_setup(&r.a, &r.tap.info, &r.err); /* nothing selected */
    }
    if (r.setup_rc != 0) {
        (void)fprintf(stderr, "shoseki report html: %s%s%s\n", r.err.path,
                      r.err.path[0] != '\0' ? ": " : "", r.err.msg);
        rc = SHO_EXIT_USAGE;
    }
    if (rc == SHO_EXIT_OK || rc == SHO_EXIT_SKIPPED) {
        int brc = rh_build(&r, &o);
        rc = brc != 0 ? brc : (r.a.events > 0 ? SHO_EXIT_OK : SHO_EXIT_SKIPPED);
    }
    if (rc <= SHO_EXIT_SKIPPED) {
        (void)printf("%s: %llu events, %zu persons, %zu files, %zu hosts\n", o.out,
                     (unsigned long long)r.a.events, r.a.persons.t.count, r.a.files.t.count,
                     r.a.hosts.t.count);
    }
    rh_agg_release(&r.a);
    sho_buf_release(&o.sel);
    return rc;
}
