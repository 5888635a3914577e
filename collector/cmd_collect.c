/*
 * cmd_collect: `shoseki collect`. Reads .evtx files and directories and
 * stores each file (its original bytes and the normalized events it holds)
 * in the archive of the data directory; with --dry-run it prints the events
 * instead (JSON lines, CSV or a table) and stores nothing. Problems go to
 * stderr as one located line each (the first PROBLEMS_SHOWN per file), and
 * every run ends with a per-file summary and a total.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "shoseki/archive.h"
#include "shoseki/collector.h"

#include "collect_pipe.h"

#define PROBLEMS_SHOWN         20 /* per file; the rest are counted in the summary */
#define HANDLES_MAX            ((uint64_t)64 * 1024 * 1024)
#define COLLECT_MEMORY_DEFAULT ((uint64_t)8 << 30)

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COLLECT_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define COLLECT_HAS_ASAN 1
#endif
#endif

static const char collect_short_usage[] =
    "usage: shoseki collect [--data DIR] [--dry-run [--output FORMAT]] [options] PATH...\n";

static const char collect_usage[] =
    "usage: shoseki collect [--data DIR] [--dry-run [--output FORMAT]] [options] PATH...\n"
    "\n"
    "Read access logs (Windows .evtx and XML exports, Linux audit.log, Samba\n"
    "full_audit syslog; a directory is searched recursively) and store each file,\n"
    "byte for byte, with the normalized file-access events it holds in the archive\n"
    "of the data directory. A file collected before is not stored again, and no\n"
    "event is stored twice.\n"
    "\n"
    "options:\n"
    "  -d, --data DIR       data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "      --host NAME      label for sources whose records carry no host\n"
    "      --wait           wait for another collect on DIR instead of failing\n"
    "      --level N        zstd level for new frames, 1-19 (default 3)\n"
    "      --segment-size N start a new segment file past N bytes (default 256M)\n"
    "  -n, --dry-run        print the events instead of storing anything\n"
    "  -o, --output FORMAT  with --dry-run: jsonl, csv or table (default: table on a\n"
    "                       terminal, jsonl otherwise)\n"
    "      --all-objects    also registry keys, processes, SAM and other objects\n"
    "      --all-events     every record read, with at least its System fields\n"
    "      --handles N      open handles remembered to give 4660/4658 their path\n"
    "                       (default 65536; bounds memory)\n"
    "      --decoder NAME   EVTX decoder: ours (default) or libevtx (the reference)\n"
    "      --threads N      decoding threads of our decoder, 1-16 (default: one per CPU);\n"
    "                       from 3 on, events are stored or written on a thread of their own\n"
    "      --memory-limit N address space the process may use (default 8G): a damaged\n"
    "                       record that makes libevtx allocate without bound fails\n"
    "                       and is reported instead of exhausting the machine\n"
    "  -f, --format F       auto (default: from the content), evtx, auditd, samba,\n"
    "                       xml or csv\n"
    "      --uid-map FILE   auditd: passwd-style file naming the uids\n"
    "      --pending N      auditd: open events kept while joining records (1024)\n"
    "      --samba-prefix S Samba: the full_audit:prefix of smb.conf (%u|%I|%m|%S)\n"
    "      --tz ZONE        zone of times logged without one (syslog, CSV): UTC\n"
    "                       (default), +09:00, Asia/Tokyo\n"
    "      --csv-map FILE   CSV: which column is which field (docs/sources.md)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Kept by default: Security 4656 4658 4660 4663 4670 on files, 5140 5145 share\n"
    "access, 5142-5144 share changes, 4624 4625 4634 4647 logon/logoff, 1102 log\n"
    "cleared, 4719 audit policy, 6416 device; Sysmon 2 11 15 23 26 29 file events.\n"
    "\n"
    "A per-file summary goes to stderr. Exit status: 0 all input read, 1 some\n"
    "records or files could not be read, 2 usage error, 3 no input could be read,\n"
    "5 system error (e.g. output or archive could not be written).\n";

struct collect_opts {
    bool dry_run;
    bool wait;
    int level;
    uint64_t segment_size;
    uint64_t memory_limit;
    const char *data;
    const char *host;
    enum sho_event_format format;
    struct sho_collect_opts collect;
    enum sho_source_format source_format; /* --format */
    struct sho_textsrc_opts text;         /* text sources */
};

struct collect_run {
    const struct collect_opts *o;    /* borrowed */
    struct sho_collector *collector; /* owned */
    struct sho_textsrc *textsrc;     /* owned */
    struct sho_event_writer *writer; /* owned, --dry-run */
    struct sho_archive *archive;     /* owned, storing */
    struct collect_pipe *pipe;       /* owned: the consumer thread, NULL with --threads 1 */
    uint64_t problems_shown;         /* for the current file */
    uint64_t problems_hidden;        /* for the current file */
    uint64_t files_ok, files_failed; /* totals */
    uint64_t files_known;            /* files collected before */
    uint64_t files_unread;           /* stored, but their records could not be read */
    uint64_t stored, duplicates;     /* events, totals */
    struct sho_collect_stats total;  /* totals over files read */
    bool sink_failed;                /* output or archive failed: stop */
    struct sho_err sink_err;         /* why */
};

/* What becomes of an event: stored, or written out (on the consumer thread when there is one). */
static int collect_consume(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct collect_run *run = ctx;
    int rc;

    if (run->archive != NULL) {
        rc = sho_archive_event_put(run->archive, ev, err);
        return rc > 0 ? 0 : rc;
    }
    return sho_event_writer_put(run->writer, ev, err);
}

static int collect_sink_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct collect_run *run = ctx;
    int rc =
        run->pipe != NULL ? collect_pipe_put(run->pipe, ev, err) : collect_consume(run, ev, err);

    if (rc != 0) {
        run->sink_failed = true;
        run->sink_err = *err;
    }
    return rc;
}

/* Wait until the consumer has every event of the file; its error stops the run. */
static void collect_drain(struct collect_run *run)
{
    struct sho_err err;

    if (run->pipe != NULL && !run->sink_failed && collect_pipe_drain(run->pipe, &err) != 0) {
        run->sink_failed = true;
        run->sink_err = err;
    }
}

static void collect_sink_record(void *ctx, const char *host, const char *channel,
                                uint64_t record_id, uint64_t time)
{
    struct collect_run *run = ctx;

    if (run->archive != NULL) {
        sho_archive_source_record(run->archive, host, channel, record_id, time);
    }
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
                            const struct sho_collect_stats *st,
                            const struct sho_archive_source_stats *as)
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
    if (as != NULL) {
        (void)fprintf(stderr, "; %llu stored, %llu already in the archive",
                      (unsigned long long)as->events_stored,
                      (unsigned long long)as->events_duplicate);
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
    if (st->serial_gaps + st->serial_restarts != 0) {
        (void)fprintf(stderr, "; %llu serial gaps (%llu serials missing), %llu restarts",
                      (unsigned long long)st->serial_gaps, (unsigned long long)st->serials_missing,
                      (unsigned long long)st->serial_restarts);
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
    total->serial_gaps += st->serial_gaps;
    total->serials_missing += st->serials_missing;
    total->serial_restarts += st->serial_restarts;
    for (i = 0; i < SHO_SKIP_REASON_COUNT; i++) {
        total->skipped[i] += st->skipped[i];
    }
}

/* Read one file of a known format. */
static int collect_read(struct collect_run *run, const char *file, enum sho_source_format format,
                        const struct sho_collect_sink *sink, struct sho_collect_stats *st,
                        struct sho_err *err)
{
    if (format == SHO_SOURCE_EVTX) {
        return sho_collector_read_evtx(run->collector, file, sink, st, err);
    }
    return sho_textsrc_read(run->textsrc, file, format, sink, st, err);
}

/* Store one file: its bytes, then its events, then its source record. */
static int collect_store(struct collect_run *run, const char *file, enum sho_source_format format,
                         const struct sho_collect_sink *sink, struct sho_collect_stats *st,
                         struct sho_archive_source_stats *as, struct sho_err *err)
{
    int rc, erc;

    memset(st, 0, sizeof(*st));
    if (format == SHO_SOURCE_EVTX && !sho_collector_is_evtx(file, err)) {
        return err->code != 0 ? err->code : SHO_ECORRUPT;
    }
    rc = sho_archive_source_begin(run->archive, file, sho_source_format_name(format), run->o->host,
                                  err);
    if (rc < 0) {
        run->sink_failed = true;
        run->sink_err = *err;
        return rc;
    }
    if (rc == 0) {
        rc = collect_read(run, file, format, sink, st, err);
        collect_drain(run); /* every event of the file stored before its SOURCE frame */
        if (run->sink_failed) {
            return rc;
        }
        /* A file whose records cannot be read is still kept: it is evidence too. */
        if (rc != 0) {
            sho_log_err(SHO_LOG_ERROR, err);
            run->files_unread++;
        }
    }
    erc = sho_archive_source_end(run->archive, as, err);
    if (erc != 0) {
        run->sink_failed = erc != SHO_ECORRUPT;
        if (run->sink_failed) {
            run->sink_err = *err;
        }
        return erc;
    }
    return 0;
}

static bool collect_named_evtx(const char *file)
{
    size_t n = strlen(file);
    return n > 5 && sho_str_casecmp(file + n - 5, ".evtx") == 0;
}

static int collect_file(void *ctx, const char *file, const struct sho_err *problem)
{
    struct collect_run *run = ctx;
    struct sho_collect_sink sink = { collect_sink_event, collect_sink_problem, run,
                                     collect_sink_record };
    struct sho_collect_stats st;
    struct sho_archive_source_stats as;
    enum sho_source_format format;
    struct sho_err err;
    int rc;

    if (problem != NULL) {
        sho_log_err(SHO_LOG_ERROR, problem);
        run->files_failed++;
        return 0;
    }
    run->problems_shown = 0;
    run->problems_hidden = 0;
    sho_err_clear(&err);
    memset(&as, 0, sizeof(as));
    format = run->o->source_format;
    if (format == SHO_SOURCE_AUTO && collect_named_evtx(file)) {
        format = SHO_SOURCE_EVTX; /* a damaged .evtx is reported as such, not as "unknown" */
    }
    rc = format == SHO_SOURCE_AUTO ? sho_source_detect(file, run->textsrc, &format, &err) : 0;
    if (rc == 0) {
        rc = run->archive != NULL ? collect_store(run, file, format, &sink, &st, &as, &err)
                                  : collect_read(run, file, format, &sink, &st, &err);
        collect_drain(run);
    }
    if (run->sink_failed) {
        return SHO_EIO; /* output or archive is gone: there is no point reading on */
    }
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        run->files_failed++;
        return 0;
    }
    run->files_ok++;
    collect_add(&run->total, &st);
    if (as.already_collected) {
        run->files_known++;
        if (sho_log_get_level() >= SHO_LOG_WARN) {
            (void)fprintf(stderr, "collect: '%s': already collected (sha256 %s); nothing added\n",
                          file, as.sha256);
        }
        return 0;
    }
    run->stored += as.events_stored;
    run->duplicates += as.events_duplicate;
    collect_summary(run, file, &st, run->archive != NULL ? &as : NULL);
    return 0;
}

/* The options of text sources. Returns 0, a usage exit code, or 1 when `c` is not one. */
static int collect_text_option(int c, struct collect_opts *o)
{
    uint64_t v;

    switch (c) {
    case 'f':
        if (sho_source_format_parse(optarg, &o->source_format) != 0) {
            (void)fprintf(stderr,
                          "shoseki collect: unknown format '%s' (auto, evtx, auditd, "
                          "samba, xml, csv)\n",
                          optarg);
            return SHO_EXIT_USAGE;
        }
        return 0;
    case 'U':
        o->text.uid_map = optarg;
        return 0;
    case 'P':
        o->text.samba_prefix = optarg;
        return 0;
    case 'Z':
        o->text.tz = optarg;
        return 0;
    case 'C':
        o->text.csv_map = optarg;
        return 0;
    case 'Q':
        if (sho_parse_u64(optarg, (uint64_t)1 << 24, SHO_PARSE_SUFFIX, &v) != 0 || v == 0) {
            (void)fprintf(stderr, "shoseki collect: --pending wants 1..16M, not '%s'\n", optarg);
            return SHO_EXIT_USAGE;
        }
        o->text.pending_max = (size_t)v;
        return 0;
    default:
        return 1;
    }
}

/* --decoder and --threads. */
static int collect_option_decoder(int c, struct collect_opts *o)
{
    uint64_t v;

    switch (c) {
    case 'D':
        if (strcmp(optarg, "ours") == 0) {
            o->collect.decoder = SHO_DECODER_OURS;
        } else if (strcmp(optarg, "libevtx") == 0) {
            o->collect.decoder = SHO_DECODER_LIBEVTX;
        } else {
            (void)fprintf(stderr, "shoseki collect: --decoder wants ours or libevtx, not '%s'\n",
                          optarg);
            return SHO_EXIT_USAGE;
        }
        return 0;
    case 'j':
        if (sho_parse_u64(optarg, SHO_COLLECT_THREADS_MAX, 0, &v) != 0 || v == 0) {
            (void)fprintf(stderr, "shoseki collect: --threads wants 1..%d, not '%s'\n",
                          SHO_COLLECT_THREADS_MAX, optarg);
            return SHO_EXIT_USAGE;
        }
        o->collect.threads = (unsigned)v;
        return 0;
    default:
        return 0;
    }
}

static int collect_option(int c, struct collect_opts *o, char **argv)
{
    uint64_t v;
    int rc = collect_text_option(c, o);

    if (rc != 1) {
        return rc;
    }

    switch (c) {
    case 'n':
        o->dry_run = true;
        return 0;
    case 'd':
        o->data = optarg;
        return 0;
    case 'T':
        o->host = optarg;
        return 0;
    case 'W':
        o->wait = true;
        return 0;
    case 'S':
        if (sho_parse_u64(optarg, (uint64_t)1 << 40, SHO_PARSE_SUFFIX, &v) != 0 || v < 4096) {
            (void)fprintf(stderr, "shoseki collect: --segment-size wants 4K..1T, not '%s'\n",
                          optarg);
            return SHO_EXIT_USAGE;
        }
        o->segment_size = v;
        return 0;
    case 'M':
        if (sho_parse_u64(optarg, (uint64_t)1 << 50, SHO_PARSE_SUFFIX, &v) != 0 ||
            v < ((uint64_t)64 << 20)) {
            (void)fprintf(stderr, "shoseki collect: --memory-limit wants 64M or more, not '%s'\n",
                          optarg);
            return SHO_EXIT_USAGE;
        }
        o->memory_limit = v;
        return 0;
    case 'L':
        if (sho_parse_u64(optarg, 19, 0, &v) != 0 || v == 0) {
            (void)fprintf(stderr, "shoseki collect: --level wants 1..19, not '%s'\n", optarg);
            return SHO_EXIT_USAGE;
        }
        o->level = (int)v;
        return 0;
    case 'o':
        if (sho_event_format_parse(optarg, &o->format) != 0) {
            (void)fprintf(stderr, "shoseki collect: unknown output format '%s'\n", optarg);
            return SHO_EXIT_USAGE;
        }
        return 0;
    case 'A':
        o->collect.flags |= SHO_COLLECT_ALL_OBJECTS;
        return 0;
    case 'E':
        o->collect.flags |= SHO_COLLECT_ALL_EVENTS;
        return 0;
    case 'H':
        if (sho_parse_u64(optarg, HANDLES_MAX, SHO_PARSE_SUFFIX, &v) != 0 || v == 0) {
            (void)fprintf(stderr, "shoseki collect: --handles wants 1..%llu, not '%s'\n",
                          (unsigned long long)HANDLES_MAX, optarg);
            return SHO_EXIT_USAGE;
        }
        o->collect.handle_max = (size_t)v;
        return 0;
    case 'D':
    case 'j':
        return collect_option_decoder(c, o);
    case 'h':
        (void)fputs(collect_usage, stdout);
        return -1;
    default:
        (void)fprintf(stderr, "shoseki collect: unknown option '%s'\n", argv[optind - 1]);
        return SHO_EXIT_USAGE;
    }
}

static int collect_parse(int argc, char **argv, struct collect_opts *o)
{
    static const struct option longopts[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "data", required_argument, NULL, 'd' },
        { "host", required_argument, NULL, 'T' },
        { "wait", no_argument, NULL, 'W' },
        { "level", required_argument, NULL, 'L' },
        { "segment-size", required_argument, NULL, 'S' },
        { "memory-limit", required_argument, NULL, 'M' },
        { "output", required_argument, NULL, 'o' },
        { "all-objects", no_argument, NULL, 'A' },
        { "all-events", no_argument, NULL, 'E' },
        { "handles", required_argument, NULL, 'H' },
        { "format", required_argument, NULL, 'f' },
        { "uid-map", required_argument, NULL, 'U' },
        { "samba-prefix", required_argument, NULL, 'P' },
        { "tz", required_argument, NULL, 'Z' },
        { "csv-map", required_argument, NULL, 'C' },
        { "pending", required_argument, NULL, 'Q' },
        { "decoder", required_argument, NULL, 'D' },
        { "threads", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc;

    memset(o, 0, sizeof(*o));
    o->format = isatty(STDOUT_FILENO) ? SHO_FORMAT_TABLE : SHO_FORMAT_JSONL;
    o->memory_limit = COLLECT_MEMORY_DEFAULT;
    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "nd:o:f:h", longopts, NULL)) != -1) {
        rc = collect_option(c, o, argv);
        if (rc != 0) {
            return rc;
        }
    }
    if (optind >= argc) {
        (void)fputs("shoseki collect: no PATH given\n", stderr);
        (void)fputs(collect_short_usage, stderr);
        return SHO_EXIT_USAGE;
    }
    if (o->source_format == SHO_SOURCE_CSV && o->text.csv_map == NULL) {
        (void)fputs("shoseki collect: --format csv needs --csv-map FILE, the map of its columns "
                    "(docs/sources.md)\n",
                    stderr);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

static int collect_exit_code(const struct collect_run *run)
{
    if (run->sink_failed) {
        return SHO_EXIT_SYSTEM;
    }
    if (run->files_ok == 0) {
        return SHO_EXIT_INPUT;
    }
    if (run->files_failed != 0 || run->files_unread != 0 ||
        sho_collect_stats_skipped(&run->total) != 0 || run->total.bad_chunks != 0) {
        return SHO_EXIT_SKIPPED;
    }
    return SHO_EXIT_OK;
}

static void collect_totals(const struct collect_run *run)
{
    uint8_t head[SHO_HASH_LEN];
    char hex[SHO_HASH_HEX];

    if (sho_log_get_level() >= SHO_LOG_WARN && run->files_ok + run->files_failed > 1) {
        (void)fprintf(stderr,
                      "collect: %llu files read, %llu unreadable; %llu records read, %llu "
                      "events, %llu skipped\n",
                      (unsigned long long)run->files_ok, (unsigned long long)run->files_failed,
                      (unsigned long long)run->total.read, (unsigned long long)run->total.emitted,
                      (unsigned long long)sho_collect_stats_skipped(&run->total));
    }
    if (run->archive != NULL && !run->sink_failed) {
        (void)printf("collect: %llu events stored, %llu duplicates skipped, %llu files already "
                     "collected\n",
                     (unsigned long long)run->stored, (unsigned long long)run->duplicates,
                     (unsigned long long)run->files_known);
        if (sho_archive_head(run->archive, head)) {
            sho_hash_hex(head, hex);
            (void)printf("head: %s\n", hex);
        }
    }
}

/*
 * Bound the address space: libevtx trusts counts in damaged records and can
 * try to allocate tens of gigabytes; past the limit its allocations fail and
 * the record is reported as unreadable. AddressSanitizer reserves terabytes
 * of address space for itself, so a sanitizer build leaves the limit to
 * ASAN_OPTIONS (tests set allocator_may_return_null and a soft RSS limit).
 */
static void collect_limit_memory(uint64_t limit)
{
#ifndef COLLECT_HAS_ASAN
    struct rlimit rl;

    if (getrlimit(RLIMIT_AS, &rl) == 0 && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > limit)) {
        rl.rlim_cur = (rlim_t)limit;
        if (setrlimit(RLIMIT_AS, &rl) != 0) {
            sho_log(SHO_LOG_INFO, "cannot limit memory to %llu bytes", (unsigned long long)limit);
        }
    }
#else
    (void)limit;
#endif
}

/*
 * Whether events are stored or written on a thread of their own: with three threads or more
 * (--threads, else one per CPU). On two cores both are already busy decoding and normalizing,
 * and a third thread made the dry run 15 % slower and storing no faster (docs/benchmarks.md).
 */
static bool collect_pipelined(const struct collect_opts *o)
{
    long cpus;

    if (o->collect.threads != 0) {
        return o->collect.threads >= 3;
    }
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus >= 3;
}

int sho_cmd_collect(int argc, char **argv)
{
    struct collect_opts o;
    struct collect_run run;
    struct sho_archive_opts aopts;
    struct sho_err err;
    int i, rc;

    rc = collect_parse(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    collect_limit_memory(o.memory_limit);
    memset(&run, 0, sizeof(run));
    run.o = &o;
    sho_err_clear(&err);
    if (o.dry_run) {
        run.writer = sho_event_writer_new(stdout, o.format, 0);
    } else {
        memset(&aopts, 0, sizeof(aopts));
        aopts.flags = SHO_ARCHIVE_WRITE | (o.wait ? SHO_ARCHIVE_WAIT : 0);
        aopts.zstd_level = o.level;
        aopts.segment_max = o.segment_size;
        rc = sho_archive_open(sho_archive_data_dir(o.data), &aopts, &run.archive, &err);
        if (rc != 0) {
            sho_log_err(SHO_LOG_ERROR, &err);
            return rc == SHO_ELIMIT    ? SHO_EXIT_SYSTEM
                   : rc == SHO_ETAMPER ? SHO_EXIT_VERIFY
                                       : SHO_EXIT_SYSTEM;
        }
        if (sho_archive_notes(run.archive)[0] != '\0') {
            sho_log(SHO_LOG_WARN, "%s", sho_archive_notes(run.archive));
        }
    }
    run.collector = sho_collector_new(&o.collect);
    if (collect_pipelined(&o)) {
        /* Another thread stores or writes the events while this one reads the next. */
        run.pipe = collect_pipe_new(collect_consume, &run, 4096);
    }
    o.text.flags = o.collect.flags;
    o.text.host = o.host;
    if (sho_textsrc_new(&o.text, &run.textsrc, &err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        collect_pipe_free(run.pipe);
        sho_event_writer_free(run.writer);
        sho_collector_free(run.collector);
        sho_archive_close(run.archive);
        return SHO_EXIT_USAGE;
    }
    for (i = optind; i < argc && !run.sink_failed; i++) {
        /* The walk stops only when the sink failed, which run.sink_failed records. */
        if (sho_collect_walk(argv[i], collect_file, &run, &err) != 0 && !run.sink_failed) {
            run.sink_failed = true;
            run.sink_err = err;
        }
    }
    if (!run.sink_failed && run.writer != NULL &&
        sho_event_writer_finish(run.writer, &run.sink_err) != 0) {
        run.sink_failed = true;
    }
    if (run.sink_failed) {
        sho_log_err(SHO_LOG_ERROR, &run.sink_err);
    }
    if (run.files_ok + run.files_failed == 0) {
        sho_log(SHO_LOG_ERROR, "no input files found under the given paths");
    }
    collect_pipe_free(run.pipe); /* drained after every file */
    collect_totals(&run);
    sho_event_writer_free(run.writer);
    sho_collector_free(run.collector);
    sho_textsrc_free(run.textsrc);
    sho_archive_close(run.archive);
    return collect_exit_code(&run);
}
