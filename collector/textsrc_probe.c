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
#include "textsrc.h"

#define PROBE_BYTES (64 * 1024) /* what detection reads */
#define PROBE_LINES 32          /* non-blank lines it looks at */
#define STAMP_MAX   64

struct probe_counts {
    size_t lines, auditd, samba, xml, commas;
};

static void probe_line(const struct samba_spec *spec, const char *s, size_t n,
                       struct probe_counts *c)
{
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
    } else if (samba_is_line(spec, s, n)) {
        c->samba++;
    } else if (memchr(s, ',', n) != NULL && c->lines == 1) {
        c->commas++;
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
    } else if (c->commas > 0) {
        *out = SHO_SOURCE_CSV;
    } else {
        return sho_err_set(err, SHO_ECORRUPT, path, 0,
                           "format not recognized (not EVTX, audit.log, Samba full_audit, XML "
                           "or CSV); name it with --format");
    }
    return 0;
}

int sho_source_detect(const char *path, const char *samba_prefix, enum sho_source_format *out,
                      struct sho_err *err)
{
    static const char magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };
    struct probe_counts c;
    struct samba_spec spec;
    char buf[PROBE_BYTES], etext[128];
    const char *p, *end;
    ssize_t n;
    int fd, rc;

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
    rc = samba_spec_parse(&spec, samba_prefix, err);
    if (rc != 0) {
        return rc;
    }
    memset(&c, 0, sizeof(c));
    p = buf;
    end = buf + n;
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }
    while (p < end && c.lines < PROBE_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        if (nl == NULL && n == (ssize_t)sizeof(buf)) {
            break; /* a line cut by the probe size says nothing */
        }
        probe_line(&spec, p, len > 0 && p[len - 1] == '\r' ? len - 1 : len, &c);
        p += len + 1;
    }
    samba_spec_release(&spec);
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
