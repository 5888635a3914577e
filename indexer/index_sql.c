/*
 * index_sql: SQLite behind one adapter for the indexer: opening the index
 * file (created 0600 before SQLite touches it, WAL so readers never wait),
 * the writer's prepared statements, the SQL functions searches use, and the
 * translation of SQLite's errors. All SQL is fixed text; user input only
 * ever arrives as bound parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "index_priv.h"

static const char *const stmt_sql[S_COUNT] = {
    [S_META_GET] = "SELECT v FROM meta WHERE k = ?1",
    [S_META_SET] = "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)",
    [S_HOST_GET] = "SELECT id FROM hosts WHERE name = ?1",
    [S_HOST_ADD] = "INSERT INTO hosts(name) VALUES (?1)",
    [S_PERSON_GET] = "SELECT id FROM persons WHERE pkey = ?1",
    [S_PERSON_ADD] = "INSERT INTO persons(pkey, sid) VALUES (?1, ?2)",
    [S_PNAME_PUT] = ("INSERT INTO person_names(person, domain, name, first_time, last_time)"
                     " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(person, domain, name) DO UPDATE"
                     " SET first_time = min(first_time, excluded.first_time),"
                     " last_time = max(last_time, excluded.last_time)"),
    [S_PNAME_FIND] = ("SELECT min(person) FROM person_names WHERE name = ?2 COLLATE NOCASE"
                      " AND domain = ?1 COLLATE NOCASE HAVING count(DISTINCT person) = 1"),
    [S_FILE_FIND] = "SELECT id, path FROM files WHERE nhash = ?1",
    [S_FILE_ADD] = "INSERT INTO files(path, nhash) VALUES (?1, ?2)",
    [S_CTX_GET] = ("SELECT id FROM ctx WHERE khash = ?10 AND host = ?1 AND channel = ?2"
                   " AND event_id = ?3 AND actions = ?4 AND outcome = ?5 AND object_type = ?6"
                   " AND process = ?7 AND client_ip = ?8 AND share = ?9"),
    [S_CTX_ADD] = ("INSERT INTO ctx(host, channel, event_id, actions, outcome, object_type,"
                   " process, client_ip, share, khash)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
    [S_BLK_ADD] = "INSERT INTO eblk(id, data) VALUES (?1, ?2)",
    [S_BLK_GET] = "SELECT data FROM eblk WHERE id = ?1",
    [S_BLK_DEL] = "DELETE FROM eblk WHERE id >= ?1 AND id < ?2",
    [S_POST_ADD] = "INSERT INTO post(id, data) VALUES (?1, ?2)",
    [S_POST_DEL] = "DELETE FROM post WHERE id >= ?1 AND id < ?2",
    [S_RUN_ADD] = ("INSERT INTO runs(id, blk_first, nblk, events, tmin, tmax, bstart)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    [S_RUN_LAST] = "SELECT id, blk_first, nblk, events FROM runs ORDER BY id DESC LIMIT 1",
    [S_RUN_DEL] = "DELETE FROM runs WHERE id = ?1",
    [S_FRAME_ADD] = "INSERT OR REPLACE INTO frames(seq, segment, offset) VALUES (?1, ?2, ?3)",
    [S_SESS_AT] = ("SELECT id FROM sessions WHERE host = ?1 AND logon_id = ?2 AND"
                   " logon_time <= ?3 ORDER BY logon_time DESC LIMIT 1"),
    [S_SESS_NULL] = ("SELECT id FROM sessions WHERE host = ?1 AND logon_id = ?2 AND"
                     " logon_time IS NULL LIMIT 1"),
    [S_SESS_ADD] =
        ("INSERT INTO sessions(host, logon_id, person, logon_time, logon_type, client_ip)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
    [S_SESS_LOGON] = ("UPDATE sessions SET logon_time = ?2, logon_type = ?3, client_ip = ?4,"
                      " person = coalesce(?5, person) WHERE id = ?1"),
    [S_SESS_LOGOFF] = ("UPDATE sessions SET logoff_time = ?2 WHERE id = ?1 AND"
                       " (logoff_time IS NULL OR logoff_time < ?2)"),
};

int ix_sql_fail(struct sho_index *ix, const char *what, struct sho_err *err)
{
    int code = ix->db != NULL ? sqlite3_errcode(ix->db) : SQLITE_ERROR;
    int rc =
        code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN ? SHO_EIO : SHO_ESQL;
    int sys = ix->db != NULL ? sqlite3_system_errno(ix->db) : 0; /* e.g. a full disk */
    char etext[128];

    return sho_err_set(err, rc, ix->path, -1, "%s: %s%s%s", what,
                       ix->db != NULL ? sqlite3_errmsg(ix->db) : "cannot open",
                       sys != 0 ? ": " : "",
                       sys != 0 ? sho_errno_text(sys, etext, sizeof(etext)) : "");
}

int ix_sql_exec(struct sho_index *ix, const char *sql, struct sho_err *err)
{
    if (sqlite3_exec(ix->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return ix_sql_fail(ix, "index", err);
    }
    return 0;
}

/* shoseki_norm(path): the normalized form of a path (sho_index_path_norm). */
static void sql_norm(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    const unsigned char *path = sqlite3_value_text(argv[0]);
    char small[512];
    char *out = small;
    size_t n;

    (void)argc;
    if (path == NULL) {
        sqlite3_result_null(sc);
        return;
    }
    n = sho_index_path_norm((const char *)path, small, sizeof(small));
    if (n >= sizeof(small)) {
        out = sho_xmalloc(n + 1);
        (void)sho_index_path_norm((const char *)path, out, n + 1);
    }
    sqlite3_result_text(sc, out, (int)n, SQLITE_TRANSIENT);
    if (out != small) {
        free(out);
    }
}

/* shoseki_bitor(x): the bitwise OR of a column (every action seen). */
static void sql_bitor_step(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    sqlite3_int64 *acc = sqlite3_aggregate_context(sc, (int)sizeof(*acc));

    (void)argc;
    if (acc != NULL) {
        *acc |= sqlite3_value_int64(argv[0]);
    }
}

static void sql_bitor_final(sqlite3_context *sc)
{
    sqlite3_int64 *acc = sqlite3_aggregate_context(sc, 0);

    sqlite3_result_int64(sc, acc != NULL ? *acc : 0);
}

int ix_sql_functions(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

    if (sqlite3_create_function_v2(db, "shoseki_norm", 1, flags, NULL, sql_norm, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "shoseki_bitor", 1, flags, NULL, NULL, sql_bitor_step,
                                   sql_bitor_final, NULL) != SQLITE_OK) {
        return SHO_ESQL;
    }
    return ix_regex_register(db);
}

/*
 * A WAL database cannot be read where its -shm file cannot be created, as on
 * a read-only file system (a write-protected copy handed to an auditor).
 * There nothing can change the file, which is what SQLite's immutable=1 asks
 * for: open it by URI with that flag. Returns the URI to open (caller frees),
 * or NULL when the file system is writable.
 */
char *ix_sql_readonly_uri(const char *path)
{
    struct statvfs sv;
    struct sho_buf b;
    const char *p;
    int rc;

    if (statvfs(path, &sv) != 0 || (sv.f_flag & ST_RDONLY) == 0) {
        return NULL;
    }
    sho_buf_init(&b, 4 * strlen(path) + 64);
    rc = sho_buf_appends(&b, "file:");
    for (p = path; rc == 0 && *p != '\0'; p++) {
        char hex[4];
        if (*p == '%' || *p == '?' || *p == '#') {
            (void)snprintf(hex, sizeof(hex), "%%%02X", (unsigned)(unsigned char)*p);
            rc = sho_buf_append(&b, hex, 3);
        } else {
            rc = sho_buf_putc(&b, *p);
        }
    }
    if (rc == 0) {
        rc = sho_buf_appends(&b, "?immutable=1");
    }
    if (rc != 0) {
        sho_buf_release(&b);
        return NULL; /* cannot happen: the buffer may hold four times the path */
    }
    return b.data;
}

int ix_sql_open(struct sho_index *ix, bool create, struct sho_err *err)
{
    char etext[128];
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    char *uri = NULL;
    int rc;

    if (create) {
        /* Create the file 0600 ourselves: SQLite would honour the umask, and
         * it gives the -wal and -shm files the database file's mode. */
        int fd = open(ix->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || fchmod(fd, 0600) != 0) {
            int e = errno;
            if (fd >= 0) {
                (void)close(fd);
            }
            return sho_err_set(err, SHO_EIO, ix->path, -1, "cannot create the index: %s",
                               sho_errno_text(e, etext, sizeof(etext)));
        }
        (void)close(fd);
    } else if (access(ix->path, F_OK) != 0) {
        return sho_err_set(err, SHO_EINVAL, ix->path, -1, "no index yet (run 'shoseki index')");
    }
    if (!create) {
        uri = ix_sql_readonly_uri(ix->path);
    }
    rc = sqlite3_open_v2(uri != NULL ? uri : ix->path, &ix->db,
                         flags | SQLITE_OPEN_NOMUTEX | (uri != NULL ? SQLITE_OPEN_URI : 0), NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        return ix_sql_fail(ix, "cannot open the index", err);
    }
    (void)sqlite3_busy_timeout(ix->db, 10000);
    if (ix_sql_functions(ix->db) != 0) {
        return ix_sql_fail(ix, "cannot register functions", err);
    }
    if (create) {
        return ix_sql_exec(ix,
                           "PRAGMA journal_mode = WAL;"
                           "PRAGMA synchronous = NORMAL;"
                           "PRAGMA temp_store = FILE;",
                           err);
    }
    return 0;
}

int ix_sql_prepare(struct sho_index *ix, struct sho_err *err)
{
    size_t i;

    for (i = 0; i < S_COUNT; i++) {
        if (sqlite3_prepare_v3(ix->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &ix->stmt[i],
                               NULL) != SQLITE_OK) {
            return ix_sql_fail(ix, "cannot prepare a statement", err);
        }
    }
    return 0;
}
