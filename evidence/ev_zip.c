/*
 * ev_zip: a pack as one zip file (--zip), through libarchive, the one adapter
 * for it. The finished pack directory is written entry by entry in name order
 * with MANIFEST.sha256 last, each entry 0600 with a fixed time, so the same
 * pack gives the same zip. Reading lists every entry with its SHA-256, as a
 * directory listing does, for verification.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "evidence_priv.h"

#define EV_ZIP_TIME  315532800 /* 1980-01-01T00:00:00Z, the zip format's first time */
#define EV_ZIP_CHUNK 65536

/* Copy the file `name` of the pack directory into the zip as one entry. */
static int zip_put(struct archive *z, int dirfd, const char *name, struct sho_err *err)
{
    char chunk[EV_ZIP_CHUNK];
    struct archive_entry *e;
    struct stat st;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = 0;
    ssize_t n;

    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) {
            (void)close(fd);
        }
        return sho_err_set(err, SHO_EIO, name, -1, "cannot read the file");
    }
    e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, st.st_size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_mtime(e, EV_ZIP_TIME, 0);
    if (archive_write_header(z, e) != ARCHIVE_OK) {
        rc = sho_err_set(err, SHO_EIO, name, -1, "zip: %s", archive_error_string(z));
    }
    while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || archive_write_data(z, chunk, (size_t)n) != n) {
            rc = sho_err_set(err, SHO_EIO, name, -1, "zip: cannot copy the file");
        }
    }
    archive_entry_free(e);
    (void)close(fd);
    return rc;
}

int ev_zip_write(const char *dir, const char *out, struct sho_err *err)
{
    struct ev_listing l;
    struct archive *z = NULL;
    size_t i;
    int dirfd, fd = -1, rc;

    ev_listing_init(&l);
    rc = ev_dir_list(dir, &l, err);
    ev_listing_sort(&l);
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rc == 0 && dirfd >= 0) {
        fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (rc == 0 && fd < 0) {
        rc = sho_err_set(err, SHO_EIO, out, -1, "cannot create the zip file");
    }
    if (rc == 0) {
        z = archive_write_new();
        if (z == NULL || archive_write_set_format_zip(z) != ARCHIVE_OK ||
            archive_write_open_fd(z, fd) != ARCHIVE_OK) {
            rc = sho_err_set(err, SHO_EIO, out, -1, "zip: cannot start the file");
        }
    }
    for (i = 0; rc == 0 && i < l.count; i++) {
        rc = zip_put(z, dirfd, l.names[i], err);
    }
    if (rc == 0) {
        rc = zip_put(z, dirfd, EV_MANIFEST, err);
    }
    if (z != NULL && archive_write_close(z) != ARCHIVE_OK && rc == 0) {
        rc = sho_err_set(err, SHO_EIO, out, -1, "zip: %s", archive_error_string(z));
    }
    archive_write_free(z);
    if (fd >= 0 && (fsync(fd) != 0 || close(fd) != 0) && rc == 0) {
        rc = sho_err_set(err, SHO_EIO, out, -1, "cannot write the zip file");
    }
    if (rc != 0 && fd >= 0) {
        (void)unlink(out);
    }
    if (dirfd >= 0) {
        (void)close(dirfd);
    }
    ev_listing_release(&l);
    return rc;
}

/* Hash one entry's data; keep the manifest's and chain.txt's bytes. */
static int zip_entry(struct archive *z, const char *name, struct ev_listing *l, struct sho_err *err)
{
    bool is_manifest = strcmp(name, EV_MANIFEST) == 0;
    struct sho_buf *keep = is_manifest                   ? &l->manifest
                           : strcmp(name, EV_CHAIN) == 0 ? &l->chain
                                                         : NULL;
    uint8_t chunk[EV_ZIP_CHUNK], hash[SHO_HASH_LEN];
    struct sho_sha256_ctx *h = sho_sha256_begin();
    la_ssize_t n;
    int rc = 0;

    if (is_manifest && l->has_manifest) {
        rc = sho_err_set(err, SHO_ETAMPER, name, -1, "zip: a second manifest");
    }
    while (rc == 0 && (n = archive_read_data(z, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            rc = sho_err_set(err, SHO_ETAMPER, name, -1, "zip: %s", archive_error_string(z));
            break;
        }
        sho_sha256_update(h, chunk, (size_t)n);
        if (keep != NULL && sho_buf_append(keep, chunk, (size_t)n) != 0) {
            rc = sho_err_set(err, SHO_ETAMPER, name, -1, "too large for a pack's %s", name);
        }
    }
    sho_sha256_end(h, hash);
    if (rc == 0 && is_manifest) {
        l->has_manifest = true;
    } else if (rc == 0) {
        ev_listing_add(l, name, hash);
    }
    return rc;
}

int ev_zip_list(const char *path, struct ev_listing *l, struct sho_err *err)
{
    struct archive *z = archive_read_new();
    struct archive_entry *e;
    int fd = open(path, O_RDONLY | O_CLOEXEC), r, rc = 0;

    if (fd < 0 || z == NULL || archive_read_support_format_zip_seekable(z) != ARCHIVE_OK ||
        archive_read_open_fd(z, fd, EV_ZIP_CHUNK) != ARCHIVE_OK) {
        rc = sho_err_set(err, fd < 0 ? SHO_EIO : SHO_ETAMPER, path, -1, "not a readable zip: %s",
                         z != NULL && archive_error_string(z) != NULL ? archive_error_string(z)
                                                                      : "cannot open");
    }
    while (rc == 0 && (r = archive_read_next_header(z, &e)) != ARCHIVE_EOF) {
        const char *name = r == ARCHIVE_OK ? archive_entry_pathname(e) : NULL;
        if (name == NULL) {
            rc = sho_err_set(err, SHO_ETAMPER, path, -1, "zip: %s",
                             archive_error_string(z) != NULL ? archive_error_string(z)
                                                             : "a damaged entry");
        } else if (archive_entry_filetype(e) == AE_IFDIR &&
                   (strcmp(name, "originals/") == 0 || strcmp(name, "certificates/") == 0)) {
            continue;
        } else if (archive_entry_filetype(e) != AE_IFREG || !ev_name_ok(name) ||
                   archive_entry_mtime(e) != EV_ZIP_TIME ||
                   (archive_entry_perm(e) & 0777) != 0600) {
            rc = sho_err_set(err, SHO_ETAMPER, path, -1, "zip: '%s' is not a file a pack holds",
                             name);
        } else {
            rc = zip_entry(z, name, l, err);
        }
    }
    archive_read_free(z);
    if (fd >= 0) {
        (void)close(fd);
    }
    return rc;
}

int ev_file_sha256(const char *path, char hex[SHO_HASH_HEX], struct sho_err *err)
{
    uint8_t chunk[EV_ZIP_CHUNK], hash[SHO_HASH_LEN];
    struct sho_sha256_ctx *h;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
    ssize_t n;

    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot read the file");
    }
    h = sho_sha256_begin();
    while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno != EINTR) {
            rc = sho_err_set(err, SHO_EIO, path, -1, "cannot read the file");
        } else if (n > 0) {
            sho_sha256_update(h, chunk, (size_t)n);
        }
    }
    sho_sha256_end(h, hash);
    (void)close(fd);
    sho_hash_hex(hash, hex);
    return rc;
}
