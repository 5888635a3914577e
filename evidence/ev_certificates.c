/*
 * ev_certificates: certificates/, the certificate of destruction of every
 * disposal record among the pack's events (`shoseki record disposal`), byte
 * for byte as the archive holds it, named by its SHA-256 (never by the name
 * it was entered under). The record's own text (in originals/) names that
 * SHA-256, and the certificate is listed in sources.csv with it; the
 * manifest covers the file like every other.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence_priv.h"
#include "shoseki/records.h"

#define EV_CERTIFICATES "certificates"

int ev_certificates_note(struct ev_pack *p, struct sho_archive *a, struct sho_err *err)
{
    struct sho_records set;
    size_t i;
    int rc;

    memset(&set, 0, sizeof(set));
    rc = sho_records_load(a, &set, err);
    for (i = 0; rc == 0 && i < set.count; i++) {
        const struct sho_record *r = &set.r[i];
        if (r->kind == SHO_RECORD_DISPOSAL && r->certificate != NULL &&
            ev_strtab_find(&p->sources, r->source_sha) != EV_NONE) {
            (void)ev_strtab_intern(&p->sources, r->certificate, NULL);
            (void)ev_strtab_intern(&p->certificates, r->certificate, NULL);
        }
    }
    sho_records_release(&set);
    return rc;
}

int ev_certificates_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err)
{
    size_t i;
    int rc = 0;

    if (p->certificates.count == 0) {
        return 0;
    }
    if (mkdirat(p->dirfd, EV_CERTIFICATES, 0700) != 0) {
        return sho_err_set(err, SHO_EIO, p->dir, -1, "cannot create '%s'", EV_CERTIFICATES);
    }
    for (i = 0; rc == 0 && i < p->certificates.count; i++) {
        const char *hex = p->certificates.keys[i];
        uint8_t sha[SHO_HASH_LEN];
        char name[sizeof(EV_CERTIFICATES) + SHO_HASH_HEX + 8];
        int fd;
        if (sho_hash_parse(hex, sha) != 0) {
            continue;
        }
        (void)snprintf(name, sizeof(name), "%s/%s.bin", EV_CERTIFICATES, hex);
        fd = openat(p->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            return sho_err_set(err, SHO_EIO, p->dir, -1, "cannot create '%s'", name);
        }
        rc = sho_archive_extract(a, sha, fd, err); /* checked against its SHA-256 */
        if (close(fd) != 0 && rc == 0) {
            rc = sho_err_set(err, SHO_EIO, p->dir, -1, "cannot write '%s'", name);
        }
        if (rc == 1) {
            rc = sho_err_set(err, SHO_ECORRUPT, NULL, -1, "certificate %s is not in the archive",
                             hex);
        }
    }
    return rc;
}
