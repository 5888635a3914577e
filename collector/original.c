/*
 * original: the original record of a stored event, read from its source file
 * rebuilt out of the archive: for EVTX the record's XML (our decoder renders
 * it; libevtx when ours cannot read the record), for text sources the original
 * line(s) of the event, each after its byte offset and a colon. Used by `cat`
 * and by evidence packs (originals/), so both show the same bytes.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "evtx_decode.h"
#include "evtx_libevtx.h"
#include "shoseki/collector.h"

/* The record header's identifier at `offset` of the file, or 0 when not a record. */
static uint64_t orig_header_id(const char *path, int64_t offset)
{
    uint8_t h[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return 0;
    }
    n = pread(fd, h, sizeof(h), (off_t)offset);
    (void)close(fd);
    if (n != (ssize_t)sizeof(h) || h[0] != 0x2a || h[1] != 0x2a || h[2] != 0 || h[3] != 0) {
        return 0;
    }
    return sho_le64(h + 8);
}

/* libevtx's rendering of the record with header id `id` (the fallback). */
static int orig_libevtx(const char *path, uint64_t id, struct sho_buf *out, struct sho_err *err)
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
        rc = sho_buf_append(out, xml, len);
        if (rc == 0) {
            rc = sho_buf_putc(out, '\n');
        }
        rc = rc != 0 ? sho_err_set(err, rc, path, off, "record too large") : 0;
    }
    evtx_lib_close(lib);
    return rc == 1 ? sho_err_set(err, SHO_ECORRUPT, path, -1, "libevtx did not return record") : rc;
}

/* One original record of a text source: "OFFSET:" then its text, as grep -b prints. */
static int orig_text_record(void *ctx, int64_t offset, const char *text, size_t len)
{
    struct sho_buf *out = ctx;
    int rc = sho_buf_appendf(out, "%lld:", (long long)offset);

    if (rc == 0) {
        rc = sho_buf_append(out, text, len);
    }
    return rc == 0 ? sho_buf_putc(out, '\n') : rc;
}

/* A record (docs/records.md): the whole rebuilt file is its text. */
static int orig_whole(const char *path, struct sho_buf *out, struct sho_err *err)
{
    char buf[8192];
    size_t n;
    int rc = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot read the rebuilt record");
    }
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        rc = sho_buf_append(out, buf, n);
    }
    if (rc == 0 && ferror(f)) {
        rc = sho_err_set(err, SHO_EIO, path, -1, "cannot read the rebuilt record");
    } else if (rc != 0) {
        rc = sho_err_set(err, rc, path, -1, "record too large");
    }
    (void)fclose(f);
    return rc;
}

int sho_collector_original(const char *path, const char *kind, int64_t offset, struct sho_buf *out,
                           struct sho_err *err)
{
    enum sho_source_format format;
    uint64_t id;
    size_t before = out->len;
    int rc;

    if (kind != NULL && strcmp(kind, "record") == 0) {
        return orig_whole(path, out, err);
    }
    if (kind != NULL && kind[0] != '\0' && strcmp(kind, "evtx") != 0) {
        if (sho_source_format_parse(kind, &format) != 0) {
            return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "source of unknown kind '%s'", kind);
        }
        rc = sho_textsrc_records(path, format, offset, orig_text_record, out, err);
        return rc == 1 ? 0
               : rc == 0
                   ? sho_err_set(err, SHO_ECORRUPT, NULL, offset, "no record at the event's offset")
                   : rc;
    }
    id = orig_header_id(path, offset);
    if (id == 0) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, offset, "no record at the event's offset");
    }
    if (evtx_dec_render(path, offset, out, NULL) == 0) {
        return 0;
    }
    out->len = before; /* drop what a failed rendering left */
    if (out->data != NULL) {
        out->data[before] = '\0';
    }
    return orig_libevtx(path, id, out, err);
}
