/*
 * index: opening and closing the index of a data directory. A writer holds
 * DATA/index.lock (flock) for as long as it is open, so two indexers never
 * interleave batches; readers take no lock at all (WAL gives each search a
 * consistent snapshot while a writer commits).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index_priv.h"

static char *index_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = sho_xmalloc(n);

    (void)snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Remove `path` and its WAL side files. Returns 0, or errno when `path` itself stays. */
static int remove_with_sides(const char *path)
{
    static const char *const suffix[] = { "-wal", "-shm" };
    char side[4200];
    size_t i;
    int e = unlink(path) != 0 && errno != ENOENT ? errno : 0;

    for (i = 0; i < SHO_ARRAY_COUNT(suffix); i++) {
        (void)snprintf(side, sizeof(side), "%s%s", path, suffix[i]);
        (void)unlink(side);
    }
    return e;
}

int ix_files_remove(const char *path, struct sho_err *err)
{
    char *fts = ix_fts_path(path);
    char etext[128];
    int e = remove_with_sides(path);

    (void)remove_with_sides(fts);
    free(fts);
    return e == 0 ? 0
                  : sho_err_set(err, SHO_EIO, path, -1, "cannot remove the index: %s",
                                sho_errno_text(e, etext, sizeof(etext)));
}

/* Does the open index hold a schema other than this shoseki's? */
static bool index_outdated(struct sho_index *ix)
{
    sqlite3_stmt *st = NULL;
    bool old = false;

    if (sqlite3_prepare_v2(ix->db, "SELECT v FROM meta WHERE k = 'schema'", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        old = sqlite3_column_int64(st, 0) != IX_SCHEMA_VERSION;
    }
    (void)sqlite3_finalize(st);
    return old;
}

static int index_lock(struct sho_index *ix, unsigned flags, struct sho_err *err)
{
    char etext[128];
    char *path = index_join(ix->dir, "index.lock");
    int rc = 0;

    ix->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (ix->lock_fd < 0) {
        rc = sho_err_set(err, SHO_EIO, path, -1, "cannot open the index lock: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
    } else if (flock(ix->lock_fd, LOCK_EX | ((flags & SHO_INDEX_WAIT) ? 0 : LOCK_NB)) != 0) {
        rc = errno == EWOULDBLOCK ? sho_err_set(err, SHO_ELIMIT, path, -1,
                                                "another 'shoseki index' is updating this index")
                                  : sho_err_set(err, SHO_EIO, path, -1, "cannot lock the index: %s",
                                                sho_errno_text(errno, etext, sizeof(etext)));
    }
    free(path);
    return rc;
}

int sho_index_open(const char *dir, unsigned flags, struct sho_index **out, struct sho_err *err)
{
    struct sho_index *ix = sho_xcalloc(1, sizeof(*ix));
    bool write = (flags & SHO_INDEX_WRITE) != 0;
    int rc = 0;

    *out = NULL;
    ix->dir = sho_xstrdup(dir);
    ix->path = index_join(dir, "index.sqlite");
    ix->lock_fd = -1;
    ix->writable = write;
    if (write) {
        rc = index_lock(ix, flags, err);
        if (rc == 0 && (flags & SHO_INDEX_REBUILD) != 0) {
            rc = ix_files_remove(ix->path, err); /* derived: rebuilt from the archive */
        }
    }
    if (rc == 0) {
        rc = ix_sql_open(ix, write, err);
    }
    if (rc == 0 && write && index_outdated(ix)) {
        /* Written by another version of shoseki: derived, so built again from the archive. */
        sho_log(SHO_LOG_WARN, "'%s' has an older layout: rebuilding it from the archive", ix->path);
        (void)sqlite3_close(ix->db);
        ix->db = NULL;
        rc = ix_files_remove(ix->path, err);
        if (rc == 0) {
            rc = ix_sql_open(ix, write, err);
        }
    }
    if (rc == 0 && write) {
        rc = ix_schema_create(ix, err);
    } else if (rc == 0) {
        rc = ix_sql_prepare(ix, err);
        if (rc != 0) {
            /* The file exists but holds no schema yet: a first index is being created. */
            rc = sho_err_set(err, SHO_EINVAL, ix->path, -1, "no index yet (run 'shoseki index')");
        } else if (index_outdated(ix)) {
            rc = sho_err_set(err, SHO_EINVAL, ix->path, -1,
                             "the index has an older layout (run 'shoseki index' to rebuild it)");
        } else {
            ix_fts_attach(ix);
        }
    }
    if (rc != 0) {
        sho_index_close(ix);
        return rc;
    }
    *out = ix;
    return 0;
}

void sho_index_close(struct sho_index *ix)
{
    size_t i;

    if (ix == NULL) {
        return;
    }
    for (i = 0; i < S_COUNT; i++) {
        (void)sqlite3_finalize(ix->stmt[i]);
    }
    (void)sqlite3_close(ix->db);
    ix_map_release(&ix->hosts);
    ix_map_release(&ix->persons);
    ix_map_release(&ix->names);
    ix_map_release(&ix->files);
    ix_map_release(&ix->ctxs);
    ix_map_release(&ix->sessions);
    free(ix->scratch[0]);
    free(ix->scratch[1]);
    free(ix->scratch_evno);
    if (ix->lock_fd >= 0) {
        (void)close(ix->lock_fd); /* releases the flock */
    }
    free(ix->path);
    free(ix->dir);
    free(ix);
}
