/*
 * textsrc_probe: what a text file is (format detection from its first lines)
 * and, for `cat`, which of its lines make up one stored event. Detection
 * never trusts the file name: logs are rotated and renamed (audit.log.3,
 * syslog-20240112, export.txt).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auditd.h"
#include "csv_map.h"
#include "textsrc.h"

#define PROBE_BYTES (64 * 1024) /* what detection reads */
#define PROBE_LINES 32          /* non-blank lines it looks at */
#define STAMP_MAX   64

struct probe_counts {
    size_t lines, auditd, samba, xml, csv;
    bool is_csv_like; /* the first line has a comma (or the map's delimiter) */
};

static void probe_line(const struct sho_textsrc *t, const char *s, size_t n, struct probe_counts *c)
{
    int delimiter = t->csv != NULL ? (unsigned char)csv_map_delimiter(t->csv) : ',';

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n == 0 || s[0] == '#') {
        return;
    }
    c->lines++;
    if (n >= 5 && (memcmp(s, "<?xml", 5) == 0 || memcmp(s, "<Event", 6 <= n ? 6 : n) == 0)) {
        c->xml++;
    } else if (auditd_is_record(s, n)) {
        c->auditd++;
    } else if (samba_is_line(&t->samba, s, n)) {
        c->samba++;
    } else if (c->lines == 1 && csv_is_winevent_header(s, n)) {
        c->csv++;
    } else if (c->lines == 1 && memchr(s, delimiter, n) != NULL) {
        c->is_csv_like = true;
        c->csv += t->csv != NULL;
    }
}

static int probe_decide(const struct probe_counts *c, const char *path, enum sho_source_format *out,
                        struct sho_err *err)
{
    if (c->xml > 0) {
        *out = SHO_SOURCE_XML;
    } else if (c->auditd > 0 && c->auditd >= c->samba) {
        *out = SHO_SOURCE_AUDITD;
    } else if (c->samba > 0) {
        *out = SHO_SOURCE_SAMBA;
    } else if (c->csv > 0) {
        *out = SHO_SOURCE_CSV;
    } else if (c->is_csv_like) {
        return sho_err_set(err, SHO_ECORRUPT, path, 0,
                           "looks like CSV, but no --csv-map says which column is which "
                           "(docs/sources.md)");
    } else {
        return sho_err_set(err, SHO_ECORRUPT, path, 0,
                           "format not recognized (not EVTX, audit.log, Samba full_audit, XML "
                           "or CSV); name it with --format");
    }
    return 0;
}

/* Count what the first lines of `buf` (`n` bytes, UTF-8 or UTF-16LE) look like. */
static void probe_lines(const struct sho_textsrc *t, const char *buf, size_t n, bool is_cut,
                        struct probe_counts *c)
{
    struct csv_lines *lines;
    struct text_line l;

    if (is_cut) {
        const char *nl = buf + n;
        while (nl > buf && nl[-1] != '\n') {
            nl--; /* a line cut by the probe size says nothing */
        }
        n = (size_t)(nl - buf);
    }
    memset(c, 0, sizeof(*c));
    lines = csv_lines_new(-1, 0, buf, n);
    while (c->lines < PROBE_LINES && csv_lines_next(lines, &l, NULL) == 1) {
        probe_line(t, l.text, l.len, c);
    }
    csv_lines_free(lines);
}

int sho_source_detect(const char *path, const struct sho_textsrc *t, enum sho_source_format *out,
                      struct sho_err *err)
{
    static const char magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };
    struct probe_counts c;
    char buf[PROBE_BYTES], etext[128];
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    n = read(fd, buf, sizeof(buf));
    (void)close(fd);
    if (n < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot read: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    if (n >= 8 && memcmp(buf, magic, sizeof(magic)) == 0) {
        *out = SHO_SOURCE_EVTX;
        return 0;
    }
    probe_lines(t, buf, (size_t)n, n == (ssize_t)sizeof(buf), &c);
    return probe_decide(&c, path, out, err);
}

/* ---- the lines of one event, for cat ------------------------------------------------------- */

struct rec_walk {
    enum sho_source_format format;
    int64_t target;
    char stamp[STAMP_MAX];
    bool has_stamp, is_in_xml, found;
};

/* One line; returns 1 when the event's records are complete, 0 to go on, <0 error. */
static int rec_line(struct rec_walk *w, const struct text_line *l,
                    int (*fn)(void *, int64_t, const char *, size_t), void *ctx)
{
    char stamp[STAMP_MAX];

    if (w->format == SHO_SOURCE_AUDITD) {
        if (w->has_stamp && auditd_stamp(l->text, l->len, stamp, sizeof(stamp)) != 0 &&
            strcmp(stamp, w->stamp) == 0) {
            w->found = true;
            return fn(ctx, l->offset, l->text, l->len) < 0 ? SHO_EIO : 0;
        }
        return 0;
    }
    if (w->format == SHO_SOURCE_XML) {
        int64_t from = l->offset > w->target ? l->offset : w->target;
        const char *p = l->text + (from - l->offset), *close;
        if (!w->is_in_xml &&
            !(w->target >= l->offset && w->target < l->offset + (int64_t)l->len + 1)) {
            return 0;
        }
        w->is_in_xml = true;
        w->found = true;
        close = strstr(p, "</Event>");
        if (fn(ctx, from, p, close != NULL ? (size_t)(close + 8 - p) : strlen(p)) < 0) {
            return SHO_EIO;
        }
        return close != NULL;
    }
    if (l->offset == w->target) {
        w->found = true;
        return fn(ctx, l->offset, l->text, l->len) < 0 ? SHO_EIO : 1;
    }
    return 0;
}

/* The stamp of the auditd line at `offset`. Returns 1 found, 0 not, <0 error. */
static int rec_stamp(int fd, int64_t offset, struct rec_walk *w, struct sho_err *err)
{
    char buf[8192];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, (off_t)offset);

    if (n < 0) {
        return sho_err_set(err, SHO_EIO, NULL, offset, "cannot read");
    }
    buf[n] = '\0';
    w->has_stamp = auditd_stamp(buf, (size_t)n, w->stamp, sizeof(w->stamp)) != 0;
    return w->has_stamp ? 1 : 0;
}

int sho_textsrc_records(const char *path, enum sho_source_format format, int64_t source_offset,
                        int (*fn)(void *ctx, int64_t offset, const char *text, size_t len),
                        void *ctx, struct sho_err *err)
{
    struct rec_walk w;
    struct text_lines *lines;
    struct text_line l;
    char etext[128];
    int fd, rc;

    memset(&w, 0, sizeof(w));
    w.format = format;
    w.target = source_offset;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    if (format == SHO_SOURCE_CSV) {
        rc = csv_record_lines(fd, source_offset, fn, ctx, err);
        (void)close(fd);
        return rc;
    }
    rc = format == SHO_SOURCE_AUDITD ? rec_stamp(fd, source_offset, &w, err) : 1;
    lines = text_lines_new(fd);
    while (rc == 1 && (rc = text_lines_next(lines, &l, err)) == 1) {
        rc = rec_line(&w, &l, fn, ctx);
        rc = rc == 0 ? 1 : rc == 1 ? 0 : rc;
    }
    text_lines_free(lines);
    (void)close(fd);
    return rc < 0 ? rc : w.found ? 1 : 0;
}
