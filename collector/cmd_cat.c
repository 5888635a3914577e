/*
 * cmd_cat: `shoseki cat REF`. Prints the original record of one stored event:
 * the source file is rebuilt from the archive's blocks (its SHA-256 checked)
 * and the record at the event's byte offset is shown by sho_collector_original
 * (original.c). The rebuilt file lives in a private temporary file (0600) that
 * is removed before returning.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Print the original record(s) of the event at `offset` of the rebuilt file `path`. */
static int cat_print(const char *path, const char *kind, int64_t offset, struct sho_err *err)
{
    struct sho_buf text;
    int rc;

    sho_buf_init(&text, CAT_XML_LIMIT);
    rc = sho_collector_original(path, kind, offset, &text, err);
    if (rc == 0 && text.len != 0 && fwrite(text.data, 1, text.len, stdout) != text.len) {
        rc = sho_err_set(err, SHO_EIO, "<stdout>", -1, "cannot write output");
    }
    sho_buf_release(&text);
    return rc;
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
        rc = sho_err_set(&err, SHO_ECORRUPT, NULL, -1, "event %s has no record offset", ref);
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
    if (rc == 0) {
        rc = cat_print(tmp, t.kind, t.offset, &err);
    }
    if (fd >= 0) {
        (void)close(fd);
        (void)unlink(tmp);
    }
    sho_archive_close(a);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        /* SHO_EINVAL: REF is not FRAME:INDEX, a usage error */
        return rc == SHO_ETAMPER  ? SHO_EXIT_VERIFY
               : rc == SHO_EINVAL ? SHO_EXIT_USAGE
                                  : SHO_EXIT_SYSTEM;
    }
    return SHO_EXIT_OK;
}
