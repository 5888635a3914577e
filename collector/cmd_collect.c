/*
 * cmd_collect: `shoseki collect`. Reads .evtx files and directories and, with
 * --dry-run, prints the normalized events they hold (JSON lines, CSV or a
 * table); storing into the archive is the archive module's job. Problems go
 * to stderr as one located line each (the first PROBLEMS_SHOWN per file), and
 * every run ends with a per-file summary and a total.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shoseki/collector.h"

#define PROBLEMS_SHOWN 20 /* per file; the rest are counted in the summary */
#define HANDLES_MAX    ((uint64_t)64 * 1024 * 1024)

static const char collect_usage[] =
    "usage: shoseki collect --dry-run [options] PATH...\n"
    "\n"
    "Read Windows event logs (.evtx; a directory is searched recursively) and\n"
    "print the normalized file-access events they hold. Nothing is stored.\n"
    "\n"
    "options:\n"
    "  -n, --dry-run        print what would be collected (required for now)\n"
    "  -o, --output FORMAT  jsonl, csv or table (default: table on a terminal,\n"
    "                       jsonl otherwise)\n"
    "      --all-objects    also registry keys, processes, SAM and other objects\n"
    "      --all-events     every record read, with at least its System fields\n"
    "      --handles N      open handles remembered to give 4660/4658 their path\n"
    "                       (default 65536; bounds memory)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Kept by default: Security 4656 4658 4660 4663 4670 on files, 5140 5145 share\n"
    "access, 5142-5144 share changes, 4624 4625 4634 4647 logon/logoff, 1102 log\n"
    "cleared, 4719 audit policy, 6416 device; Sysmon 2 11 15 23 26 29 file events.\n"
    "\n"
    "A per-file summary goes to stderr. Exit status: 0 all input read, 1 some\n"
    "records or files could not be read, 2 usage error, 3 no input could be read,\n"
    "5 system error (e.g. output failed).\n";

struct collect_opts {
    bool dry_run;
    enum sho_event_format format;
    struct sho_collect_opts collect;
};

struct collect_run {
    struct sho_collector *collector; /* owned */
    struct sho_event_writer *writer; /* owned */
    const char *file;                /* file being read */
    uint64_t problems_shown;         /* for the current file */
    uint64_t problems_hidden;        /* for the current file */
    uint64_t files_ok, files_failed; /* totals */
    struct sho_collect_stats total;  /* totals over files read */
    bool output_failed;              /* the writer failed: stop */
    struct sho_err output_err;       /* why */
};

static int collect_sink_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct collect_run *run = ctx;
    int rc = sho_event_writer_put(run->writer, ev, err);

    if (rc != 0) {
        run->output_failed = true;
        run->output_err = *err;
    }
    return rc;
}

static void collect_sink_problem(void *ctx, const struct sho_err *problem)
{
    struct collect_run *run = ctx;

    if (run->problems_shown < PROBLEMS_SHOWN) {
        run->problems_shown++;
        sho_log_err(SHO_LOG_WARN, problem);
    } else {
        run->problems_hidden++;
    }
}

static void collect_summary(const struct collect_run *run, const char *file,
                            const struct sho_collect_stats *st)
{
    uint64_t skipped = sho_collect_stats_skipped(st);
    bool first;
    size_t i;

    if (sho_log_get_level() < SHO_LOG_WARN) {
        return;
    }
    (void)fprintf(stderr, "collect: '%s': %llu records read, %llu events, %llu skipped", file,
                  (unsigned long long)st->read, (unsigned long long)st->emitted,
                  (unsigned long long)skipped);
    for (i = 0, first = true; i < SHO_SKIP_REASON_COUNT; i++) {
        if (st->skipped[i] != 0) {
            (void)fprintf(stderr, "%s%llu %s", first ? " (" : ", ",
                          (unsigned long long)st->skipped[i],
                          sho_skip_reason_name((enum sho_skip_reason)i));
            first = false;
        }
    }
    if (!first) {
        (void)fputc(')', stderr);
    }
    if (st->bad_chunks != 0) {
        (void)fprintf(stderr, "; %llu damaged chunks", (unsigned long long)st->bad_chunks);
    }
    if (st->recovered != 0) {
        (void)fprintf(stderr,
                      "; %llu recovery candidates: %llu read, %llu copies of held records, "
                      "%llu debris",
                      (unsigned long long)st->recovered, (unsigned long long)st->recovered_read,
                      (unsigned long long)st->recovered_copies,
                      (unsigned long long)st->recovered_unreadable);
    }
    if (run->problems_hidden != 0) {
        (void)fprintf(stderr, "; %llu more problems not shown",
                      (unsigned long long)run->problems_hidden);
    }
    (void)fprintf(stderr, "%s\n", st->is_dirty ? "; file not closed cleanly (dirty)" : "");
}

static void collect_add(struct sho_collect_stats *total, const struct sho_collect_stats *st)
{
    size_t i;

    total->records += st->records;
    total->recovered += st->recovered;
    total->recovered_read += st->recovered_read;
    total->recovered_copies += st->recovered_copies;
    total->recovered_unreadable += st->recovered_unreadable;
    total->read += st->read;
    total->bad_chunks += st->bad_chunks;
    total->emitted += st->emitted;
    for (i = 0; i < SHO_SKIP_REASON_COUNT; i++) {
        total->skipped[i] += st->skipped[i];
    }
}

static int collect_file(void *ctx, const char *file, const struct sho_err *problem)
{
    struct collect_run *run = ctx;
    struct sho_collect_sink sink = { collect_sink_event, collect_sink_problem, run };
    struct sho_collect_stats st;
    struct sho_err err;
    int rc;

    if (problem != NULL) {
        sho_log_err(SHO_LOG_ERROR, problem);
        run->files_failed++;
        return 0;
    }
    run->file = file;
    run->problems_shown = 0;
    run->problems_hidden = 0;
    sho_err_clear(&err);
    rc = sho_collector_read_evtx(run->collector, file, &sink, &st, &err);
    if (run->output_failed) {
        return rc; /* output is gone: there is no point reading on */
    }
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        run->files_failed++;
        return 0;
    }
    run->files_ok++;
    collect_add(&run->total, &st);
    collect_summary(run, file, &st);
    return 0;
}

static int collect_parse(int argc, char **argv, struct collect_opts *o)
{
    static const struct option longopts[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "output", required_argument, NULL, 'o' },
        { "all-objects", no_argument, NULL, 'A' },
        { "all-events", no_argument, NULL, 'E' },
        { "handles", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t v;
    int c;

    memset(o, 0, sizeof(*o));
    o->format = isatty(STDOUT_FILENO) ? SHO_FORMAT_TABLE : SHO_FORMAT_JSONL;
    optind = 0;
    opterr = 0;
    /* getopt keeps global state; commands parse their options before any thread starts. */
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+no:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            o->dry_run = true;
            break;
        case 'o':
            if (sho_event_format_parse(optarg, &o->format) != 0) {
                (void)fprintf(stderr, "shoseki collect: unknown output format '%s'\n", optarg);
                return SHO_EXIT_USAGE;
            }
            break;
        case 'A':
            o->collect.flags |= SHO_COLLECT_ALL_OBJECTS;
            break;
        case 'E':
            o->collect.flags |= SHO_COLLECT_ALL_EVENTS;
            break;
        case 'H':
            if (sho_parse_u64(optarg, HANDLES_MAX, SHO_PARSE_SUFFIX, &v) != 0 || v == 0) {
                (void)fprintf(stderr, "shoseki collect: --handles wants 1..%llu, not '%s'\n",
                              (unsigned long long)HANDLES_MAX, optarg);
                return SHO_EXIT_USAGE;
            }
            o->collect.handle_max = (size_t)v;
            break;
        case 'h':
            (void)fputs(collect_usage, stdout);
            return -1;
        default:
            (void)fprintf(stderr, "shoseki collect: unknown option '%s'\n", argv[optind - 1]);
            (void)fputs("usage: shoseki collect --dry-run [options] PATH...\n", stderr);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        (void)fputs("shoseki collect: no PATH given\n", stderr);
        (void)fputs("usage: shoseki collect --dry-run [options] PATH...\n", stderr);
        return SHO_EXIT_USAGE;
    }
    if (!o->dry_run) {
        (void)fputs("shoseki collect: storing into an archive is not built yet; use --dry-run\n",
                    stderr);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

static int collect_exit_code(const struct collect_run *run)
{
    if (run->output_failed) {
        return SHO_EXIT_SYSTEM;
    }
    if (run->files_ok == 0) {
        return SHO_EXIT_INPUT;
    }
    if (run->files_failed != 0 || sho_collect_stats_skipped(&run->total) != 0 ||
        run->total.bad_chunks != 0) {
        return SHO_EXIT_SKIPPED;
    }
    return SHO_EXIT_OK;
}

int sho_cmd_collect(int argc, char **argv)
{
    struct collect_opts o;
    struct collect_run run;
    struct sho_err err;
    int i, rc;

    rc = collect_parse(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    memset(&run, 0, sizeof(run));
    run.collector = sho_collector_new(&o.collect);
    run.writer = sho_event_writer_new(stdout, o.format, 0);
    sho_err_clear(&err);
    for (i = optind; i < argc && !run.output_failed; i++) {
        (void)sho_collect_walk(argv[i], collect_file, &run, &err);
    }
    if (!run.output_failed && sho_event_writer_finish(run.writer, &run.output_err) != 0) {
        run.output_failed = true;
    }
    if (run.output_failed) {
        sho_log_err(SHO_LOG_ERROR, &run.output_err);
    }
    if (run.files_ok + run.files_failed == 0) {
        sho_log(SHO_LOG_ERROR, "no .evtx files found under the given paths");
    }
    if (sho_log_get_level() >= SHO_LOG_WARN && run.files_ok + run.files_failed > 1) {
        (void)fprintf(stderr,
                      "collect: %llu files read, %llu unreadable; %llu records read, %llu "
                      "events, %llu skipped\n",
                      (unsigned long long)run.files_ok, (unsigned long long)run.files_failed,
                      (unsigned long long)run.total.read, (unsigned long long)run.total.emitted,
                      (unsigned long long)sho_collect_stats_skipped(&run.total));
    }
    sho_event_writer_free(run.writer);
    sho_collector_free(run.collector);
    return collect_exit_code(&run);
}
