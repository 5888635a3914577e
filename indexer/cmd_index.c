/*
 * cmd_index: `shoseki index`. Brings DATA/index.sqlite up to date with the
 * archive (only the frames not yet indexed), or with --rebuild builds it
 * from nothing. Also the refresh that searches run before answering.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "shoseki/indexer.h"

static const char index_usage[] =
    "usage: shoseki index [--data DIR] [--rebuild] [--wait] [--batch N] [--cache SIZE]\n"
    "\n"
    "Add the archive's events not yet indexed to DIR/index.sqlite, the search index.\n"
    "The index is a cache of the archive: it can be deleted and rebuilt at any time,\n"
    "and a run that is killed resumes where it stopped.\n"
    "\n"
    "options:\n"
    "  -d, --data DIR   data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "      --rebuild    delete the index and build it from the whole archive\n"
    "      --wait       wait for another 'shoseki index' instead of failing\n"
    "      --batch N    events per transaction (default 262144)\n"
    "      --cache SIZE memory for id caches and SQLite pages (default 512M)\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 up to date, 2 usage error, 3 no archive or another indexer is\n"
    "running, 4 the archive failed its checks, 5 system error.\n";

static double index_now(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sho_index_refresh(const char *dir, unsigned flags, const struct sho_index_opts *opts,
                      struct sho_index_stats *stats, struct sho_err *err)
{
    struct sho_archive *a = NULL;
    struct sho_index *ix = NULL;
    char path[4096];
    struct stat st;
    int rc;

    /* No archive, nothing to index: say so rather than create DIR, a lock and an empty index. */
    (void)snprintf(path, sizeof(path), "%s/archive", dir);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return sho_err_set(err, SHO_EINVAL, path, -1,
                           "no archive here (collect something first, or give --data)");
    }
    rc = sho_index_open(dir, SHO_INDEX_WRITE | flags, &ix, err);
    if (rc == SHO_ELIMIT && (flags & SHO_INDEX_WAIT) == 0 && (flags & SHO_INDEX_REBUILD) == 0) {
        return 1; /* another indexer is at work: its batches will show up */
    }
    if (rc == 0) {
        rc = sho_archive_open(dir, NULL, &a, err);
    }
    if (rc == 0) {
        rc = sho_index_update(ix, a, opts, stats, err);
    }
    sho_archive_close(a);
    sho_index_close(ix);
    return rc;
}

/* Parse the command line. Returns 0, -1 for --help (done), or an exit status. */
static int index_parse(int argc, char **argv, const char **data, unsigned *flags,
                       struct sho_index_opts *opts)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "rebuild", no_argument, NULL, 'r' },
        { "wait", no_argument, NULL, 'w' },
        { "batch", required_argument, NULL, 'b' },
        { "cache", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t v;
    int c;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            *data = optarg;
            break;
        case 'r':
            *flags |= SHO_INDEX_REBUILD;
            break;
        case 'w':
            *flags |= SHO_INDEX_WAIT;
            break;
        case 'b':
            if (sho_parse_u64(optarg, (uint64_t)1 << 30, SHO_PARSE_SUFFIX, &v) != 0 || v == 0) {
                (void)fprintf(stderr, "shoseki index: --batch wants a count, not '%s'\n", optarg);
                return SHO_EXIT_USAGE;
            }
            opts->batch_events = v;
            break;
        case 'c':
            if (sho_parse_u64(optarg, (uint64_t)1 << 40, SHO_PARSE_SUFFIX, &v) != 0 ||
                v < ((uint64_t)8 << 20)) {
                (void)fprintf(stderr, "shoseki index: --cache wants 8M or more, not '%s'\n",
                              optarg);
                return SHO_EXIT_USAGE;
            }
            opts->cache_bytes = v;
            break;
        case 'h':
            (void)fputs(index_usage, stdout);
            return -1;
        default:
            (void)fprintf(stderr, "shoseki index: unknown option '%s'\n", argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "shoseki index: unexpected argument '%s'\n", argv[optind]);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

int sho_cmd_index(int argc, char **argv)
{
    struct sho_index_opts opts;
    struct sho_index_stats st;
    struct sho_err err;
    const char *data = NULL;
    unsigned flags = 0;
    double t0, secs;
    int rc;

    memset(&opts, 0, sizeof(opts));
    rc = index_parse(argc, argv, &data, &flags, &opts);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    sho_err_clear(&err);
    memset(&st, 0, sizeof(st));
    t0 = index_now();
    rc = sho_index_refresh(sho_archive_data_dir(data), flags, &opts, &st, &err);
    secs = index_now() - t0;
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        if (rc == SHO_ETAMPER || rc == SHO_ECORRUPT) {
            return SHO_EXIT_VERIFY;
        }
        return rc == SHO_ELIMIT || rc == SHO_EINVAL ? SHO_EXIT_INPUT : SHO_EXIT_SYSTEM;
    }
    if (st.rebuilt) {
        sho_log(SHO_LOG_WARN, "the index did not match the archive: rebuilt from the start");
    }
    (void)printf("index: %llu events added from %llu frames in %.2f s (%.0f events/s); "
                 "%llu events indexed\n",
                 (unsigned long long)st.events, (unsigned long long)st.frames, secs,
                 secs > 0 ? (double)st.events / secs : 0.0, (unsigned long long)st.total);
    return SHO_EXIT_OK;
}
