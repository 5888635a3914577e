/*
 * index_fts: the trigram index of paths (FTS5, for `who --like` and folder
 * searches) lives in a file of its own, DATA/index-fts.sqlite, written by a
 * thread of its own while the writer indexes events. Building it costs about
 * as much as everything else the first load of a large archive does; in a
 * separate file it has its own writer lock, so it runs on the other core.
 *
 * It is derived from the `files` table and nothing else: the thread reads
 * the files the writer has committed (ids only grow) and records, in the
 * same transaction as the trigrams, the highest id it has covered (`upto`).
 * A kill loses nothing: the next run goes on from `upto`. The file names the
 * generation of the index it belongs to (meta `gen` of index.sqlite, random
 * at creation), so an index made anew never reads trigrams of an old one.
 * Searches use the trigrams for files up to `upto` and scan the files above
 * it, so they are exact however far behind the thread is.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index_priv.h"

/* Files per transaction, and the most memory FTS5 may gather their trigrams in before it writes
 * a segment (its default, 1 MiB, writes one every few thousand paths, and merging those small
 * segments is most of the cost): 200 000 paths take about 20 MB, written as one segment. Half
 * the time of 20 000-path transactions with the default on a million paths. */
#define FTS_CHUNK      200000
#define FTS_HASH_BYTES ((int64_t)64 * 1024 * 1024)

struct ix_fts {
    pthread_t th;
    char *main_path, *path; /* owned */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;      /* the writer has finished (under mu) */
    bool stop;      /* stop at once: the index is being replaced (under mu) */
    uint64_t kicks; /* the writer's commits (under mu) */
    int rc;         /* the thread's result */
    struct sho_err err;
    sqlite3 *main, *db; /* the thread's connections */
    sqlite3_stmt *read, *add, *set;
};

char *ix_fts_path(const char *main_path)
{
    size_t n = strlen(main_path);
    char *p = sho_xmalloc(n + 8);

    /* DATA/index.sqlite -> DATA/index-fts.sqlite */
    (void)snprintf(p, n + 8, "%.*s-fts.sqlite", (int)(n > 7 ? n - 7 : n), main_path);
    return p;
}

static int fts_fail(struct ix_fts *f, sqlite3 *db, const char *what)
{
    return sho_err_set(&f->err, SHO_ESQL, f->path, -1, "%s: %s", what,
                       db != NULL ? sqlite3_errmsg(db) : "cannot open");
}

static int64_t meta_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    (void)sqlite3_finalize(st);
    return v;
}

/* Open both connections; start over when the file belongs to another generation. */
static int fts_open(struct ix_fts *f, int64_t *upto)
{
    int fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    int64_t gen, fgen;
    char sql[160];

    if (fd < 0 || fchmod(fd, 0600) != 0) {
        char etext[128];
        int e = errno;
        if (fd >= 0) {
            (void)close(fd);
        }
        return sho_err_set(&f->err, SHO_EIO, f->path, -1, "cannot create the index: %s",
                           sho_errno_text(e, etext, sizeof(etext)));
    }
    (void)close(fd);
    if (sqlite3_open_v2(f->main_path, &f->main, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_open_v2(f->path, &f->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
        return fts_fail(f, f->db != NULL ? f->db : f->main, "cannot open the index");
    }
    (void)sqlite3_busy_timeout(f->main, 10000);
    (void)sqlite3_busy_timeout(f->db, 10000);
    if (sqlite3_exec(f->db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
                     "CREATE VIRTUAL TABLE IF NOT EXISTS files_fts USING fts5(norm, content='',"
                     " detail=none, columnsize=0, tokenize='trigram');",
                     NULL, NULL, NULL) != SQLITE_OK) {
        return fts_fail(f, f->db, "cannot create the index");
    }
    /* FTS5 keeps its settings in the file: written once, not at every refresh */
    if (meta_int(f->db, "SELECT v FROM files_fts_config WHERE k = 'hashsize'") != FTS_HASH_BYTES) {
        (void)snprintf(sql, sizeof(sql),
                       "INSERT INTO files_fts(files_fts, rank) VALUES ('hashsize', %lld)",
                       (long long)FTS_HASH_BYTES);
        if (sqlite3_exec(f->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            return fts_fail(f, f->db, "cannot configure the index");
        }
    }
    gen = meta_int(f->main, "SELECT v FROM meta WHERE k = 'gen'");
    fgen = meta_int(f->db, "SELECT v FROM meta WHERE k = 'gen'");
    *upto = meta_int(f->db, "SELECT v FROM meta WHERE k = 'upto'");
    if (gen != fgen || *upto < 0) {
        (void)snprintf(sql, sizeof(sql),
                       "BEGIN; INSERT INTO files_fts(files_fts) VALUES('delete-all');"
                       "INSERT OR REPLACE INTO meta(k, v) VALUES ('gen', %lld), ('upto', 0);"
                       "COMMIT",
                       (long long)gen);
        if (sqlite3_exec(f->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            return fts_fail(f, f->db, "cannot reset the index");
        }
        *upto = 0;
    }
    if (sqlite3_prepare_v2(f->main, "SELECT id, path FROM files WHERE id > ?1 ORDER BY id LIMIT ?2",
                           -1, &f->read, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT INTO files_fts(rowid, norm) VALUES (?1, ?2)", -1, &f->add,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT OR REPLACE INTO meta(k, v) VALUES ('upto', ?1)", -1,
                           &f->set, NULL) != SQLITE_OK) {
        return fts_fail(f, f->db, "cannot prepare a statement");
    }
    return 0;
}

/* Index one chunk of committed files after `*upto`. Returns files done or a negative code. */
static int64_t fts_chunk(struct ix_fts *f, int64_t *upto)
{
    char small[1024];
    int64_t n = 0;
    int rc =
        sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? SQLITE_ROW : SQLITE_ERROR;

    (void)sqlite3_bind_int64(f->read, 1, *upto);
    (void)sqlite3_bind_int64(f->read, 2, FTS_CHUNK);
    while (rc == SQLITE_ROW && (rc = sqlite3_step(f->read)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(f->read, 1);
        char *norm = small;
        size_t len = sho_index_path_norm(path != NULL ? path : "", small, sizeof(small));
        if (len >= sizeof(small)) {
            norm = sho_xmalloc(len + 1);
            (void)sho_index_path_norm(path, norm, len + 1);
        }
        *upto = sqlite3_column_int64(f->read, 0);
        (void)sqlite3_bind_int64(f->add, 1, *upto);
        (void)sqlite3_bind_text(f->add, 2, norm, (int)len, SQLITE_STATIC);
        rc = sqlite3_step(f->add) == SQLITE_DONE ? SQLITE_ROW : SQLITE_ERROR;
        (void)sqlite3_reset(f->add);
        if (norm != small) {
            free(norm);
        }
        n++;
    }
    (void)sqlite3_reset(f->read);
    if (rc == SQLITE_DONE) {
        (void)sqlite3_bind_int64(f->set, 1, *upto);
        rc = sqlite3_step(f->set);
        (void)sqlite3_reset(f->set);
    }
    if (rc != SQLITE_DONE || sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int e = fts_fail(f, f->db, "cannot write the index");
        (void)sqlite3_exec(f->db, "ROLLBACK", NULL, NULL, NULL);
        return e;
    }
    return n;
}

static void *fts_main(void *arg)
{
    struct ix_fts *f = arg;
    int64_t upto = 0, n;
    int rc = fts_open(f, &upto);

    while (rc == 0) {
        bool done;
        uint64_t seen;
        (void)pthread_mutex_lock(&f->mu);
        done = f->done;
        seen = f->kicks;
        (void)pthread_mutex_unlock(&f->mu);
        do {
            n = fts_chunk(f, &upto);
            (void)pthread_mutex_lock(&f->mu);
            done = done || f->stop; /* stopping ends the loop below */
            n = f->stop ? 0 : n;
            (void)pthread_mutex_unlock(&f->mu);
        } while (n == FTS_CHUNK);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (done) {
            break; /* the writer had finished before this pass: it saw every file */
        }
        (void)pthread_mutex_lock(&f->mu);
        while (!f->done && f->kicks == seen) {
            (void)pthread_cond_wait(&f->cv, &f->mu);
        }
        (void)pthread_mutex_unlock(&f->mu);
    }
    (void)sqlite3_finalize(f->read);
    (void)sqlite3_finalize(f->add);
    (void)sqlite3_finalize(f->set);
    (void)sqlite3_close(f->main);
    (void)sqlite3_close(f->db);
    f->rc = rc;
    return NULL;
}

int ix_fts_start(const char *main_path, struct ix_fts **out, struct sho_err *err)
{
    struct ix_fts *f = sho_xcalloc(1, sizeof(*f));

    f->main_path = sho_xstrdup(main_path);
    f->path = ix_fts_path(main_path);
    sho_err_clear(&f->err);
    (void)pthread_mutex_init(&f->mu, NULL);
    (void)pthread_cond_init(&f->cv, NULL);
    if (pthread_create(&f->th, NULL, fts_main, f) != 0) {
        (void)pthread_mutex_destroy(&f->mu);
        (void)pthread_cond_destroy(&f->cv);
        free(f->main_path);
        free(f->path);
        free(f);
        *out = NULL;
        return sho_err_set(err, SHO_EIO, main_path, -1, "cannot start the path index thread");
    }
    *out = f;
    return 0;
}

void ix_fts_kick(struct ix_fts *f)
{
    if (f == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&f->mu);
    f->kicks++;
    (void)pthread_cond_signal(&f->cv);
    (void)pthread_mutex_unlock(&f->mu);
}

int ix_fts_finish(struct ix_fts *f, bool abandon, struct sho_err *err)
{
    int rc;

    if (f == NULL) {
        return 0;
    }
    (void)pthread_mutex_lock(&f->mu);
    f->done = true;
    f->stop = abandon;
    (void)pthread_cond_signal(&f->cv);
    (void)pthread_mutex_unlock(&f->mu);
    (void)pthread_join(f->th, NULL);
    rc = f->rc;
    if (rc != 0 && err != NULL && err->code == 0) {
        *err = f->err;
    }
    (void)pthread_mutex_destroy(&f->mu);
    (void)pthread_cond_destroy(&f->cv);
    free(f->main_path);
    free(f->path);
    free(f);
    return rc;
}

void ix_fts_attach(struct sho_index *ix)
{
    char *path = ix_fts_path(ix->path);
    char *uri = ix_sql_readonly_uri(path); /* as the index itself was opened there */
    sqlite3_stmt *st = NULL;

    ix->fts = false;
    if (access(path, R_OK) == 0 &&
        sqlite3_prepare_v2(ix->db, "ATTACH DATABASE ?1 AS fts", -1, &st, NULL) == SQLITE_OK) {
        (void)sqlite3_bind_text(st, 1, uri != NULL ? uri : path, -1, SQLITE_STATIC);
        ix->fts = sqlite3_step(st) == SQLITE_DONE;
    }
    (void)sqlite3_finalize(st);
    free(uri);
    free(path);
}

int64_t ix_fts_upto(struct sho_index *ix)
{
    int64_t gen, fgen, upto;

    if (!ix->fts) {
        return -1;
    }
    gen = meta_int(ix->db, "SELECT v FROM main.meta WHERE k = 'gen'");
    fgen = meta_int(ix->db, "SELECT v FROM fts.meta WHERE k = 'gen'");
    upto = meta_int(ix->db, "SELECT v FROM fts.meta WHERE k = 'upto'");
    return gen == fgen && gen != -1 ? upto : -1;
}
