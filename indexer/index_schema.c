/*
 * index_schema: the tables of DATA/index.sqlite and the small meta table
 * that records which archive frame the index reflects. The schema and which
 * search uses which index are explained in docs/decisions.md ("The index").
 *
 *   runs         one per batch of events the writer committed (index_runs.c):
 *                its blocks, event count, time range and each block's first time
 *   eblk         blocks of up to 1024 events of one run in (time, reference)
 *                order, bit-packed columns (index_block.c): time, file, person,
 *                ctx, ref (frame << 16 | i), sess (logon session)
 *   post         postings lists (index_post.c): per run, the event numbers of
 *                each file (kind 0) and person (kind 1), a row per id bucket,
 *                keyed run << 30 | kind << 29 | bucket (ix_post_key)
 *   files        each path as logged, with the hash of its normalized form
 *   (the FTS5 trigram index of normalized paths is in DATA/index-fts.sqlite: index_fts.c)
 *   persons      one per SID (or per DOMAIN\name when no SID is logged)
 *   person_names every name and domain seen for a person, first and last time
 *   ctx          the distinct (host, event id, actions, outcome, process,
 *                client address, ...) combinations events share, found by the
 *                hash of all of them (khash)
 *   sessions     logon sessions: host and logon id, who, logon and logoff time,
 *                logon type and address; an event's sess column names its session
 *   hosts, frames (EVENTS frames: where they are, for fetching originals)
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "index_priv.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS hosts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS persons(id INTEGER PRIMARY KEY, pkey TEXT NOT NULL UNIQUE,"
    " sid TEXT);"
    "CREATE TABLE IF NOT EXISTS person_names(id INTEGER PRIMARY KEY, person INTEGER NOT NULL,"
    " domain TEXT NOT NULL, name TEXT NOT NULL, first_time INTEGER NOT NULL,"
    " last_time INTEGER NOT NULL, UNIQUE(person, domain, name));"
    "CREATE TABLE IF NOT EXISTS files(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
    " nhash INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS ctx(id INTEGER PRIMARY KEY, khash INTEGER NOT NULL,"
    " host INTEGER NOT NULL, channel TEXT NOT NULL, event_id INTEGER NOT NULL,"
    " actions INTEGER NOT NULL, outcome INTEGER NOT NULL, object_type TEXT NOT NULL,"
    " process TEXT NOT NULL, client_ip TEXT NOT NULL, share TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS frames(seq INTEGER PRIMARY KEY, segment INTEGER NOT NULL,"
    " offset INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sessions(id INTEGER PRIMARY KEY, host INTEGER NOT NULL,"
    " logon_id INTEGER NOT NULL, person INTEGER, logon_time INTEGER, logoff_time INTEGER,"
    " logon_type INTEGER, client_ip TEXT);"
    "CREATE INDEX IF NOT EXISTS sessions_key ON sessions(host, logon_id, logon_time);"
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, blk_first INTEGER NOT NULL,"
    " nblk INTEGER NOT NULL, events INTEGER NOT NULL, tmin INTEGER NOT NULL,"
    " tmax INTEGER NOT NULL, bstart BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS eblk(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS post(id INTEGER PRIMARY KEY, data BLOB NOT NULL);";

/* The secondary indexes: a bulk load builds them once at the end. */
static const char indexes_sql[] =
    "CREATE INDEX IF NOT EXISTS person_names_name ON person_names(name COLLATE NOCASE);"
    "CREATE INDEX IF NOT EXISTS files_nhash ON files(nhash);"
    "CREATE INDEX IF NOT EXISTS ctx_khash ON ctx(khash);";

/* The index's generation: random when it is created, so that a trigram index file made for
 * another index is known (index_fts.c). */
static int schema_gen(struct sho_index *ix, struct sho_err *err)
{
    int64_t gen = 0;
    uint64_t r = 0;
    int rc = ix_meta_get(ix, "gen", &gen, err);
    int fd;

    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
        r = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
    }
    if (fd >= 0) {
        (void)close(fd);
    }
    return ix_meta_set(ix, "gen", (int64_t)(r >> 2), err);
}

int ix_schema_create(struct sho_index *ix, struct sho_err *err)
{
    int64_t version = 0;
    int rc;

    rc = ix_sql_exec(ix, schema_sql, err);
    if (rc == 0) {
        rc = ix_sql_prepare(ix, err);
    }
    if (rc == 0) {
        int64_t pending = 0;
        rc = ix_meta_get(ix, "indexes_pending", &pending, err);
        rc = rc < 0 ? rc : pending != 0 ? 0 : ix_schema_create_indexes(ix, err);
    }
    if (rc == 0) {
        rc = schema_gen(ix, err);
    }
    if (rc == 0) {
        rc = ix_meta_get(ix, "schema", &version, err);
    }
    if (rc == 0) {
        rc = ix_meta_set(ix, "schema", IX_SCHEMA_VERSION, err);
    } else if (rc == 1 && version != IX_SCHEMA_VERSION) {
        return sho_err_set(err, SHO_EINVAL, ix->path, -1,
                           "index schema %lld, this shoseki writes %d (run 'shoseki index "
                           "--rebuild')",
                           (long long)version, IX_SCHEMA_VERSION);
    }
    return rc < 0 ? rc : 0;
}

int ix_schema_drop_indexes(struct sho_index *ix, struct sho_err *err)
{
    return ix_sql_exec(ix,
                       "DROP INDEX IF EXISTS files_nhash; DROP INDEX IF EXISTS ctx_khash;"
                       "DROP INDEX IF EXISTS person_names_name;",
                       err);
}

int ix_schema_create_indexes(struct sho_index *ix, struct sho_err *err)
{
    return ix_sql_exec(ix, indexes_sql, err);
}

int ix_meta_get(struct sho_index *ix, const char *key, int64_t *value, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_META_GET];
    int rc;

    (void)sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64(st, 0);
    }
    (void)sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return ix_sql_fail(ix, "cannot read the index", err);
    }
    return rc == SQLITE_ROW ? 1 : 0;
}

int ix_meta_get_blob(struct sho_index *ix, const char *key, uint8_t *out, size_t len,
                     struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_META_GET];
    int rc, found = 0;

    (void)sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == (int)len) {
        memcpy(out, sqlite3_column_blob(st, 0), len);
        found = 1;
    }
    (void)sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return ix_sql_fail(ix, "cannot read the index", err);
    }
    return found;
}

static int meta_set_done(struct sho_index *ix, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_META_SET];
    int rc = sqlite3_step(st);

    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ix_sql_fail(ix, "cannot write the index", err);
}

int ix_meta_set(struct sho_index *ix, const char *key, int64_t value, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_META_SET];

    (void)sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 2, value);
    return meta_set_done(ix, err);
}

int ix_meta_set_blob(struct sho_index *ix, const char *key, const uint8_t *data, size_t len,
                     struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_META_SET];

    (void)sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    (void)sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
    return meta_set_done(ix, err);
}
