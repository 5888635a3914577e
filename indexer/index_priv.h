#ifndef SHOSEKI_INDEX_PRIV_H
#define SHOSEKI_INDEX_PRIV_H

/*
 * The indexer's insides: the schema's statements, the bounded id caches, and
 * the event store shared by the writer and the searches.
 *
 * Events are kept in runs (docs/decisions.md, "The index"): each batch the
 * writer commits is one run, its events sorted by (time, archive reference)
 * and packed 1024 to a block (one `eblk` row, columns bit-packed so that any
 * event of a block is read without decoding the others). An event's number
 * is block << IX_BLK_SHIFT | position. Per run, postings lists name the
 * event numbers of each file and each person, grouped into one `post` row per
 * bucket of neighbouring ids, so a search by file or person reads a few rows
 * per run instead of one b-tree entry per event.
 */

#include <sqlite3.h>
#include <stdint.h>

#include "shoseki/indexer.h"

#define IX_SCHEMA_VERSION 3
#define IX_BLK_SHIFT      10   /* events per block: at most 1024 */
#define IX_BLK_BYTES      4000 /* a block at most: it fits whole in a 4 KiB page */
#define IX_BLK_EVENTS     ((size_t)1 << IX_BLK_SHIFT)
#define IX_FILE_SHIFT     8 /* files per postings bucket: 256 */
#define IX_PERSON_SHIFT   2 /* persons per postings bucket: 4 */

/* Unix-epoch ticks of FILETIME `ft` (0, no time, maps before 1970). */
static inline int64_t ix_ticks(uint64_t ft)
{
    if (ft > (uint64_t)INT64_MAX) {
        ft = (uint64_t)INT64_MAX;
    }
    return (int64_t)ft - (int64_t)SHO_FILETIME_UNIX_EPOCH;
}

/* The FILETIME of Unix-epoch ticks `t`. */
static inline uint64_t ix_filetime(int64_t t)
{
    return (uint64_t)(t + (int64_t)SHO_FILETIME_UNIX_EPOCH);
}

/* The archive reference packed into one integer: frame << 16 | index. */
#define IX_REF_SHIFT 16

/* One indexed event: what a block stores per event (0 = none for the ids). */
struct ix_row {
    int64_t t;      /* Unix-epoch ticks */
    int64_t file;   /* 0: none */
    int64_t person; /* 0: none */
    int64_t ctx;
    int64_t ref;  /* frame << 16 | index: unique, increasing in archive order */
    int64_t sess; /* 0: none */
};

enum ix_col { IX_COL_T, IX_COL_FILE, IX_COL_PERSON, IX_COL_CTX, IX_COL_REF, IX_COL_SESS, IX_COLS };

/* Postings kinds. */
enum ix_kind { IX_KIND_FILE = 0, IX_KIND_PERSON = 1 };

/*
 * The rowid of a postings row: run << 30 | kind << 29 | bucket. A rowid
 * table, not a WITHOUT ROWID one: its rows of a kilobyte or two stay whole in
 * their leaf page instead of spilling into half-empty overflow pages.
 */
#define IX_POST_BUCKETS ((int64_t)1 << 29)
static inline int64_t ix_post_key(int64_t run, enum ix_kind kind, int64_t bucket)
{
    return run << 30 | (int64_t)kind << 29 | bucket;
}

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
    S_CTX_GET,
    S_CTX_ADD,
    S_BLK_ADD,
    S_BLK_GET,
    S_BLK_DEL,
    S_POST_ADD,
    S_POST_DEL,
    S_RUN_ADD,
    S_RUN_LAST,
    S_RUN_DEL,
    S_FRAME_ADD,
    S_SESS_AT,
    S_SESS_NULL,
    S_SESS_ADD,
    S_SESS_LOGON,
    S_SESS_LOGOFF,
    S_COUNT
};

/* The memory the id caches share: each grows while the sum stays within `max`. */
struct ix_pool {
    size_t used, max; /* bytes */
};

/* A bounded map from byte strings to two integers (ids and a time). */
struct ix_map {
    struct ix_slot *slots; /* owned; hash 0 = empty */
    size_t cap;            /* slots, a power of two */
    size_t count;          /* used slots */
    char *arena;           /* owned key bytes: a reservation of arena_res bytes */
    size_t arena_len;      /* bytes used */
    size_t arena_cap;      /* bytes the budget lets it use */
    size_t arena_res;
    struct ix_pool *pool; /* the budget its slots and keys count against */
    bool complete;        /* holds every row of its table: a miss means new */
};

struct sho_index {
    sqlite3 *db;                 /* owned */
    sqlite3_stmt *stmt[S_COUNT]; /* owned; writers only */
    char *path;                  /* owned: DATA/index.sqlite, for messages */
    char *dir;                   /* owned: DATA */
    int lock_fd;                 /* writers: DATA/index.lock, flocked; else -1 */
    bool writable;
    bool fts; /* readers: DATA/index-fts.sqlite is attached as `fts` */
    struct ix_map hosts, persons, names, files, ctxs; /* writers: id caches */
    struct ix_map sessions;   /* writers: each logon id's latest logon (index_ids.c) */
    struct ix_pool pool;      /* writers: the id caches' shared memory budget */
    struct ix_kv *scratch[2]; /* writers: sort buffers kept from batch to batch (index_runs.c) */
    int64_t *scratch_evno;
    size_t scratch_cap; /* entries each holds */
};

/* Translate SQLite's error on `db` into err (path of the index, message). */
int ix_sql_fail(struct sho_index *ix, const char *what, struct sho_err *err);

/* Run `sql` (no results). Returns 0 or SHO_ESQL. */
SHO_NODISCARD int ix_sql_exec(struct sho_index *ix, const char *sql, struct sho_err *err);

/* Open `path` (creating it 0600 when `create`), WAL, the SQL functions registered. */
SHO_NODISCARD int ix_sql_open(struct sho_index *ix, bool create, struct sho_err *err);

/* On a read-only file system, the URI that opens `path` with immutable=1 (caller frees);
 * else NULL. */
char *ix_sql_readonly_uri(const char *path);

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

/* Memory for the id caches (index_mem.c): zeroed blocks, freed with their size; reserved
 * address space (`bytes` in: wanted, out: got) whose pages come as they are touched. */
void *ix_mem_zeroed(size_t bytes);
void ix_mem_free(void *p, size_t bytes);
void *ix_mem_reserve(size_t *bytes);
void ix_mem_unreserve(void *p, size_t bytes);

/* An empty map whose memory counts against `pool` (it starts small and grows). */
void ix_map_init(struct ix_map *m, struct ix_pool *pool);
void ix_map_release(struct ix_map *m);

/* Ids of what an event names; 0 = none. Add rows that are new. */
SHO_NODISCARD int ix_host_id(struct sho_index *ix, const char *name, int64_t *id,
                             struct sho_err *err);
SHO_NODISCARD int ix_person_id(struct sho_index *ix, const struct sho_event *ev, int64_t *id,
                               struct sho_err *err);
/*
 * What the writer computes of an event ahead of resolving it (ix_hint): the hashes of its
 * path and of its context's key, 0 when it has none, and the path's length.
 */
struct ix_hints {
    uint64_t file, ctx;
    size_t path_len;
};

/* The file and context ids; `hints` (or NULL) are the event's from ix_hint, which spare
 * hashing the path and the context again. */
SHO_NODISCARD int ix_file_id(struct sho_index *ix, const char *path, const struct ix_hints *hints,
                             int64_t *id, struct sho_err *err);
SHO_NODISCARD int ix_ctx_id(struct sho_index *ix, const struct sho_event *ev,
                            const struct ix_hints *hints, int64_t *id, struct sho_err *err);
/*
 * Prefetch hints for the writer, which looks ahead of the event it resolves:
 * ix_hint computes the hashes of an event's path and context into `h` and
 * starts loading their cache slots; ix_hint_keys, a few events later, starts
 * loading the key bytes those slots point to. Neither changes any result.
 */
void ix_hint(struct sho_index *ix, const struct sho_event *ev, struct ix_hints *h);
void ix_hint_keys(struct sho_index *ix, const struct ix_hints *h);

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

/* ---- the writer's per-frame memo (index_memo.c) ------------------------------------ */

#define IX_MEMO_WORDS 9 /* the longest key: an event's context */

/* Ids keyed by the addresses of one frame's strings (valid until ix_memo_next). */
struct ix_memo {
    struct ix_memo_slot *slots; /* owned */
    uint64_t gen;
};

void ix_memo_init(struct ix_memo *m);
void ix_memo_release(struct ix_memo *m);

/* A new frame: forget everything. */
static inline void ix_memo_next(struct ix_memo *m)
{
    m->gen++;
}

/* The id stored under key `k` (`n` words, at most IX_MEMO_WORDS) in this frame. */
bool ix_memo_find(struct ix_memo *m, const uintptr_t *k, size_t n, int64_t *id);
void ix_memo_put(struct ix_memo *m, const uintptr_t *k, size_t n, int64_t id);

/* ---- paths (index_path.c) ---------------------------------------------------------- */

/* 64-bit hash of `len` bytes (stable: stored in the index). */
uint64_t ix_hash(const void *data, size_t len);

/*
 * Fold search text as paths are normalized (ASCII lower case, `/` to `\`),
 * without touching prefixes. Same contract as sho_index_path_norm.
 */
size_t ix_text_fold(const char *text, char *out, size_t out_len);

/* ---- the event store (index_sort.c, index_block.c, index_post.c, index_runs.c) ----- */

struct ix_kv {
    uint64_t key;
    uint64_t val;
};

/* Sort `n` pairs by key, stably, using `tmp` (room for n). Returns `a` or `tmp`: the sorted. */
struct ix_kv *ix_sort_kv(struct ix_kv *a, struct ix_kv *tmp, size_t n);

/* A loaded block: a padded copy of its bytes and where each column is. */
struct ix_block {
    uint8_t *data; /* owned */
    size_t cap;
    size_t n; /* events; 0 when nothing is loaded */
    int64_t base[IX_COLS];
    uint8_t width[IX_COLS];
    size_t off[IX_COLS];
    int64_t id; /* the block's number, set by the caller */
};

/* How many of the `n` rows (at least one, at most IX_BLK_EVENTS) pack into `max_bytes`. */
size_t ix_block_fit(const struct ix_row *rows, size_t n, size_t max_bytes);

/* Append `n` rows (1..IX_BLK_EVENTS) packed as one block to `out`. */
SHO_NODISCARD int ix_block_pack(const struct ix_row *rows, size_t n, struct sho_buf *out);

/* Check and copy the block of `len` bytes at `data` into `b`. Returns 0 or SHO_ECORRUPT. */
SHO_NODISCARD int ix_block_load(struct ix_block *b, const void *data, size_t len);

/* Column `c` of event `i` (< b->n) of a loaded block; the whole event. */
int64_t ix_block_get(const struct ix_block *b, size_t i, enum ix_col c);
void ix_block_row(const struct ix_block *b, size_t i, struct ix_row *r);
void ix_block_release(struct ix_block *b);

/* A growing list of event numbers. */
struct ix_evnos {
    int64_t *v; /* owned */
    size_t n, cap;
};

void ix_evnos_push(struct ix_evnos *e, int64_t v);

/*
 * Write the postings of `kind` for run `run`: `p` holds (id, event number)
 * pairs sorted by id, numbers increasing within an id, all at or above
 * `evno_base`. One post row per bucket.
 */
SHO_NODISCARD int ix_post_write(struct sho_index *ix, enum ix_kind kind, int64_t run,
                                int64_t evno_base, const struct ix_kv *p, size_t n,
                                struct sho_err *err);

/*
 * Append to `out` the event numbers that the postings row `p` (`len` bytes,
 * of the bucket whose first id is `key0`, of the run whose first event number
 * is `evno_base`) holds for the ids in `keys` (sorted, `nkeys`). Returns 0 or
 * SHO_ECORRUPT.
 */
SHO_NODISCARD int ix_post_pick(const uint8_t *p, size_t len, int64_t key0, int64_t evno_base,
                               const int64_t *keys, size_t nkeys, struct ix_evnos *out);

/*
 * Store `n` rows (in archive order) as a new run: sorted by (time, reference),
 * packed into blocks, with their postings. A small last run is merged with
 * the new one first (while the two hold at most `cap` events together), so
 * runs stay few. Runs inside the caller's transaction.
 */
SHO_NODISCARD int ix_run_store(struct sho_index *ix, struct ix_row *rows, size_t n, size_t cap,
                               struct sho_err *err);

/* ---- reading the event store (index_scan.c) ---------------------------------------- */

/* A selection of files or persons by id, sorted, distinct. */
struct ix_sel {
    enum ix_kind kind;
    int64_t *ids; /* owned by whoever made it */
    size_t n;
};

struct ix_scan;

/*
 * Start reading the events of `sel` (NULL: every event) with time in
 * [since, until) (Unix-epoch ticks), inside the caller's read transaction.
 * `*out` is set even on failure (close it). Returns 0 or a negative code.
 */
SHO_NODISCARD int ix_scan_open(struct sho_index *ix, const struct ix_sel *sel, int64_t since,
                               int64_t until, struct ix_scan **out, struct sho_err *err);

/* The next event in (time, reference) order: returns 1, 0 at the end, or a negative code. */
SHO_NODISCARD int ix_scan_next(struct ix_scan *s, struct ix_row *r, struct sho_err *err);

void ix_scan_close(struct ix_scan *s);

/* ---- selections (index_select.c) --------------------------------------------------- */

/* The window of `q` in Unix-epoch ticks: [since, until), open ends as INT64_MIN/MAX. */
void ix_window(const struct sho_index_query *q, int64_t *since, int64_t *until);

/*
 * The files or persons `q` is about, after its hop, inside the caller's read
 * transaction; for SHO_SELECT_ALL an empty selection the caller does not use.
 * The caller frees sel->ids. Returns 0 or a negative code.
 */
SHO_NODISCARD int ix_select(struct sho_index *ix, const struct sho_index_query *q,
                            struct ix_sel *sel, struct sho_err *err);

/* qsort comparison of int64_t values. */
int ix_id_cmp(const void *a, const void *b);

/* ---- WAL checkpoints on their own thread while the writer loads (index_ckpt.c) ------ */

struct ix_ckpt;

/* Turn the writer's automatic checkpoints off and start the thread; NULL when it cannot be
 * (the writer then keeps SQLite's own). */
struct ix_ckpt *ix_ckpt_start(struct sho_index *ix);

/* After each COMMIT of the writer, before it begins the next transaction. */
void ix_ckpt_committed(struct ix_ckpt *c, struct sho_index *ix);

/* Stop the thread and turn the writer's automatic checkpoints back on. */
void ix_ckpt_finish(struct ix_ckpt *c, struct sho_index *ix);

/* ---- the trigram index of paths, in its own file (index_fts.c) ---------------------- */

struct ix_fts;

/* DATA/index-fts.sqlite for DATA/index.sqlite `main_path` (caller frees). */
char *ix_fts_path(const char *main_path);

/* Remove the index files of `path` (DATA/index.sqlite): it, the trigram index file and their
 * WAL side files (index.c). Returns 0, or SHO_EIO when `path` itself stays. */
SHO_NODISCARD int ix_files_remove(const char *path, struct sho_err *err);

/* Start the thread that keeps the trigram index up to the committed files. */
SHO_NODISCARD int ix_fts_start(const char *main_path, struct ix_fts **out, struct sho_err *err);

/* The writer committed a batch: there may be new files. */
void ix_fts_kick(struct ix_fts *f);

/* The writer is done: wait for the thread to cover every committed file (or, `abandon`, only
 * for it to stop). Returns its result. */
SHO_NODISCARD int ix_fts_finish(struct ix_fts *f, bool abandon, struct sho_err *err);

/* Readers: attach the trigram index as `fts` when it exists (ix->fts says). */
void ix_fts_attach(struct sho_index *ix);

/* Readers: the highest file id the attached trigram index covers, or -1 when it cannot be
 * used (none, or of another index). Files above it must be scanned. */
int64_t ix_fts_upto(struct sho_index *ix);

/* ---- the archive walk on its own thread (index_feed.c) ------------------------------ */

struct ix_feed;

/* Start walking archive `a` after `from` (frames of `mask`) on a thread of its own. */
SHO_NODISCARD int ix_feed_start(struct sho_archive *a, const struct sho_archive_pos *from,
                                unsigned mask, struct ix_feed **out, struct sho_err *err);

/* The next frame, in order: 1 (valid until ix_feed_done), 0 when the walk has ended. */
int ix_feed_next(struct ix_feed *f, const struct sho_frame_info **fi, const uint8_t **payload,
                 size_t *len);

/* The frame ix_feed_next gave is done with. */
void ix_feed_done(struct ix_feed *f);

/* Stop the walk and wait for it. Returns its result: 0, SHO_ARCHIVE_STALE, or a negative code
 * with `err` set (when not NULL). */
SHO_NODISCARD int ix_feed_stop(struct ix_feed *f, struct sho_err *err);

#endif /* SHOSEKI_INDEX_PRIV_H */
