/*
 * record_store: a record into the archive. The certificate of a disposal is
 * collected like any file (kind "certificate", cut into blocks, its SHA-256
 * in its SOURCE frame, `extract --source` gives it back byte for byte). The
 * record's text is written to a private temporary file (0600, removed
 * after) and collected as a source of kind "record" named "record:KIND ID",
 * with the same text as the SOURCE frame's `detail` and one event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shoseki/records.h"

int sho_record_store_certificate(struct sho_archive *a, const char *certificate_path,
                                 uint64_t limit, char hex[SHO_HASH_HEX], uint64_t *size,
                                 struct sho_err *err)
{
    struct sho_archive_source_stats st;
    struct stat sb;
    char etext[128];
    int rc;

    if (stat(certificate_path, &sb) != 0) {
        return sho_err_set(err, SHO_EINVAL, certificate_path, -1, "cannot read the certificate: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    if (!S_ISREG(sb.st_mode)) {
        return sho_err_set(err, SHO_EINVAL, certificate_path, -1, "the certificate is not a file");
    }
    if (sb.st_size == 0) {
        return sho_err_set(err, SHO_EINVAL, certificate_path, -1, "the certificate is empty");
    }
    if ((uint64_t)sb.st_size > limit) {
        return sho_err_set(err, SHO_EINVAL, certificate_path, -1,
                           "the certificate has %lld bytes, more than the limit of %llu "
                           "(--max-certificate)",
                           (long long)sb.st_size, (unsigned long long)limit);
    }
    rc = sho_archive_source_begin(a, certificate_path, "certificate", NULL, err);
    if (rc < 0) {
        return rc;
    }
    rc = sho_archive_source_end(a, &st, err);
    if (rc == 0) {
        sho_str_copy(hex, SHO_HASH_HEX, st.sha256);
        *size = st.size;
    }
    return rc;
}

/* A private temporary file holding `len` bytes of `data`; its path into `path`. */
static int store_tmp(const char *data, size_t len, char *path, size_t path_len, struct sho_err *err)
{
    const char *tmpdir = getenv("TMPDIR"); /* NOLINT(concurrency-mt-unsafe): single-threaded */
    int fd;
    ssize_t n;

    (void)snprintf(path, path_len, "%s/shoseki-record-XXXXXX",
                   tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot create a temporary file");
    }
    n = write(fd, data, len);
    if (close(fd) != 0 || n != (ssize_t)len) {
        (void)unlink(path);
        return sho_err_set(err, SHO_EIO, path, -1, "cannot write a temporary file");
    }
    return 0;
}

int sho_record_store(struct sho_archive *a, struct sho_record *r, struct sho_err *err)
{
    struct sho_buf text;
    struct sho_event ev;
    char tmp[4096], name[64], domain[SHO_RECORD_DOMAIN_MAX];
    int rc, erc;

    rc = sho_record_check(r, err);
    if (rc != 0) {
        return rc;
    }
    sho_buf_init(&text, SHO_RECORD_TEXT_MAX);
    rc = sho_record_text(r, &text) != 0 || sho_buf_putc(&text, '\0') != 0
             ? sho_err_set(err, SHO_ELIMIT, NULL, -1, "the record is longer than %zu bytes",
                           (size_t)SHO_RECORD_TEXT_MAX)
             : 0;
    if (rc == 0) {
        rc = store_tmp(text.data, text.len - 1, tmp, sizeof(tmp), err);
    }
    if (rc != 0) {
        sho_buf_release(&text);
        return rc;
    }
    (void)snprintf(name, sizeof(name), "record:%s %llu", sho_record_kind_name(r->kind),
                   (unsigned long long)r->id);
    rc = sho_archive_source_begin(a, tmp, "record", r->entered_on, err);
    if (rc == 0) {
        sho_archive_source_describe(a, name, text.data);
        sho_record_event(r, name, &ev, domain);
        erc = sho_archive_event_put(a, &ev, err);
        rc = erc < 0 ? erc : 0;
    }
    if (rc >= 0) {
        struct sho_err eerr;
        erc = sho_archive_source_end(a, NULL, rc == 0 ? err : &eerr);
        rc = rc == 0 ? erc : rc;
    }
    (void)unlink(tmp);
    sho_buf_release(&text);
    return rc;
}
