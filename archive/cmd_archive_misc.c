/*
 * cmd_archive_misc: the small read-only archive commands: `sources` (one
 * line per collected file), `extract` (a collected file back, byte for
 * byte), `export` (stored events as JSON lines with their ref) and `stats`.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoseki/archive.h"

struct misc_opts {
    const char *data;
    const char *source;
    const char *output;
    uint64_t since, until;
    bool has_since, has_until;
};

/* Parse the options shared by these commands; `allowed` lists the letters. */
static int misc_parse(const char *cmd, const char *usage, const char *allowed, int argc,
                      char **argv, struct misc_opts *o)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "source", required_argument, NULL, 's' },
        { "output", required_argument, NULL, 'o' },
        { "since", required_argument, NULL, 'S' },
        { "until", required_argument, NULL, 'U' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    memset(o, 0, sizeof(*o));
    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+d:s:o:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            (void)fputs(usage, stdout);
            return -1;
        }
        if (c == '?' || strchr(allowed, c) == NULL) {
            (void)fprintf(stderr, "shoseki %s: unknown option '%s'\n", cmd, argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
        if (c == 'd') {
            o->data = optarg;
        } else if (c == 's') {
            o->source = optarg;
        } else if (c == 'o') {
            o->output = optarg;
        } else if (sho_time_parse_iso(optarg, strlen(optarg), c == 'S' ? &o->since : &o->until) !=
                   0) {
            (void)fprintf(stderr,
                          "shoseki %s: '%s' is not a time (YYYY-MM-DDThh:mm:ss[Z|+hh:mm])\n", cmd,
                          optarg);
            return SHO_EXIT_USAGE;
        } else {
            *(c == 'S' ? &o->has_since : &o->has_until) = true;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "shoseki %s: unexpected argument '%s'\n", cmd, argv[optind]);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

static int misc_fail(struct sho_archive *a, const struct sho_err *err, int rc)
{
    sho_archive_close(a);
    sho_log_err(SHO_LOG_ERROR, err);
    return rc == SHO_ETAMPER || rc == SHO_ECORRUPT ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
}

/* ---- sources ------------------------------------------------------------------------ */

/* Sources are few (one per collected file): gather them, then align the columns. */
struct sources_rows {
    char **cells; /* owned: row-major, SOURCES_COLS per row */
    size_t rows;
};

#define SOURCES_COLS 10

/* The record ids a source holds: "1-5000", "1-300,302-5000", "... +N more", "-" unknown. */
static void sources_records(const struct sho_archive_source *s, char *out, size_t cap)
{
    size_t i, n = 0;

    (void)snprintf(out, cap, "-");
    for (i = 0; i < s->range_count && i < 3; i++) {
        int k = snprintf(out + n, cap - n, "%s%llu-%llu", i != 0 ? "," : "",
                         (unsigned long long)s->ranges[i].lo, (unsigned long long)s->ranges[i].hi);
        n = k < 0 || (size_t)k >= cap - n ? cap - 1 : n + (size_t)k;
    }
    if (s->range_count > 3) {
        (void)snprintf(out + n, cap - n, " +%zu more", s->range_count - 3);
    }
}

static int sources_gather(void *ctx, const struct sho_archive_source *s)
{
    struct sources_rows *t = ctx;
    char first[SHO_TIME_ISO_MAX] = "-", last[SHO_TIME_ISO_MAX] = "-";
    char size[32], stored[32], dups[32], records[128];
    const char *vals[SOURCES_COLS];
    size_t i;

    if (s->first_time != 0) {
        (void)sho_time_format_iso(s->first_time, first);
        (void)sho_time_format_iso(s->last_time, last);
    }
    (void)snprintf(size, sizeof(size), "%llu", (unsigned long long)s->size);
    (void)snprintf(stored, sizeof(stored), "%llu", (unsigned long long)s->events_stored);
    (void)snprintf(dups, sizeof(dups), "%llu", (unsigned long long)s->events_duplicate);
    vals[0] = s->sha256;
    vals[1] = size;
    vals[2] = s->host != NULL ? s->host : "-";
    vals[3] = s->channel != NULL ? s->channel : "-";
    vals[4] = first;
    vals[5] = last;
    vals[6] = stored;
    vals[7] = dups;
    sources_records(s, records, sizeof(records));
    vals[8] = records;
    vals[9] = s->name;
    t->cells = sho_xrealloc(t->cells, (t->rows + 1) * SOURCES_COLS * sizeof(*t->cells));
    for (i = 0; i < SOURCES_COLS; i++) {
        t->cells[t->rows * SOURCES_COLS + i] = sho_xstrdup(vals[i]);
    }
    t->rows++;
    return 0;
}

static void sources_print(struct sources_rows *t)
{
    static const char *const heads[SOURCES_COLS] = {
        "SHA256", "SIZE",   "HOST",       "CHANNEL", "FIRST",
        "LAST",   "EVENTS", "DUPLICATES", "RECORDS", "NAME",
    };
    size_t w[SOURCES_COLS], r, c;

    for (c = 0; c < SOURCES_COLS; c++) {
        w[c] = strlen(heads[c]);
        for (r = 0; r < t->rows; r++) {
            size_t n = strlen(t->cells[r * SOURCES_COLS + c]);
            w[c] = n > w[c] ? n : w[c];
        }
    }
    for (r = 0; r <= t->rows; r++) {
        for (c = 0; c < SOURCES_COLS; c++) {
            const char *v = r == 0 ? heads[c] : t->cells[(r - 1) * SOURCES_COLS + c];
            if (c + 1 < SOURCES_COLS) {
                (void)printf("%-*s  ", (int)w[c], v);
            } else {
                (void)printf("%s\n", v);
            }
        }
    }
    for (r = 0; r < t->rows * SOURCES_COLS; r++) {
        free(t->cells[r]);
    }
    free(t->cells);
}

int sho_cmd_sources(int argc, char **argv)
{
    static const char usage[] =
        "usage: shoseki sources [--data DIR]\n"
        "\n"
        "One line per collected source file: SHA-256, size, host, channel, first and\n"
        "last event time, events stored, events skipped as duplicates, name.\n";
    struct sources_rows rows = { NULL, 0 };
    struct misc_opts o;
    struct sho_archive *a = NULL;
    struct sho_err err;
    int rc = misc_parse("sources", usage, "d", argc, argv, &o);

    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    sho_err_clear(&err);
    rc = sho_archive_open(sho_archive_data_dir(o.data), NULL, &a, &err);
    if (rc == 0) {
        rc = sho_archive_sources(a, sources_gather, &rows, &err);
    }
    if (rc != 0) {
        return misc_fail(a, &err, rc);
    }
    sources_print(&rows);
    sho_archive_close(a);
    return SHO_EXIT_OK;
}

/* ---- extract ------------------------------------------------------------------------ */

int sho_cmd_extract(int argc, char **argv)
{
    static const char usage[] =
        "usage: shoseki extract [--data DIR] --source SHA256 [-o FILE]\n"
        "\n"
        "Write a collected file back out, byte for byte (to stdout without -o). Its\n"
        "SHA-256 is checked against the one recorded at collection. FILE is created\n"
        "0600 and must not exist.\n";
    struct misc_opts o;
    struct sho_archive *a = NULL;
    struct sho_err err;
    uint8_t sha[SHO_HASH_LEN];
    char etext[128];
    int fd = STDOUT_FILENO;
    int rc = misc_parse("extract", usage, "dso", argc, argv, &o);

    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    if (o.source == NULL || sho_hash_parse(o.source, sha) != 0) {
        (void)fputs("shoseki extract: --source wants the file's SHA-256 (64 hex digits)\n", stderr);
        return SHO_EXIT_USAGE;
    }
    sho_err_clear(&err);
    rc = sho_archive_open(sho_archive_data_dir(o.data), NULL, &a, &err);
    if (rc != 0) {
        return misc_fail(a, &err, rc);
    }
    if (o.output != NULL) {
        fd = open(o.output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            (void)sho_err_set(&err, SHO_EIO, o.output, -1, "cannot create: %s",
                              sho_errno_text(errno, etext, sizeof(etext)));
            return misc_fail(a, &err, SHO_EIO);
        }
    }
    rc = sho_archive_extract(a, sha, fd, &err);
    if (fd != STDOUT_FILENO && close(fd) != 0 && rc == 0) {
        rc = sho_err_set(&err, SHO_EIO, o.output, -1, "cannot write");
    }
    if (rc == 1) {
        (void)fprintf(stderr, "shoseki extract: no source %s in the archive\n", o.source);
        sho_archive_close(a);
        return SHO_EXIT_INPUT;
    }
    if (rc != 0) {
        if (o.output != NULL) {
            (void)unlink(o.output);
        }
        return misc_fail(a, &err, rc);
    }
    sho_archive_close(a);
    return SHO_EXIT_OK;
}

/* ---- export ------------------------------------------------------------------------- */

struct export_ctx {
    const struct misc_opts *o;
    struct sho_event_writer *w;
    struct sho_err *err;
    uint64_t count;
};

static int export_event(void *ctx, const struct sho_event *ev, const uint8_t *sha)
{
    struct export_ctx *x = ctx;

    (void)sha;
    if ((x->o->has_since && (ev->time < x->o->since)) ||
        (x->o->has_until && (ev->time >= x->o->until))) {
        return 0;
    }
    x->count++;
    return sho_event_writer_put(x->w, ev, x->err);
}

int sho_cmd_export(int argc, char **argv)
{
    static const char usage[] =
        "usage: shoseki export [--data DIR] [--since T] [--until T]\n"
        "\n"
        "Stream the stored normalized events as JSON lines, with the keys of\n"
        "`collect --dry-run` plus `ref` (FRAME:INDEX in the archive). --since is\n"
        "inclusive, --until exclusive; times are ISO 8601 (Z or an offset).\n";
    struct misc_opts o;
    struct sho_archive *a = NULL;
    struct sho_err err;
    struct export_ctx x;
    int rc = misc_parse("export", usage, "dSU", argc, argv, &o);

    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    sho_err_clear(&err);
    rc = sho_archive_open(sho_archive_data_dir(o.data), NULL, &a, &err);
    if (rc != 0) {
        return misc_fail(a, &err, rc);
    }
    memset(&x, 0, sizeof(x));
    x.o = &o;
    x.err = &err;
    x.w = sho_event_writer_new(stdout, SHO_FORMAT_JSONL, SHO_WRITER_REF);
    rc = sho_archive_events(a, export_event, &x, &err);
    if (rc == 0) {
        rc = sho_event_writer_finish(x.w, &err);
    }
    sho_event_writer_free(x.w);
    if (rc != 0) {
        return misc_fail(a, &err, rc);
    }
    sho_archive_close(a);
    return SHO_EXIT_OK;
}

/* ---- stats -------------------------------------------------------------------------- */

struct stats_ctx {
    uint64_t sources, input_bytes, events, duplicates;
};

static int stats_source(void *ctx, const struct sho_archive_source *s)
{
    struct stats_ctx *st = ctx;

    st->sources++;
    st->input_bytes += s->size;
    st->events += s->events_stored;
    st->duplicates += s->events_duplicate;
    return 0;
}

int sho_cmd_stats(int argc, char **argv)
{
    static const char usage[] =
        "usage: shoseki stats [--data DIR]\n"
        "\n"
        "Bytes of input collected, bytes of archive, their ratio, events.\n";
    struct misc_opts o;
    struct sho_archive *a = NULL;
    struct sho_err err;
    struct stats_ctx st;
    uint64_t bytes;
    int rc = misc_parse("stats", usage, "d", argc, argv, &o);

    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    memset(&st, 0, sizeof(st));
    sho_err_clear(&err);
    rc = sho_archive_open(sho_archive_data_dir(o.data), NULL, &a, &err);
    if (rc == 0) {
        rc = sho_archive_sources(a, stats_source, &st, &err);
    }
    if (rc != 0) {
        return misc_fail(a, &err, rc);
    }
    bytes = sho_archive_bytes(a);
    (void)printf("sources:        %llu\n", (unsigned long long)st.sources);
    (void)printf("input bytes:    %llu\n", (unsigned long long)st.input_bytes);
    (void)printf("archive bytes:  %llu\n", (unsigned long long)bytes);
    (void)printf("ratio:          %.3f (archive / input)\n",
                 st.input_bytes != 0 ? (double)bytes / (double)st.input_bytes : 0.0);
    (void)printf("events:         %llu stored, %llu duplicates skipped\n",
                 (unsigned long long)st.events, (unsigned long long)st.duplicates);
    sho_archive_close(a);
    return SHO_EXIT_OK;
}
