/*
 * ev_dir: the pack as files. Everything is created inside the pack's own
 * directory (made 0700, never one that exists) through its descriptor with
 * O_EXCL | O_NOFOLLOW, under names of ours only (never from the data), so
 * nothing lands outside it whatever the paths in the events. Also the CSV
 * rows of every table, the manifest, and the listing that hashes a pack's
 * files (for the manifest and for verification alike).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence_priv.h"

#define EV_DIR_DEPTH_MAX 8     /* subdirectories a listing enters (a pack has one level) */
#define EV_READ_CHUNK    65536 /* bytes read at a time when hashing */

FILE *ev_create(struct ev_pack *p, const char *name, struct sho_err *err)
{
    int fd = openat(p->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f;

    if (fd < 0) {
        char etext[128];
        sho_err_set(err, SHO_EIO, p->dir, -1, "cannot create '%s': %s", name,
                    sho_errno_text(errno, etext, sizeof(etext)));
        return NULL;
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        (void)close(fd);
        sho_err_set(err, SHO_EIO, p->dir, -1, "cannot write '%s'", name);
    }
    return f;
}

int ev_close(FILE *f, const char *name, struct sho_err *err)
{
    bool bad = ferror(f) != 0;

    bad = fflush(f) != 0 || bad;
    bad = fclose(f) != 0 || bad;
    return bad ? sho_err_set(err, SHO_EIO, name, -1, "cannot write the file") : 0;
}

int ev_csv_start(const struct ev_pack *p, FILE *f, struct sho_err *err)
{
    if (p->o.excel && fwrite("\xEF\xBB\xBF", 1, 3, f) != 3) {
        return sho_err_set(err, SHO_EIO, p->dir, -1, "cannot write a CSV file");
    }
    return 0;
}

int ev_csv_row(const struct ev_pack *p, FILE *f, const char *const *cells, size_t n,
               struct sho_err *err)
{
    struct sho_buf line;
    size_t i;
    int rc = 0;

    sho_buf_init(&line, EV_TEXT_LIMIT);
    for (i = 0; i < n && rc == 0; i++) {
        if (i != 0) {
            rc = sho_buf_putc(&line, ',');
        }
        if (rc == 0) {
            rc = sho_csv_cell(&line, cells[i], p->o.excel ? SHO_CSV_NEUTRALIZE : 0);
        }
    }
    if (rc == 0) {
        rc = sho_buf_appends(&line, p->o.excel ? "\r\n" : "\n");
    }
    if (rc != 0) {
        rc = sho_err_set(err, rc, p->dir, -1, "a CSV row is too long");
    } else if (fwrite(line.data, 1, line.len, f) != line.len) {
        rc = sho_err_set(err, SHO_EIO, p->dir, -1, "cannot write a CSV file");
    }
    sho_buf_release(&line);
    return rc;
}

void ev_time_text(const struct ev_pack *p, uint64_t ft, char out[SHO_TIME_ISO_MAX])
{
    if (p->tz_loaded) {
        (void)sho_tz_format(&p->tz, ft, out);
    } else {
        (void)sho_time_format_iso(ft, out);
    }
}

void ev_actions_text(uint32_t actions, char *out, size_t out_len)
{
    size_t used = 0;
    unsigned i;

    out[0] = '\0';
    for (i = 0; i < SHO_ACTION_COUNT; i++) {
        if ((actions & (1u << i)) != 0) {
            int n = snprintf(out + used, out_len - used, "%s%s", used != 0 ? " " : "",
                             sho_action_name(i));
            if (n < 0 || (size_t)n >= out_len - used) {
                break;
            }
            used += (size_t)n;
        }
    }
}

/* Remove `name` under directory descriptor `dfd`, recursively. */
static void remove_at(int dfd, const char *name, int depth)
{
    struct dirent *de;
    DIR *d;
    int fd;

    if (unlinkat(dfd, name, 0) == 0 || depth > EV_DIR_DEPTH_MAX) {
        return;
    }
    fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0) {
            (void)close(fd);
        }
        return;
    }
    while ((de = readdir(d)) != NULL) { /* NOLINT(concurrency-mt-unsafe): one reader */
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            remove_at(fd, de->d_name, depth + 1);
        }
    }
    (void)closedir(d);
    (void)unlinkat(dfd, name, AT_REMOVEDIR);
}

void ev_remove_tree(const char *dir)
{
    remove_at(AT_FDCWD, dir, 0);
}

/* ---- listing a pack directory ---------------------------------------------------- */

static int list_hash(int dfd, const char *name, const char *rel, struct ev_listing *l,
                     struct sho_err *err)
{
    uint8_t chunk[EV_READ_CHUNK], hash[SHO_HASH_LEN];
    struct sho_buf *keep = NULL;
    struct sho_sha256_ctx *h;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n;
    int rc = 0;

    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, rel, -1, "cannot read the file");
    }
    if (strcmp(rel, EV_MANIFEST) == 0) {
        keep = &l->manifest;
        l->has_manifest = true;
    } else if (strcmp(rel, EV_CHAIN) == 0) {
        keep = &l->chain;
    }
    h = sho_sha256_begin();
    while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            rc = errno == EINTR ? 0 : sho_err_set(err, SHO_EIO, rel, -1, "cannot read the file");
            continue;
        }
        sho_sha256_update(h, chunk, (size_t)n);
        if (keep != NULL && sho_buf_append(keep, chunk, (size_t)n) != 0) {
            rc = sho_err_set(err, SHO_ETAMPER, rel, -1, "file too large for a pack's %s", rel);
        }
    }
    sho_sha256_end(h, hash);
    (void)close(fd);
    if (rc == 0 && keep != &l->manifest) {
        ev_listing_add(l, rel, hash);
    }
    return rc;
}

static int list_dir(int dfd, const char *prefix, int depth, struct ev_listing *l,
                    struct sho_err *err);

static int list_entry(int dfd, const char *name, const char *prefix, int depth,
                      struct ev_listing *l, struct sho_err *err)
{
    char rel[4096];
    struct stat st;
    int sub, rc;

    (void)snprintf(rel, sizeof(rel), "%s%s", prefix, name);
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return sho_err_set(err, SHO_EIO, rel, -1, "cannot read the file");
    }
    if (S_ISREG(st.st_mode)) {
        return list_hash(dfd, name, rel, l, err);
    }
    if (!S_ISDIR(st.st_mode) || depth >= EV_DIR_DEPTH_MAX) {
        return sho_err_set(err, SHO_ETAMPER, rel, -1, "not a file a pack holds (%s)",
                           S_ISDIR(st.st_mode) ? "nested too deep" : "not a regular file");
    }
    sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) {
        return sho_err_set(err, SHO_EIO, rel, -1, "cannot read the directory");
    }
    (void)snprintf(rel, sizeof(rel), "%s%s/", prefix, name);
    rc = list_dir(sub, rel, depth + 1, l, err);
    (void)close(sub);
    return rc;
}

/* List every file under `dfd` (not closed here), names prefixed by `prefix`. */
static int list_dir(int dfd, const char *prefix, int depth, struct ev_listing *l,
                    struct sho_err *err)
{
    struct dirent *de;
    int fd = dup(dfd), rc = 0;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

    if (d == NULL) {
        if (fd >= 0) {
            (void)close(fd);
        }
        return sho_err_set(err, SHO_EIO, prefix, -1, "cannot read the directory");
    }
    while (rc == 0 && (de = readdir(d)) != NULL) { /* NOLINT(concurrency-mt-unsafe) */
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            rc = list_entry(dfd, de->d_name, prefix, depth, l, err);
        }
    }
    (void)closedir(d);
    return rc;
}

int ev_dir_list(const char *dir, struct ev_listing *l, struct sho_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, dir, -1, "cannot open the pack");
    }
    rc = list_dir(fd, "", 0, l, err);
    (void)close(fd);
    return rc;
}

/* Write the sorted listing as manifest lines to `f`, hashing what is written. */
static int manifest_lines(const struct ev_listing *l, FILE *f, uint8_t hash[SHO_HASH_LEN],
                          struct sho_err *err)
{
    struct sho_sha256_ctx *h = sho_sha256_begin();
    char line[SHO_HASH_HEX + 4096];
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < l->count; i++) {
        char hex[SHO_HASH_HEX];
        int n;
        sho_hash_hex(l->hashes[i], hex);
        n = snprintf(line, sizeof(line), "%s  %s\n", hex, l->names[i]);
        if (n < 0 || (size_t)n >= sizeof(line) || fwrite(line, 1, (size_t)n, f) != (size_t)n) {
            rc = sho_err_set(err, SHO_EIO, EV_MANIFEST, -1, "cannot write the file");
        } else {
            sho_sha256_update(h, line, (size_t)n);
        }
    }
    sho_sha256_end(h, hash);
    return rc;
}

int ev_manifest_write(struct ev_pack *p, char sha[SHO_HASH_HEX], struct sho_err *err)
{
    struct ev_listing l;
    uint8_t hash[SHO_HASH_LEN];
    FILE *f = NULL;
    int rc;

    ev_listing_init(&l);
    rc = ev_dir_list(p->dir, &l, err);
    if (rc == 0 && l.has_manifest) {
        rc = sho_err_set(err, SHO_EIO, p->dir, -1, "'%s' exists already", EV_MANIFEST);
    }
    if (rc == 0) {
        ev_listing_sort(&l);
        f = ev_create(p, EV_MANIFEST, err);
        rc = f == NULL ? SHO_EIO : manifest_lines(&l, f, hash, err);
    }
    /* The manifest and the directory reach the disk; the other files are not flushed one by
     * one (a disk flush per event): a pack cut short by a crash fails verify, it is never
     * taken for whole, and the same command makes it again byte for byte. */
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0 || fsync(p->dirfd) != 0)) {
        rc = sho_err_set(err, SHO_EIO, EV_MANIFEST, -1, "cannot write the file");
    }
    if (f != NULL) {
        int crc = ev_close(f, EV_MANIFEST, err);
        rc = rc != 0 ? rc : crc;
    }
    if (rc == 0) {
        sho_hash_hex(hash, sha);
    }
    ev_listing_release(&l);
    return rc;
}
