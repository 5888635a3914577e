#ifndef SHOSEKI_INDEX_PRIV_H
#define SHOSEKI_INDEX_PRIV_H

/*
 * The indexer's insides: the schema's statements, the bounded id caches and
 * the event-id layout shared by the writer and the searches.
 *
 * Event ids: an event's rowid is its time, so the events table is stored in
 * time order and every index on it ends in time order for free. Time is cut
 * into groups of IX_GROUP_TICKS (1/512 s) counted from the Unix epoch; an
 * event gets id = group * IX_GROUP_SLOTS + k, k counting the events already
 * in that group, and `sub` = its exact time minus the group's start, so the
 * exact FILETIME is kept. A group that is full spills into the next one with
 * a larger `sub` (time stays exact; only order within the spill is approximate,
 * and searches sort each group by exact time before printing).
 */

#include <sqlite3.h>
#include <stdint.h>

#include "shoseki/indexer.h"

#define IX_GROUP_TICKS    19531 /* 100 ns ticks per group: 1/512 s */
#define IX_GROUP_SLOTS    128   /* events per group before spilling */
#define IX_SCHEMA_VERSION 2

/* Unix-epoch ticks of FILETIME `ft` (0, no time, maps before 1970). */
static inline int64_t ix_ticks(uint64_t ft)
{
    if (ft > (uint64_t)INT64_MAX) {
        ft = (uint64_t)INT64_MAX;
    }
    return (int64_t)ft - (int64_t)SHO_FILETIME_UNIX_EPOCH;
}

static inline int64_t ix_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The group of event id `id`, and the FILETIME of (`id`, `sub`). */
static inline int64_t ix_id_group(int64_t id)
{
    return ix_floor_div(id, IX_GROUP_SLOTS);
}

static inline uint64_t ix_id_time(int64_t id, int64_t sub)
{
    int64_t t = ix_id_group(id) * IX_GROUP_TICKS + sub;
    return (uint64_t)(t + (int64_t)SHO_FILETIME_UNIX_EPOCH);
}

/* The archive reference packed into one integer: frame << 16 | index. */
#define IX_REF_SHIFT 16

/* ---- SQLite adapter (index_sql.c) -------------------------------------------------- */

enum ix_stmt {
    S_META_GET,
    S_META_SET,
    S_HOST_GET,
    S_HOST_ADD,
    S_PERSON_GET,
    S_PERSON_ADD,
    S_PNAME_PUT,
    S_PNAME_FIND,
    S_FILE_FIND,
    S_FILE_ADD,
    S_FTS_ADD,
    S_CTX_GET,
    S_CTX_ADD,
    S_EVENT_ADD,
    S_GROUP_MAX,
    S_FRAME_ADD,
    S_SESS_AT,
    S_SESS_NULL,
    S_SESS_ADD,
    S_SESS_LOGON,
    S_SESS_LOGOFF,
    S_COUNT
};

/* A bounded map from byte strings to two integers (ids and a time). */
struct ix_map {
    struct ix_slot *slots; /* owned; hash 0 = empty */
    size_t cap;            /* slots, a power of two */
    size_t count;          /* used slots */
    char *arena;           /* owned key bytes */
    size_t arena_len, arena_cap;
    bool complete; /* holds every row of its table: a miss means new */
};

struct sho_index {
    sqlite3 *db;                 /* owned */
    sqlite3_stmt *stmt[S_COUNT]; /* owned; writers only */
    char *path;                  /* owned: DATA/index.sqlite, for messages */
    char *dir;                   /* owned: DATA */
    int lock_fd;                 /* writers: DATA/index.lock, flocked; else -1 */
    bool writable;
    struct ix_map hosts, persons, names, files, ctxs; /* writers: id caches */
    struct ix_map sessions;     /* writers: each logon id's latest logon (index_ids.c) */
    int64_t last_group, last_k; /* writer: the last id given */
};

/* Translate SQLite's error on `db` into err (path of the index, message). */
int ix_sql_fail(struct sho_index *ix, const char *what, struct sho_err *err);

/* Run `sql` (no results). Returns 0 or SHO_ESQL. */
SHO_NODISCARD int ix_sql_exec(struct sho_index *ix, const char *sql, struct sho_err *err);

/* Open `path` (creating it 0600 when `create`), WAL, the SQL functions registered. */
SHO_NODISCARD int ix_sql_open(struct sho_index *ix, bool create, struct sho_err *err);

/* Prepare the writer's statements. */
SHO_NODISCARD int ix_sql_prepare(struct sho_index *ix, struct sho_err *err);

/* Register shoseki_norm(path), shoseki_regexp(re, text) and shoseki_bitor(x) on `db`. */
SHO_NODISCARD int ix_sql_functions(sqlite3 *db);

/* ---- regular expressions (index_regex.c: the PCRE2 adapter) ------------------------ */

/* Compile `pattern` to check it. Returns 0 or SHO_EINVAL with the offset and reason. */
SHO_NODISCARD int ix_regex_check(const char *pattern, struct sho_err *err);

/* Register shoseki_regexp(pattern, text) on `db`. Returns 0 or SHO_ESQL. */
SHO_NODISCARD int ix_regex_register(sqlite3 *db);

/* ---- schema (index_schema.c) ------------------------------------------------------- */

/* Create the tables when missing; check the schema version. */
SHO_NODISCARD int ix_schema_create(struct sho_index *ix, struct sho_err *err);

/* Drop / create the secondary indexes on events (bulk loading builds them at the end). */
SHO_NODISCARD int ix_schema_drop_indexes(struct sho_index *ix, struct sho_err *err);
SHO_NODISCARD int ix_schema_create_indexes(struct sho_index *ix, struct sho_err *err);

/* meta table: integer and blob values. Return 1 found, 0 absent, negative on error. */
SHO_NODISCARD int ix_meta_get(struct sho_index *ix, const char *key, int64_t *value,
                              struct sho_err *err);
SHO_NODISCARD int ix_meta_get_blob(struct sho_index *ix, const char *key, uint8_t *out, size_t len,
                                   struct sho_err *err);
SHO_NODISCARD int ix_meta_set(struct sho_index *ix, const char *key, int64_t value,
                              struct sho_err *err);
SHO_NODISCARD int ix_meta_set_blob(struct sho_index *ix, const char *key, const uint8_t *data,
                                   size_t len, struct sho_err *err);

/* ---- id caches and lookups (index_ids.c) ------------------------------------------- */

void ix_map_init(struct ix_map *m, size_t bytes);
void ix_map_release(struct ix_map *m);

/* Ids of what an event names; 0 = none. Add rows that are new. */
SHO_NODISCARD int ix_host_id(struct sho_index *ix, const char *name, int64_t *id,
                             struct sho_err *err);
SHO_NODISCARD int ix_person_id(struct sho_index *ix, const struct sho_event *ev, int64_t *id,
                               struct sho_err *err);
SHO_NODISCARD int ix_file_id(struct sho_index *ix, const char *path, int64_t *id,
                             struct sho_err *err);
SHO_NODISCARD int ix_ctx_id(struct sho_index *ix, const struct sho_event *ev, int64_t *id,
                            struct sho_err *err);
/*
 * The logon session of `ev` (person `person`), 0 when it names none or a
 * system session (logon ids up to 0x3e7). A successful logon opens a session
 * (logon ids are reused after a restart, so a host's logon id can have many);
 * any other event belongs to the session of its logon id with the latest
 * logon at or before its time, else to one without a known logon, which the
 * logon adopts when it arrives later. A logoff records its time.
 */
SHO_NODISCARD int ix_session_id(struct sho_index *ix, const struct sho_event *ev, int64_t person,
                                int64_t *id, struct sho_err *err);

/* ---- paths (index_path.c) ---------------------------------------------------------- */

/* 64-bit hash of `len` bytes (stable: stored in the index). */
uint64_t ix_hash(const void *data, size_t len);

/*
 * Fold search text as paths are normalized (ASCII lower case, `/` to `\`),
 * without touching prefixes. Same contract as sho_index_path_norm.
 */
size_t ix_text_fold(const char *text, char *out, size_t out_len);

#endif /* SHOSEKI_INDEX_PRIV_H */
