/*
 * dedup: the writer's cache of what the archive already holds, in SQLite
 * (DATA/dedup.sqlite). SQLite keeps it on disk, so memory stays bounded
 * however large the archive grows, and makes each batch of additions atomic
 * with the head it reflects. The cache is committed only after the frames it
 * describes are on disk, so it can lag the archive (the writer catches up by
 * walking the newer frames) but never run ahead of it. All SQL is prepared;
 * SQLite's return codes are translated here and nowhere else.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "archive_priv.h"

void sho_archive_sqlite_setup(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE once SQLite runs */
}

enum {
    Q_HAS_BLOCK,
    Q_ADD_BLOCK,
    Q_ADD_EVENT,
    Q_HAS_SOURCE,
    Q_ADD_SOURCE,
    Q_HAS_SIZE,
    Q_ADD_SIZE,
    Q_ANY_EVENT,
    Q_ADD_EVENTS,
    Q_GET_HEAD,
    Q_GET_DICT,
    Q_SET_DICT,
    Q_SET_HEAD,
    Q_COUNT
};

static const char *const queries[Q_COUNT] = {
    [Q_HAS_BLOCK] = "SELECT 1 FROM blocks WHERE hash = ?1",
    [Q_ADD_BLOCK] = "INSERT OR IGNORE INTO blocks(hash) VALUES (?1)",
    [Q_ADD_EVENT] = "INSERT OR IGNORE INTO events(key) VALUES (?1)",
    [Q_HAS_SOURCE] = "SELECT 1 FROM sources WHERE sha = ?1",
    [Q_ADD_SOURCE] = "INSERT OR IGNORE INTO sources(sha) VALUES (?1)",
    [Q_HAS_SIZE] = "SELECT 1 FROM source_sizes WHERE size = ?1",
    [Q_ADD_SIZE] = "INSERT OR IGNORE INTO source_sizes(size) VALUES (?1)",
    [Q_ANY_EVENT] = "SELECT 1 FROM events WHERE key >= ?1 AND key <= ?2 LIMIT 1",
    [Q_ADD_EVENTS] = NULL, /* DEDUP_GROUP rows: built in arc_dedup_open */
    [Q_GET_HEAD] = "SELECT seq, hash, segment, end_offset FROM head WHERE id = 1",
    [Q_GET_DICT] = "SELECT seq, segment, offset, hash FROM dicts WHERE kind = ?1",
    [Q_SET_DICT] = ("INSERT OR REPLACE INTO dicts(kind, seq, segment, offset, hash)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)"),
    [Q_SET_HEAD] = ("INSERT OR REPLACE INTO head(id, seq, hash, segment, end_offset)"
                    " VALUES (1, ?1, ?2, ?3, ?4)"),
};

/*
 * An event's entry: 8 bytes naming its stream (SHA-256 of host, channel and
 * provider), its time big-endian, then the first 16 bytes of its key. A log's
 * events arrive in time order (EVTX, auditd, Samba, CSV exports alike; record
 * ids are not always numbers that grow), so their entries land side by side
 * in the B-tree and a batch dirties a few pages rather than one per event;
 * the key's 128 bits still decide what is a duplicate.
 */
#define DEDUP_EVENT_LEN (8 + 8 + 16)
#define DEDUP_VERSION   4 /* PRAGMA user_version; a cache of another layout is rebuilt */

/* Leave a cache of another layout behind: its head goes with it, so the writer rebuilds. */
static const char upgrade[] = "DROP TABLE IF EXISTS blocks; DROP TABLE IF EXISTS events;"
                              "DROP TABLE IF EXISTS sources; DROP TABLE IF EXISTS head;"
                              "DROP TABLE IF EXISTS dicts; DROP TABLE IF EXISTS source_sizes;"
                              "PRAGMA user_version = 4;";

static const char schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA cache_size = -32768;" /* KiB: the pages new entries go to stay in memory */
    "CREATE TABLE IF NOT EXISTS blocks(hash BLOB PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS events(key BLOB PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS sources(sha BLOB PRIMARY KEY) WITHOUT ROWID;"
    /* sizes of the sources: a file of another size cannot be collected already */
    "CREATE TABLE IF NOT EXISTS source_sizes(size INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS head(id INTEGER PRIMARY KEY, seq INTEGER, hash BLOB,"
    " segment INTEGER, end_offset INTEGER);"
    "CREATE TABLE IF NOT EXISTS dicts(kind INTEGER PRIMARY KEY, seq INTEGER, segment INTEGER,"
    " offset INTEGER, hash BLOB);";

struct arc_dedup {
    sqlite3 *db;                 /* owned */
    sqlite3_stmt *stmt[Q_COUNT]; /* owned, prepared once */
    char *path;                  /* owned, for messages */
    char *stream[3];             /* owned: host, channel, provider of the last event */
    bool stream_set;
    uint8_t stream_id[8]; /* and their stream's name in entries */
};

/*
 * New events are inserted DEDUP_GROUP rows per statement: SQLite's cost per
 * statement was half of the cache's time. A group is inserted that way only
 * when no entry of the cache lies between its smallest and largest entry, so
 * none of its events can be known already (one index probe per group); a
 * group that overlaps the cache (a re-run, an overlapping export) is keyed
 * row by row as before.
 */
#define DEDUP_GROUP      64
#define DEDUP_ADD_EVENTS "INSERT INTO events(key) VALUES (?)"

static void dedup_add_events_sql(char *out, size_t cap)
{
    size_t len = sizeof(DEDUP_ADD_EVENTS) - 1;
    int i;

    memcpy(out, DEDUP_ADD_EVENTS, len + 1);
    for (i = 1; i < DEDUP_GROUP && len + 4 < cap; i++) {
        memcpy(out + len, ",(?)", 5);
        len += 4;
    }
}

static int dedup_fail(struct arc_dedup *d, struct sho_err *err, const char *what)
{
    char etext[128];
    int sys = sqlite3_system_errno(d->db); /* "disk I/O error" alone hides a full disk */

    return sho_err_set(err, SHO_ESQL, d->path, -1, "dedup cache: %s: %s%s%s", what,
                       sqlite3_errmsg(d->db), sys != 0 ? ": " : "",
                       sys != 0 ? sho_errno_text(sys, etext, sizeof(etext)) : "");
}

static int dedup_version(struct arc_dedup *d)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(d->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int(st, 0);
    }
    (void)sqlite3_finalize(st);
    return v;
}

int arc_dedup_open(const char *path, struct arc_dedup **out, struct sho_err *err)
{
    struct arc_dedup *d = sho_xcalloc(1, sizeof(*d));
    size_t i;
    int rc;

    d->path = sho_xstrdup(path);
    /*
     * NOMUTEX: SQLite's own lock per call cost 5 % of storing; the writer
     * never uses the cache from two threads at once (its writer lock).
     */
    rc = sqlite3_open_v2(path, &d->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = sho_err_set(err, SHO_ESQL, path, -1, "cannot open dedup cache: %s",
                         d->db != NULL ? sqlite3_errmsg(d->db) : "out of memory");
        arc_dedup_close(d);
        return rc;
    }
    (void)chmod(path, 0600);
    (void)sqlite3_busy_timeout(d->db, 10000);
    if (dedup_version(d) != DEDUP_VERSION &&
        sqlite3_exec(d->db, upgrade, NULL, NULL, NULL) != SQLITE_OK) {
        rc = dedup_fail(d, err, "cannot replace a cache of an older layout");
        arc_dedup_close(d);
        return rc;
    }
    if (sqlite3_exec(d->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        rc = dedup_fail(d, err, "cannot create tables");
        arc_dedup_close(d);
        return rc;
    }
    for (i = 0; i < Q_COUNT; i++) {
        char multi[sizeof(DEDUP_ADD_EVENTS) + (size_t)DEDUP_GROUP * 4];
        const char *q = queries[i];
        if (i == Q_ADD_EVENTS) {
            dedup_add_events_sql(multi, sizeof(multi));
            q = multi;
        }
        if (sqlite3_prepare_v2(d->db, q, -1, &d->stmt[i], NULL) != SQLITE_OK) {
            rc = dedup_fail(d, err, "cannot prepare a statement");
            arc_dedup_close(d);
            return rc;
        }
    }
    *out = d;
    return 0;
}

void arc_dedup_close(struct arc_dedup *d)
{
    size_t i;

    if (d == NULL) {
        return;
    }
    for (i = 0; i < Q_COUNT; i++) {
        (void)sqlite3_finalize(d->stmt[i]);
    }
    (void)sqlite3_close(d->db);
    for (i = 0; i < 3; i++) {
        free(d->stream[i]);
    }
    free(d->path);
    free(d);
}

int arc_dedup_clear(struct arc_dedup *d, struct sho_err *err)
{
    if (sqlite3_exec(d->db,
                     "DELETE FROM blocks; DELETE FROM events; DELETE FROM sources;"
                     "DELETE FROM source_sizes; DELETE FROM head; DELETE FROM dicts;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        return dedup_fail(d, err, "cannot clear");
    }
    return 0;
}

int arc_dedup_begin(struct arc_dedup *d, struct sho_err *err)
{
    if (sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        return dedup_fail(d, err, "cannot begin");
    }
    return 0;
}

void arc_dedup_rollback(struct arc_dedup *d)
{
    (void)sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a statement taking one blob. Returns the sqlite3_step code. */
static int dedup_step_blob(struct arc_dedup *d, int q, const void *blob, int len)
{
    sqlite3_stmt *st = d->stmt[q];
    int rc;

    (void)sqlite3_reset(st);
    (void)sqlite3_bind_blob(st, 1, blob, len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    return rc;
}

static int dedup_has(struct arc_dedup *d, int q, const uint8_t *blob, int len, struct sho_err *err)
{
    int rc = dedup_step_blob(d, q, blob, len);

    if (rc == SQLITE_ROW) {
        return 1;
    }
    return rc == SQLITE_DONE ? 0 : dedup_fail(d, err, "lookup failed");
}

static int dedup_add(struct arc_dedup *d, int q, const uint8_t *blob, int len, struct sho_err *err)
{
    if (dedup_step_blob(d, q, blob, len) != SQLITE_DONE) {
        return dedup_fail(d, err, "insert failed");
    }
    return sqlite3_changes(d->db) > 0 ? 1 : 0;
}

int arc_dedup_has_block(struct arc_dedup *d, const uint8_t hash[SHO_HASH_LEN], struct sho_err *err)
{
    return dedup_has(d, Q_HAS_BLOCK, hash, SHO_HASH_LEN, err);
}

int arc_dedup_add_block(struct arc_dedup *d, const uint8_t hash[SHO_HASH_LEN], struct sho_err *err)
{
    int rc = dedup_add(d, Q_ADD_BLOCK, hash, SHO_HASH_LEN, err);
    return rc < 0 ? rc : 0;
}

static bool dedup_same(const char *a, const char *b)
{
    return a == NULL ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

/* The stream's 8 bytes, computed once per run of events of one stream. */
static void dedup_stream(struct arc_dedup *d, const struct sho_event *ev)
{
    const char *parts[3] = { ev->host, ev->channel, ev->provider };
    uint8_t full[SHO_HASH_LEN];
    struct sho_event only;
    size_t i;

    if (d->stream_set && dedup_same(d->stream[0], parts[0]) && dedup_same(d->stream[1], parts[1]) &&
        dedup_same(d->stream[2], parts[2])) {
        return;
    }
    for (i = 0; i < 3; i++) {
        free(d->stream[i]);
        d->stream[i] = parts[i] != NULL ? sho_xstrdup(parts[i]) : NULL;
    }
    /* the key of an event with only these three fields: length-prefixed, unambiguous */
    sho_event_clear(&only);
    only.host = ev->host;
    only.channel = ev->channel;
    only.provider = ev->provider;
    sho_event_key(&only, sho_sha256, full);
    memcpy(d->stream_id, full, sizeof(d->stream_id));
    d->stream_set = true;
}

/* An event's entry in the cache. */
static void dedup_entry(struct arc_dedup *d, const struct sho_event *ev,
                        uint8_t entry[DEDUP_EVENT_LEN])
{
    uint8_t key[SHO_HASH_LEN];
    uint64_t at;
    size_t i;

    dedup_stream(d, ev);
    sho_event_key(ev, sho_sha256, key);
    memcpy(entry, d->stream_id, 8);
    at = (ev->has & SHO_HAS_TIME) != 0 ? ev->time : 0;
    for (i = 0; i < 8; i++) { /* big-endian: entries sort in time order */
        entry[8 + i] = (uint8_t)(at >> (56 - 8 * i));
    }
    memcpy(entry + 16, key, 16);
}

int arc_dedup_add_event(struct arc_dedup *d, const struct sho_event *ev, struct sho_err *err)
{
    uint8_t entry[DEDUP_EVENT_LEN];

    dedup_entry(d, ev, entry);
    return dedup_add(d, Q_ADD_EVENT, entry, DEDUP_EVENT_LEN, err);
}

struct dedup_slot {
    uint8_t entry[DEDUP_EVENT_LEN];
    size_t index; /* the event's place in the batch */
};

static int dedup_slot_cmp(const void *x, const void *y)
{
    const struct dedup_slot *a = x, *b = y;
    int c = memcmp(a->entry, b->entry, DEDUP_EVENT_LEN);

    if (c != 0) {
        return c;
    }
    return a->index < b->index ? -1 : (a->index > b->index ? 1 : 0);
}

/* Does the cache hold an entry between lo and hi? 1, 0 or < 0. */
static int dedup_any_between(struct arc_dedup *d, const uint8_t *lo, const uint8_t *hi,
                             struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_ANY_EVENT];
    int rc;

    (void)sqlite3_reset(st);
    (void)sqlite3_bind_blob(st, 1, lo, DEDUP_EVENT_LEN, SQLITE_STATIC);
    (void)sqlite3_bind_blob(st, 2, hi, DEDUP_EVENT_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    return rc == SQLITE_DONE ? 0 : dedup_fail(d, err, "lookup failed");
}

/* Insert a full group of distinct entries known to be new, in one statement. */
static int dedup_insert_group(struct arc_dedup *d, const struct dedup_slot *g, struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_ADD_EVENTS];
    int i, rc;

    (void)sqlite3_reset(st);
    for (i = 0; i < DEDUP_GROUP; i++) {
        (void)sqlite3_bind_blob(st, i + 1, g[i].entry, DEDUP_EVENT_LEN, SQLITE_STATIC);
    }
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : dedup_fail(d, err, "insert failed");
}

/* Key one group (sorted): in-group repeats, then the cache. Returns its duplicates or < 0. */
static int dedup_group(struct arc_dedup *d, struct dedup_slot *g, size_t m, uint8_t *dup,
                       struct sho_err *err)
{
    size_t k, distinct = 0;
    int rc, dups = 0;

    for (k = 0; k < m; k++) {
        bool again = k > 0 && memcmp(g[k].entry, g[k - 1].entry, DEDUP_EVENT_LEN) == 0;
        dup[g[k].index] = again;
        if (!again) {
            g[distinct++] = g[k];
        }
    }
    dups = (int)(m - distinct);
    rc = distinct == DEDUP_GROUP ? dedup_any_between(d, g[0].entry, g[distinct - 1].entry, err) : 1;
    if (rc == 0) {
        rc = dedup_insert_group(d, g, err);
        return rc < 0 ? rc : dups;
    }
    for (k = 0; k < distinct && rc >= 0; k++) {
        rc = dedup_add(d, Q_ADD_EVENT, g[k].entry, DEDUP_EVENT_LEN, err);
        dup[g[k].index] = rc == 0;
        dups += rc == 0 ? 1 : 0;
    }
    return rc < 0 ? rc : dups;
}

int arc_dedup_add_events(struct arc_dedup *d, const struct sho_event_batch *b, uint8_t *dup,
                         struct sho_err *err)
{
    struct dedup_slot g[DEDUP_GROUP];
    size_t start, k, m, n = sho_event_batch_count(b);
    struct sho_event ev;
    int rc, dups = 0;

    for (start = 0; start < n; start += m) {
        m = n - start < DEDUP_GROUP ? n - start : DEDUP_GROUP;
        for (k = 0; k < m; k++) {
            sho_event_batch_get(b, start + k, &ev);
            dedup_entry(d, &ev, g[k].entry);
            g[k].index = start + k;
        }
        qsort(g, m, sizeof(g[0]), dedup_slot_cmp);
        rc = dedup_group(d, g, m, dup, err);
        if (rc < 0) {
            return rc;
        }
        dups += rc;
    }
    return dups;
}

int arc_dedup_has_source(struct arc_dedup *d, const uint8_t sha[SHO_HASH_LEN], struct sho_err *err)
{
    return dedup_has(d, Q_HAS_SOURCE, sha, SHO_HASH_LEN, err);
}

int arc_dedup_has_size(struct arc_dedup *d, uint64_t size, struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_HAS_SIZE];
    int rc;

    (void)sqlite3_reset(st);
    (void)sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    return rc == SQLITE_DONE ? 0 : dedup_fail(d, err, "lookup failed");
}

int arc_dedup_add_source(struct arc_dedup *d, const uint8_t sha[SHO_HASH_LEN], uint64_t size,
                         struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_ADD_SIZE];
    int rc = dedup_add(d, Q_ADD_SOURCE, sha, SHO_HASH_LEN, err);

    if (rc < 0) {
        return rc;
    }
    (void)sqlite3_reset(st);
    (void)sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : dedup_fail(d, err, "insert failed");
}

static int dedup_get_dicts(struct arc_dedup *d, struct arc_head *head, struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_GET_DICT];
    int k, rc;

    for (k = 0; k < ARC_DICT_KINDS; k++) {
        (void)sqlite3_reset(st);
        (void)sqlite3_bind_int(st, 1, k);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 3) == SHO_HASH_LEN) {
            head->has_dict[k] = true;
            head->dict[k].seq = (uint64_t)sqlite3_column_int64(st, 0);
            head->dict[k].segment = (uint32_t)sqlite3_column_int64(st, 1);
            head->dict[k].offset = sqlite3_column_int64(st, 2);
            memcpy(head->dict[k].hash, sqlite3_column_blob(st, 3), SHO_HASH_LEN);
        } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            (void)sqlite3_reset(st);
            return dedup_fail(d, err, "cannot read dictionaries");
        }
    }
    (void)sqlite3_reset(st);
    return 0;
}

static int dedup_set_dicts(struct arc_dedup *d, const struct arc_head *head, struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_SET_DICT];
    int k;

    for (k = 0; k < ARC_DICT_KINDS; k++) {
        if (!head->has_dict[k]) {
            continue;
        }
        (void)sqlite3_reset(st);
        (void)sqlite3_bind_int(st, 1, k);
        (void)sqlite3_bind_int64(st, 2, (sqlite3_int64)head->dict[k].seq);
        (void)sqlite3_bind_int64(st, 3, head->dict[k].segment);
        (void)sqlite3_bind_int64(st, 4, head->dict[k].offset);
        (void)sqlite3_bind_blob(st, 5, head->dict[k].hash, SHO_HASH_LEN, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            (void)sqlite3_reset(st);
            return dedup_fail(d, err, "cannot record dictionaries");
        }
    }
    (void)sqlite3_reset(st);
    return 0;
}

int arc_dedup_head(struct arc_dedup *d, struct arc_head *head, struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_GET_HEAD];
    int rc;

    memset(head, 0, sizeof(*head));
    (void)sqlite3_reset(st);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == SHO_HASH_LEN) {
        head->is_set = true;
        head->seq = (uint64_t)sqlite3_column_int64(st, 0);
        memcpy(head->hash, sqlite3_column_blob(st, 1), SHO_HASH_LEN);
        head->segment = (uint32_t)sqlite3_column_int64(st, 2);
        head->end = sqlite3_column_int64(st, 3);

    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        (void)sqlite3_reset(st);
        return dedup_fail(d, err, "cannot read head");
    }
    (void)sqlite3_reset(st);
    return dedup_get_dicts(d, head, err);
}

int arc_dedup_commit(struct arc_dedup *d, const struct arc_head *head, struct sho_err *err)
{
    sqlite3_stmt *st = d->stmt[Q_SET_HEAD];

    if (head != NULL && head->is_set) {
        (void)sqlite3_reset(st);
        (void)sqlite3_bind_int64(st, 1, (sqlite3_int64)head->seq);
        (void)sqlite3_bind_blob(st, 2, head->hash, SHO_HASH_LEN, SQLITE_STATIC);
        (void)sqlite3_bind_int64(st, 3, head->segment);
        (void)sqlite3_bind_int64(st, 4, head->end);

        if (sqlite3_step(st) != SQLITE_DONE) {
            (void)sqlite3_reset(st);
            return dedup_fail(d, err, "cannot record head");
        }
        (void)sqlite3_reset(st);
    }
    if (head != NULL && dedup_set_dicts(d, head, err) != 0) {
        return SHO_ESQL;
    }
    if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        return dedup_fail(d, err, "cannot commit");
    }
    return 0;
}
