/*
 * cmd_ship: `shoseki ship`. Sends the archive's events not yet sent to a
 * ClickHouse table (sho_ch_ship), creating it first with --create. The
 * password is read from a file and never printed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ch_priv.h"

#define SHIP_URL_MAX   512
#define SHIP_TABLE_MAX 128
#define SHIP_PW_MAX    1024

static const char ship_usage[] =
    "usage: shoseki ship --clickhouse URL [--clickhouse URL...] [--table NAME] [--create]\n"
    "                    [--cluster NAME] [--user U --password-file F] [--batch N] [--data DIR]\n"
    "\n"
    "Send the archive's events not yet sent to a ClickHouse table over its HTTP\n"
    "interface (gzip-compressed TabSeparated batches). A checkpoint under DIR\n"
    "remembers what the table holds; a batch sent again after a failure is kept\n"
    "once. Search it with: shoseki who|what|timeline|scope --backend\n"
    "clickhouse://HOST:PORT/TABLE.\n"
    "\n"
    "options:\n"
    "      --clickhouse URL  a server, http://HOST:PORT (with --cluster: every node,\n"
    "                        for --create; the first takes the events)\n"
    "      --table NAME      table (default shoseki_events)\n"
    "      --create          create the table if missing: a ReplacingMergeTree by\n"
    "                        person and time, partitioned by month\n"
    "      --cluster NAME    with --create: NAME_local on every node and a Distributed\n"
    "                        table NAME over the cluster (remote_servers in config.xml)\n"
    "      --user U          ClickHouse user (default: ClickHouse's default user)\n"
    "      --password-file F read the password from F (never from the command line)\n"
    "      --batch N         events per batch, at least (default 200000)\n"
    "  -d, --data DIR        data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 done, 2 usage error, 3 no archive, 4 the archive failed its\n"
    "checks, 5 ClickHouse or system error.\n";

struct ship_args {
    const char *data, *password_file;
    char urls[SHO_CH_NODES_MAX][SHIP_URL_MAX];
    char table[SHIP_TABLE_MAX];
    char password[SHIP_PW_MAX];
    struct sho_ch_target t;
    struct sho_ch_ship_opts opts;
};

static int ship_error(const char *msg, const char *arg)
{
    (void)fprintf(stderr, "shoseki ship: %s '%s'\n", msg, arg);
    return SHO_EXIT_USAGE;
}

static int ship_url(struct ship_args *a, const char *spec)
{
    struct sho_err err;
    char table[SHIP_TABLE_MAX];

    sho_err_clear(&err);
    if (a->t.url_count == SHO_CH_NODES_MAX) {
        return ship_error("too many servers at", spec);
    }
    if (ch_url_parse(spec, a->urls[a->t.url_count], SHIP_URL_MAX, table, sizeof(table), &err) !=
        0) {
        (void)fprintf(stderr, "shoseki ship: %s\n", err.msg);
        return SHO_EXIT_USAGE;
    }
    if (table[0] != '\0') {
        memcpy(a->table, table, sizeof(table));
    }
    a->t.urls[a->t.url_count] = a->urls[a->t.url_count];
    a->t.url_count++;
    return 0;
}

/* One option. Returns 0, -1 for --help (done), or an exit status. */
static int ship_option(struct ship_args *a, int c, char **argv)
{
    uint64_t v;

    switch (c) {
    case 'd':
        a->data = optarg;
        return 0;
    case 'c':
        return ship_url(a, optarg);
    case 't':
        if (!ch_ident_ok(optarg) || strlen(optarg) + 8 > sizeof(a->table)) {
            return ship_error("--table wants letters, digits and '_', not", optarg);
        }
        memcpy(a->table, optarg, strlen(optarg) + 1);
        return 0;
    case 'C':
        a->opts.create = true;
        return 0;
    case 'K':
        if (!ch_ident_ok(optarg)) {
            return ship_error("--cluster wants letters, digits and '_', not", optarg);
        }
        a->t.cluster = optarg;
        return 0;
    case 'u':
        a->t.user = optarg;
        return 0;
    case 'p':
        a->password_file = optarg;
        return 0;
    case 'b':
        if (sho_parse_u64(optarg, (uint64_t)1 << 32, SHO_PARSE_SUFFIX, &v) != 0 || v == 0) {
            return ship_error("--batch wants a positive count, not", optarg);
        }
        a->opts.batch_events = v;
        return 0;
    case 'h':
        (void)fputs(ship_usage, stdout);
        return -1;
    default:
        return ship_error("unknown option", argv[optind - 1]);
    }
}

static int ship_parse(int argc, char **argv, struct ship_args *a)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "clickhouse", required_argument, NULL, 'c' },
        { "table", required_argument, NULL, 't' },
        { "create", no_argument, NULL, 'C' },
        { "cluster", required_argument, NULL, 'K' },
        { "user", required_argument, NULL, 'u' },
        { "password-file", required_argument, NULL, 'p' },
        { "batch", required_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
        rc = ship_option(a, c, argv);
        if (rc != 0) {
            return rc;
        }
    }
    if (optind < argc) {
        return ship_error("unexpected argument", argv[optind]);
    }
    if (a->t.url_count == 0) {
        (void)fputs("shoseki ship: where to? give --clickhouse http://HOST:PORT\n", stderr);
        return SHO_EXIT_USAGE;
    }
    if (a->t.cluster != NULL && !a->opts.create) {
        (void)fputs("shoseki ship: --cluster goes with --create\n", stderr);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

static int ship_exit(int rc)
{
    if (rc == SHO_ETAMPER || rc == SHO_ECORRUPT) {
        return SHO_EXIT_VERIFY;
    }
    return rc == SHO_EINVAL ? SHO_EXIT_INPUT : SHO_EXIT_SYSTEM;
}

static int ship_run(struct ship_args *a, int argc, char **argv)
{
    struct sho_ch_ship_stats stats;
    struct sho_err err;
    struct timespec t0, t1;
    double secs;
    int rc;

    memcpy(a->table, "shoseki_events", sizeof("shoseki_events"));
    rc = ship_parse(argc, argv, a);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    a->t.table = a->table;
    sho_err_clear(&err);
    if (a->password_file != NULL) {
        if (ch_password_read(a->password_file, a->password, sizeof(a->password), &err) != 0) {
            sho_log_err(SHO_LOG_ERROR, &err);
            return SHO_EXIT_INPUT;
        }
        a->t.password = a->password;
    }
    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = sho_ch_ship(sho_archive_data_dir(a->data), &a->t, &a->opts, &stats, &err);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return ship_exit(rc);
    }
    (void)clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    (void)printf("shipped %llu events of %llu frames in %llu batches (%llu bytes gzip) to %s\n",
                 (unsigned long long)stats.events, (unsigned long long)stats.frames,
                 (unsigned long long)stats.batches, (unsigned long long)stats.bytes, a->table);
    sho_log(SHO_LOG_INFO, "%.2f s, %.0f events/s", secs,
            secs > 0 ? (double)stats.events / secs : 0.0);
    return SHO_EXIT_OK;
}

int sho_cmd_ship(int argc, char **argv)
{
    struct ship_args *a = sho_xcalloc(1, sizeof(*a)); /* large: not on the stack */
    int rc = ship_run(a, argc, argv);

    memset(a->password, 0, sizeof(a->password));
    free(a);
    return rc;
}
