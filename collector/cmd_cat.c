/*
 * cmd_cat: `shoseki cat REF`. Prints the original record of one stored event:
 * the source file is rebuilt from the archive's blocks (its SHA-256 checked),
 * the record is located at the event's byte offset, and for EVTX rendered as
 * XML by our decoder (libevtx when ours cannot read the record). The rebuilt file lives in a
 * private temporary file (0600) that is removed before returning.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtx_decode.h"
#include "evtx_libevtx.h"
#include "shoseki/archive.h"
#include "shoseki/collector.h"

#define CAT_XML_LIMIT ((size_t)64 * 1024 * 1024) /* one rendered record, worst case */

struct cat_target {
    bool found;
    char kind[16]; /* the source's kind: "evtx", "auditd", ... */
    uint8_t sha[SHO_HASH_LEN];
    int64_t offset;
    uint64_t record_id;
};

static int cat_event(void *ctx, const struct sho_event *ev, const uint8_t *sha)
{
    struct cat_target *t = ctx;

    t->found = true;
    memcpy(t->sha, sha, SHO_HASH_LEN);
    t->offset = (ev->has & SHO_HAS_SOURCE_OFFSET) ? ev->source_offset : -1;
    t->record_id = ev->record_id;
    return 0;
}

/* The record header's identifier at `offset` of the rebuilt file, or 0 when not a record. */
static uint64_t cat_header_id(int fd, int64_t offset)
{
    uint8_t h[16];

    if (pread(fd, h, sizeof(h), (off_t)offset) != (ssize_t)sizeof(h) || h[0] != 0x2a ||
        h[1] != 0x2a || h[2] != 0 || h[3] != 0) {
        return 0;
    }
    return sho_le64(h + 8);
}

/* libevtx's rendering of the record with header id `id` (the fallback). */
static int cat_render_libevtx(const char *path, uint64_t id, struct sho_err *err)
{
    struct evtx_lib *lib = NULL;
    int records = 0, recovered = 0, i, rc;

    rc = evtx_lib_open(path, &lib, err);
    if (rc != 0) {
        return rc;
    }
    evtx_lib_counts(lib, &records, &recovered);
    rc = 1;
    for (i = 0; i < records && rc == 1; i++) {
        struct evtx_lib_meta meta;
        struct sho_err rerr;
        const char *xml = NULL;
        size_t len = 0;
        int64_t off;
        int r = evtx_lib_record(lib, i, false, &off, &xml, &len, &meta, &rerr);
        if (!meta.has_record_id || meta.record_id != id) {
            continue;
        }
        if (r != 0) {
            rc = sho_err_set(err, r, NULL, -1, "%s", rerr.msg);
            break;
        }
        (void)fwrite(xml, 1, len, stdout);
        (void)fputc('\n', stdout);
        rc = 0;
    }
    evtx_lib_close(lib);
    return rc;
}

static int cat_source(void *ctx, const struct sho_archive_source *s)
{
    struct cat_target *t = ctx;
    char hex[SHO_HASH_HEX];

    sho_hash_hex(t->sha, hex);
    if (strcmp(hex, s->sha256) == 0) {
        sho_str_copy(t->kind, sizeof(t->kind), s->kind);
    }
    return 0;
}

/* One original record of a text source: "OFFSET:" then its text, as grep -b prints. */
static int cat_text_record(void *ctx, int64_t offset, const char *text, size_t len)
{
    (void)ctx;
    if (printf("%lld:", (long long)offset) < 0 || fwrite(text, 1, len, stdout) != len ||
        fputc('\n', stdout) == EOF) {
        return SHO_EIO;
    }
    return 0;
}

/* Print the records of a text source's event; `kind` names its format. */
static int cat_text(const char *path, const char *kind, int64_t offset, struct sho_err *err)
{
    enum sho_source_format format;
    int rc;

    if (sho_source_format_parse(kind, &format) != 0) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "source of unknown kind '%s'", kind);
    }
    rc = sho_textsrc_records(path, format, offset, cat_text_record, NULL, err);
    return rc == 1 ? 0
           : rc == 0
               ? sho_err_set(err, SHO_ECORRUPT, NULL, offset, "no record at the event's offset")
               : rc;
}

/* Print the whole rebuilt file (a record's text), from its start. */
static int cat_whole(int fd, struct sho_err *err)
{
    char buf[8192];
    off_t at = 0;
    ssize_t n;

    while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
            return sho_err_set(err, SHO_EIO, "<stdout>", -1, "cannot write");
        }
        at += n;
    }
    return n < 0 ? sho_err_set(err, SHO_EIO, NULL, at, "cannot read the rebuilt record") : 0;
}

/*
 * Render the record at `offset` (header id `id`) of the EVTX file at `path`:
 * with our decoder, or libevtx when ours cannot read it.
 */
static int cat_render(const char *path, int64_t offset, uint64_t id, struct sho_err *err)
{
    struct sho_buf xml;
    int rc;

    sho_buf_init(&xml, CAT_XML_LIMIT);
    rc = evtx_dec_render(path, offset, &xml, NULL);
    if (rc == 0) {
        (void)fwrite(xml.data, 1, xml.len, stdout);
    }
    sho_buf_release(&xml);
    return rc == 0 ? 0 : cat_render_libevtx(path, id, err);
}

static int cat_parse(int argc, char **argv, const char **data, const char **ref)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
        if (c == 'd') {
            *data = optarg;
        } else if (c == 'h') {
            (void)fputs("usage: shoseki cat [--data DIR] REF\n"
                        "\n"
                        "Print the original record of the stored event REF (FRAME:INDEX, the\n"
                        "`ref` of `shoseki export`): for EVTX, the record's XML, rendered\n"
                        "from the original file rebuilt out of the archive (by our decoder;\n"
                        "by libevtx when ours cannot read the record); for text logs, the\n"
                        "original line(s) of the event, each after its byte offset and a\n"
                        "colon (auditd: every record of the event); for a record entered with\n"
                        "`shoseki record`, its whole text.\n",
                        stdout);
            return -1;
        } else {
            (void)fprintf(stderr, "shoseki cat: unknown option '%s'\n", argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        (void)fputs("usage: shoseki cat [--data DIR] REF\n", stderr);
        return SHO_EXIT_USAGE;
    }
    *ref = argv[optind];
    return 0;
}

int sho_cmd_cat(int argc, char **argv)
{
    const char *data = NULL, *ref = NULL, *tmpdir;
    struct sho_archive *a = NULL;
    struct cat_target t;
    struct sho_err err;
    char tmp[4096];
    int fd = -1, rc;

    rc = cat_parse(argc, argv, &data, &ref);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    memset(&t, 0, sizeof(t));
    sho_err_clear(&err);
    rc = sho_archive_open(sho_archive_data_dir(data), NULL, &a, &err);
    if (rc == 0) {
        rc = sho_archive_event_get(a, ref, cat_event, &t, &err);
        if (rc == 0) {
            (void)fprintf(stderr, "shoseki cat: no event %s in the archive\n", ref);
            sho_archive_close(a);
            return SHO_EXIT_INPUT;
        }
        rc = rc == 1 ? 0 : rc;
    }
    if (rc == 0 && t.offset < 0) {
        rc = sho_err_set(&err, SHO_EINVAL, NULL, -1, "event %s has no record offset", ref);
    }
    if (rc == 0) {
        tmpdir = getenv("TMPDIR"); /* NOLINT(concurrency-mt-unsafe): single-threaded */
        (void)snprintf(tmp, sizeof(tmp), "%s/shoseki-cat-XXXXXX",
                       tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");
        fd = mkstemp(tmp);
        rc = fd < 0 ? sho_err_set(&err, SHO_EIO, tmp, -1, "cannot create a temporary file") : 0;
    }
    if (rc == 0) {
        rc = sho_archive_extract(a, t.sha, fd, &err);
    }
    if (rc == 0) {
        rc = sho_archive_sources(a, cat_source, &t, &err);
    }
    if (rc == 0 && strcmp(t.kind, "record") == 0) {
        rc = cat_whole(fd, &err); /* a record (docs/records.md): its text is the record */
    } else if (rc == 0 && t.kind[0] != '\0' && strcmp(t.kind, "evtx") != 0) {
        rc = cat_text(tmp, t.kind, t.offset, &err);
    } else if (rc == 0) {
        uint64_t id = cat_header_id(fd, t.offset);
        rc = id == 0 ? sho_err_set(&err, SHO_ECORRUPT, NULL, t.offset,
                                   "no record at the event's offset")
                     : cat_render(tmp, t.offset, id, &err);
        if (rc == 1) {
            rc = sho_err_set(&err, SHO_ECORRUPT, NULL, t.offset, "libevtx did not return record");
        }
    }
    if (fd >= 0) {
        (void)close(fd);
        (void)unlink(tmp);
    }
    sho_archive_close(a);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return rc == SHO_ETAMPER ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    return SHO_EXIT_OK;
}
