/*
 * collect_text: text sources (auditd, Samba full_audit syslog, Windows XML
 * exports, CSV exports) from file to normalized events. Owns what the text
 * formats share: format names and detection from content, the options they
 * read (uid map, Samba prefix, zone, CSV map), line reading, and turning each
 * parser's complaints into located problems ("line N: what" at the line's
 * byte offset) and counts. The per-format parsers know nothing of files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auditd.h"
#include "shoseki/collector.h"
#include "text_lines.h"
#include "textsrc.h"
#include "uid_map.h"

#define TEXT_MTIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static const char *const format_names[] = { "auto", "evtx", "auditd", "samba", "xml", "csv" };

int sho_source_format_parse(const char *name, enum sho_source_format *out)
{
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(format_names); i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (enum sho_source_format)i;
            return 0;
        }
    }
    return SHO_EINVAL;
}

const char *sho_source_format_name(enum sho_source_format format)
{
    return (size_t)format < SHO_ARRAY_COUNT(format_names) ? format_names[format] : "unknown";
}

/* ---- options ------------------------------------------------------------------------ */

int sho_textsrc_new(const struct sho_textsrc_opts *opts, struct sho_textsrc **out,
                    struct sho_err *err)
{
    struct sho_textsrc *t = sho_xcalloc(1, sizeof(*t));
    int rc = 0;

    t->opts = *opts;
    t->host = opts->host != NULL ? sho_xstrdup(opts->host) : NULL;
    if (opts->uid_map != NULL) {
        rc = uid_map_load(opts->uid_map, &t->names, err);
    }
    if (rc == 0) {
        rc = samba_spec_parse(&t->samba, opts->samba_prefix, err);
    }
    if (rc == 0) {
        rc = sho_tzone_load(&t->zone, opts->tz, err);
    }
    if (rc == 0 && opts->csv_map != NULL) {
        rc = csv_map_load(opts->csv_map, &t->csv, err);
    }
    if (rc == 0) {
        t->normalizer =
            normalizer_new(((opts->flags & SHO_COLLECT_ALL_OBJECTS) ? NORMALIZE_ALL_OBJECTS : 0) |
                               ((opts->flags & SHO_COLLECT_ALL_EVENTS) ? NORMALIZE_ALL_EVENTS : 0),
                           SHO_COLLECT_HANDLES_DEFAULT);
        t->xml = evtx_xml_new();
        winrec_init(&t->rec);
        rc = t->xml == NULL ? sho_err_set(err, SHO_ENOMEM, NULL, -1, "no XML parser") : 0;
    }
    if (rc != 0) {
        sho_textsrc_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void sho_textsrc_free(struct sho_textsrc *t)
{
    if (t == NULL) {
        return;
    }
    free(t->host);
    uid_map_free(t->names);
    samba_spec_release(&t->samba);
    sho_tzone_release(&t->zone);
    csv_map_free(t->csv);
    normalizer_free(t->normalizer);
    evtx_xml_free(t->xml);
    if (t->normalizer != NULL) {
        winrec_release(&t->rec);
    }
    free(t);
}

/* ---- problems and events of one file -------------------------------------------------- */

void textsrc_problem(struct textsrc_file *f, enum sho_skip_reason reason, bool is_skip,
                     int64_t offset, uint64_t line, const char *msg)
{
    struct sho_err e;

    if (is_skip) {
        f->st->skipped[reason]++;
    }
    (void)sho_err_set(&e, SHO_ECORRUPT, f->path, offset, "line %llu: %s", (unsigned long long)line,
                      msg);
    if (f->sink->problem != NULL) {
        f->sink->problem(f->sink->ctx, &e);
    }
}

int textsrc_event(struct textsrc_file *f, struct sho_event *ev, struct sho_err *err)
{
    int rc;

    ev->source = f->path;
    if (ev->host == NULL) {
        ev->host = f->t->host;
    }
    rc = f->sink->event(f->sink->ctx, ev, err);
    if (rc == 0) {
        f->st->emitted++;
    }
    return rc;
}

uint64_t textsrc_hash(const char *s, size_t len, uint64_t h)
{
    size_t i;

    for (i = 0; i < len; i++) {
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    }
    return h;
}

uint64_t textsrc_record_id(struct textsrc_ids *ids, uint64_t h, uint64_t time)
{
    uint64_t k = 0;
    size_t i;

    if (time / SHO_TICKS_PER_SECOND != ids->second) {
        ids->second = time / SHO_TICKS_PER_SECOND;
        ids->seen_count = 0;
    }
    for (i = 0; i < ids->seen_count; i++) {
        k += ids->seen[i] == h;
    }
    if (ids->seen_count < TEXTSRC_SEEN_MAX) {
        ids->seen[ids->seen_count++] = h;
    }
    return (h + k) & TEXTSRC_ID_MASK;
}

/* A line the reader could not hand out whole: report it. Returns true when it was bad. */
bool textsrc_line_bad(struct textsrc_file *f, const struct text_line *l)
{
    if (l->is_too_long) {
        textsrc_problem(f, SHO_SKIP_TOO_LARGE, true, l->offset, l->number,
                        "line longer than 1 MiB: skipped");
        return true;
    }
    if (l->has_nul) {
        textsrc_problem(f, SHO_SKIP_BAD_LINE, true, l->offset, l->number,
                        "line holds a NUL byte: skipped");
        return true;
    }
    return false;
}

/* ---- auditd ------------------------------------------------------------------------------ */

static int au_sink_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct sho_event copy = *ev;
    return textsrc_event(ctx, &copy, err);
}

static void au_sink_problem(void *ctx, enum auditd_problem kind, int64_t offset, uint64_t line,
                            const char *msg)
{
    struct textsrc_file *f = ctx;

    textsrc_problem(f, kind == AUDITD_LATE ? SHO_SKIP_LATE : SHO_SKIP_BAD_LINE, kind != AUDITD_GAP,
                    offset, line, msg);
}

static int read_auditd(struct textsrc_file *f, struct text_lines *lines, struct sho_err *err)
{
    struct auditd_opts o;
    struct auditd_sink sink = { au_sink_event, au_sink_problem, f };
    const struct auditd_stats *as;
    struct auditd *a;
    struct text_line l;
    int rc;

    memset(&o, 0, sizeof(o));
    o.pending_max = f->t->opts.pending_max;
    o.is_all_events = (f->t->opts.flags & SHO_COLLECT_ALL_EVENTS) != 0;
    o.host = f->t->host;
    o.names = f->t->names;
    a = auditd_new(&o, &sink);
    while ((rc = text_lines_next(lines, &l, err)) == 1) {
        f->st->records++;
        if (textsrc_line_bad(f, &l)) {
            continue;
        }
        rc = auditd_line(a, l.text, l.len, l.offset, l.number, err);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0) {
        rc = auditd_finish(a, err);
    }
    as = auditd_stats(a);
    f->st->read = as->records;
    f->st->serial_gaps = as->gaps;
    f->st->serials_missing = as->missing;
    f->st->serial_restarts = as->restarts;
    auditd_free(a);
    return rc;
}

/* ---- reading a file -------------------------------------------------------------------------- */

int sho_textsrc_read(struct sho_textsrc *t, const char *path, enum sho_source_format format,
                     const struct sho_collect_sink *sink, struct sho_collect_stats *stats,
                     struct sho_err *err)
{
    struct textsrc_file f;
    struct text_lines *lines;
    struct stat st;
    char etext[128];
    int fd, rc;

    memset(stats, 0, sizeof(*stats));
    memset(&f, 0, sizeof(f));
    f.t = t;
    f.path = path;
    f.sink = sink;
    f.st = stats;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    f.mtime = fstat(fd, &st) == 0 ? (int64_t)st.st_mtime : 0;
    if (f.mtime < 0 || f.mtime > TEXT_MTIME_MAX) {
        f.mtime = 0; /* a date no log was written on: syslog years would overflow */
    }
    lines = text_lines_new(fd);
    switch (format) {
    case SHO_SOURCE_AUDITD:
        rc = read_auditd(&f, lines, err);
        break;
    case SHO_SOURCE_SAMBA:
        rc = textsrc_read_samba(&f, lines, err);
        break;
    case SHO_SOURCE_XML:
        rc = textsrc_read_xml(&f, lines, err);
        break;
    case SHO_SOURCE_CSV:
        rc = textsrc_read_csv(&f, fd, NULL, 0, err);
        break;
    default:
        rc = sho_err_set(err, SHO_EINVAL, path, -1, "not a text format: %s",
                         sho_source_format_name(format));
        break;
    }
    text_lines_free(lines);
    (void)close(fd);
    if (rc == SHO_EIO && err != NULL && err->path[0] == '\0') {
        sho_str_copy(err->path, sizeof(err->path), path);
    }
    return rc;
}
