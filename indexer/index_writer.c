/*
 * index_writer: archive -> index. Walks the archive from the frame after the
 * last one indexed, resolves each event's host, person, file and context to
 * ids, and inserts the events in batches, each batch one transaction that
 * also records the frame it ends at. A kill loses at most the batch in
 * flight, which the next run redoes from the recorded frame: nothing is
 * indexed twice and nothing is skipped.
 *
 * An empty index is filled in bulk: the two secondary indexes are dropped
 * first and built once at the end (sorting is far cheaper than millions of
 * random b-tree inserts, and gives full pages). Searches during a bulk load
 * see the batches committed so far, answered by slower scans.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index_priv.h"

#define IX_BATCH_DEFAULT ((uint64_t)262144)
#define IX_CACHE_DEFAULT ((uint64_t)512 * 1024 * 1024)

struct ix_row {
    int64_t t;      /* Unix-epoch ticks */
    int64_t file;   /* 0: none */
    int64_t person; /* 0: none */
    int64_t ctx;
    int64_t ref;    /* frame << 16 | index */
    int64_t sess;   /* 0: none */
    uint64_t order; /* arrival, to keep equal times in archive order */
};

struct upd {
    struct sho_index *ix;
    struct ix_row *rows;        /* owned */
    size_t count, cap;          /* rows held, rows per batch */
    size_t alloc;               /* rows allocated */
    struct sho_archive_pos pos; /* last frame seen */
    bool pos_dirty;             /* pos moved since the last commit */
    uint64_t order;
    struct sho_index_stats *stats;
    struct sho_err *err;
    bool bulk; /* a first load: the secondary indexes come at the end */
};

static int row_cmp(const void *a, const void *b)
{
    const struct ix_row *x = a, *y = b;

    if (x->t != y->t) {
        return x->t < y->t ? -1 : 1;
    }
    return x->order < y->order ? -1 : (x->order > y->order ? 1 : 0);
}

static void bind_id(sqlite3_stmt *st, int col, int64_t id)
{
    if (id != 0) {
        (void)sqlite3_bind_int64(st, col, id);
    } else {
        (void)sqlite3_bind_null(st, col);
    }
}

/* The highest id in group `g`, or -1 when the group is empty. */
static int group_top(struct sho_index *ix, int64_t g, int64_t *k, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_GROUP_MAX];
    int rc;

    (void)sqlite3_bind_int64(st, 1, g * IX_GROUP_SLOTS);
    (void)sqlite3_bind_int64(st, 2, g * IX_GROUP_SLOTS + IX_GROUP_SLOTS - 1);
    rc = sqlite3_step(st);
    *k = -1;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *k = sqlite3_column_int64(st, 0) - g * IX_GROUP_SLOTS;
    }
    (void)sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : ix_sql_fail(ix, "cannot read the index", err);
}

static int row_insert(struct sho_index *ix, const struct ix_row *r, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_EVENT_ADD];
    int64_t g = ix_floor_div(r->t, IX_GROUP_TICKS);
    int64_t k = g == ix->last_group ? ix->last_k + 1 : 0;
    int rc;

    for (;;) {
        if (k >= IX_GROUP_SLOTS) {
            g++; /* the group is full: spill into the next, time stays exact in sub */
            k = 0;
        }
        (void)sqlite3_bind_int64(st, 1, g * IX_GROUP_SLOTS + k);
        (void)sqlite3_bind_int64(st, 2, r->t - g * IX_GROUP_TICKS);
        bind_id(st, 3, r->file);
        bind_id(st, 4, r->person);
        (void)sqlite3_bind_int64(st, 5, r->ctx);
        (void)sqlite3_bind_int64(st, 6, r->ref);
        bind_id(st, 7, r->sess);
        rc = sqlite3_step(st);
        (void)sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            ix->last_group = g;
            ix->last_k = k;
            return 0;
        }
        if ((rc & 0xFF) != SQLITE_CONSTRAINT) {
            return ix_sql_fail(ix, "cannot write the index", err);
        }
        rc = group_top(ix, g, &k, err); /* taken: go past the group's last event */
        if (rc != 0) {
            return rc;
        }
        k++;
    }
}

static int upd_pos_save(struct upd *u)
{
    struct sho_index *ix = u->ix;
    int rc = 0;

    if (!u->pos.is_set) {
        return 0;
    }
    rc = ix_meta_set(ix, "pos_seq", (int64_t)u->pos.seq, u->err);
    if (rc == 0) {
        rc = ix_meta_set_blob(ix, "pos_hash", u->pos.hash, SHO_HASH_LEN, u->err);
    }
    if (rc == 0) {
        rc = ix_meta_set(ix, "pos_segment", u->pos.segment, u->err);
    }
    if (rc == 0) {
        rc = ix_meta_set(ix, "pos_end", u->pos.end, u->err);
    }
    return rc;
}

/* Insert the batch, record where it ends, commit, and begin the next. */
static int upd_flush(struct upd *u)
{
    struct sho_index *ix = u->ix;
    int64_t total = 0;
    size_t i;
    int rc = 0;

    qsort(u->rows, u->count, sizeof(*u->rows), row_cmp);
    for (i = 0; rc == 0 && i < u->count; i++) {
        rc = row_insert(ix, &u->rows[i], u->err);
    }
    if (rc == 0) {
        rc = ix_meta_get(ix, "events", &total, u->err);
    }
    if (rc >= 0) {
        total += (int64_t)u->count;
        rc = ix_meta_set(ix, "events", total, u->err);
    }
    if (rc == 0) {
        rc = upd_pos_save(u);
    }
    if (rc == 0) {
        rc = ix_sql_exec(ix, "COMMIT; BEGIN", u->err);
    }
    if (rc == 0) {
        u->stats->events += u->count;
        u->stats->total = (uint64_t)total;
        u->stats->batches++;
        u->count = 0;
        u->pos_dirty = false;
    }
    return rc;
}

static int upd_event(void *ctx, const struct sho_event *ev, uint32_t index,
                     const uint8_t source_sha[SHO_HASH_LEN])
{
    struct upd *u = ctx;
    struct sho_index *ix = u->ix;
    struct ix_row *r;
    int rc;

    (void)source_sha;
    if (u->bulk &&
        !(ix->files.complete && ix->ctxs.complete && ix->persons.complete && ix->hosts.complete)) {
        /* A cache had to forget rows: lookups need the indexes from here on. */
        rc = ix_schema_create_indexes(ix, u->err);
        if (rc == 0) {
            rc = ix_meta_set(ix, "indexes_pending", 0, u->err);
        }
        if (rc != 0) {
            return rc;
        }
        u->bulk = false;
    }
    if (u->count == u->alloc) {
        /* A batch ends between frames only (its end is a frame), so one frame
         * may take it past its nominal size: frames are bounded, so is this. */
        u->alloc *= 2;
        u->rows = sho_xrealloc(u->rows, u->alloc * sizeof(*u->rows));
    }
    r = &u->rows[u->count];
    r->t = ix_ticks((ev->has & SHO_HAS_TIME) != 0 ? ev->time : 0);
    r->ref = (int64_t)((u->pos.seq << IX_REF_SHIFT) | index);
    r->order = u->order++;
    rc = ix_person_id(ix, ev, &r->person, u->err);
    if (rc == 0) {
        rc = ix_file_id(ix, ev->path, &r->file, u->err);
    }
    if (rc == 0) {
        rc = ix_ctx_id(ix, ev, &r->ctx, u->err);
    }
    if (rc == 0) {
        rc = ix_session_id(ix, ev, r->person, &r->sess, u->err);
    }
    if (rc == 0) {
        u->count++;
    }
    return rc;
}

static int upd_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *payload, size_t len)
{
    struct upd *u = ctx;
    int rc = 0;

    u->pos.is_set = true;
    u->pos.seq = fi->seq;
    memcpy(u->pos.hash, fi->hash, SHO_HASH_LEN);
    u->pos.segment = fi->segment;
    u->pos.end = fi->end;
    u->pos_dirty = true;
    if (fi->type != SHO_FRAME_EVENTS) {
        return 0;
    }
    if (fi->seq >= ((uint64_t)1 << (63 - IX_REF_SHIFT))) {
        return sho_err_set(u->err, SHO_ELIMIT, NULL, -1, "frame %llu: beyond what the index holds",
                           (unsigned long long)fi->seq);
    }
    if (rc == 0) {
        sqlite3_stmt *st = u->ix->stmt[S_FRAME_ADD];
        (void)sqlite3_bind_int64(st, 1, (sqlite3_int64)fi->seq);
        (void)sqlite3_bind_int64(st, 2, fi->segment);
        (void)sqlite3_bind_int64(st, 3, fi->offset);
        rc = sqlite3_step(st);
        (void)sqlite3_reset(st);
        rc = rc == SQLITE_DONE ? 0 : ix_sql_fail(u->ix, "cannot write the index", u->err);
    }
    if (rc == 0) {
        rc = sho_archive_frame_events(fi, payload, len, upd_event, u);
        if (rc == SHO_ECORRUPT && u->err != NULL && u->err->code == 0) {
            rc = sho_err_set(u->err, SHO_ECORRUPT, NULL, -1, "frame %llu: events are corrupt",
                             (unsigned long long)fi->seq);
        }
    }
    if (rc == 0) {
        u->stats->frames++;
    }
    if (rc == 0 && u->count >= u->cap) {
        rc = upd_flush(u);
    }
    return rc;
}

/* Start over: remove the index files and create them anew. */
static int upd_recreate(struct sho_index *ix, struct sho_err *err)
{
    char side[4200];
    const char *suffix[] = { "-wal", "-shm" };
    size_t i;
    int s;

    for (i = 0; i < S_COUNT; i++) {
        (void)sqlite3_finalize(ix->stmt[i]);
        ix->stmt[i] = NULL;
    }
    (void)sqlite3_close(ix->db);
    ix->db = NULL;
    if (unlink(ix->path) != 0 && errno != ENOENT) {
        char etext[128];
        return sho_err_set(err, SHO_EIO, ix->path, -1, "cannot remove the index: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    for (s = 0; s < 2; s++) {
        (void)snprintf(side, sizeof(side), "%s%s", ix->path, suffix[s]);
        (void)unlink(side);
    }
    ix->last_group = INT64_MIN;
    ix_map_release(&ix->hosts);
    ix_map_release(&ix->persons);
    ix_map_release(&ix->names);
    ix_map_release(&ix->files);
    ix_map_release(&ix->ctxs);
    ix_map_release(&ix->sessions);
    if (ix_sql_open(ix, true, err) != 0 || ix_schema_create(ix, err) != 0) {
        return err != NULL && err->code != 0 ? err->code : SHO_ESQL;
    }
    return 0;
}

/* Three quarters of the cache setting for the id caches, the rest for SQLite's pages. */
static void upd_caches(struct sho_index *ix, uint64_t bytes)
{
    size_t maps = (size_t)(bytes / 4 * 3);

    if (ix->files.slots == NULL) {
        ix_map_init(&ix->files, maps / 10 * 6);
        ix_map_init(&ix->ctxs, maps / 10 * 2);
        ix_map_init(&ix->names, maps / 10);
        ix_map_init(&ix->persons, maps / 20);
        ix_map_init(&ix->hosts, 1 << 20);
        ix_map_init(&ix->sessions, maps / 20);
    }
}

static int upd_position(struct sho_index *ix, struct sho_archive_pos *pos, struct sho_err *err)
{
    int64_t v = 0;
    int rc;

    memset(pos, 0, sizeof(*pos));
    rc = ix_meta_get(ix, "pos_seq", &v, err);
    if (rc != 1) {
        return rc;
    }
    pos->seq = (uint64_t)v;
    rc = ix_meta_get_blob(ix, "pos_hash", pos->hash, SHO_HASH_LEN, err);
    if (rc == 1) {
        rc = ix_meta_get(ix, "pos_segment", &v, err);
        pos->segment = (uint32_t)v;
    }
    if (rc == 1) {
        rc = ix_meta_get(ix, "pos_end", &v, err);
        pos->end = v;
    }
    pos->is_set = rc == 1;
    return rc < 0 ? rc : 0;
}

static int upd_run(struct upd *u, struct sho_archive *a, bool *stale)
{
    struct sho_index *ix = u->ix;
    struct sho_archive_pos from;
    int64_t total = 0, pending = 0;
    bool bulk;
    int rc;

    *stale = false;
    rc = ix_sql_exec(ix, "BEGIN IMMEDIATE", u->err);
    if (rc == 0) {
        rc = upd_position(ix, &from, u->err);
    }
    if (rc == 0) {
        rc = ix_meta_get(ix, "events", &total, u->err);
    }
    if (rc >= 0) {
        rc = ix_meta_get(ix, "indexes_pending", &pending, u->err);
    }
    if (rc < 0) {
        goto out;
    }
    rc = 0;
    bulk = total == 0 || pending != 0;
    /* A first load starts from empty tables: an id cache that has never been
     * emptied then knows every row, and a miss needs no SELECT. */
    ix->hosts.complete = ix->persons.complete = ix->files.complete = ix->ctxs.complete =
        total == 0 && pending == 0;
    if (bulk && pending == 0) {
        rc = ix_schema_drop_indexes(ix, u->err);
        if (rc == 0) {
            rc = ix_meta_set(ix, "indexes_pending", 1, u->err);
        }
    }
    u->pos = from;
    u->bulk = bulk;
    if (rc == 0) {
        rc = sho_archive_walk_from(
            a, &from, SHO_FRAME_MASK(SHO_FRAME_EVENTS) | SHO_FRAME_MASK(SHO_FRAME_SOURCE),
            upd_frame, u, u->err);
    }
    if (rc == SHO_ARCHIVE_STALE) {
        *stale = true;
        rc = 0;
        goto out;
    }
    if (rc == 0 && (u->count > 0 || u->pos_dirty)) {
        rc = upd_flush(u);
    }
    if (rc == 0 && bulk) {
        rc = ix_schema_create_indexes(ix, u->err); /* no-op when a cache forced them early */
        if (rc == 0) {
            rc = ix_meta_set(ix, "indexes_pending", 0, u->err);
        }
        u->stats->indexes_created = rc == 0;
    }
    if (rc == 0) {
        rc = ix_meta_get(ix, "events", &total, u->err);
        u->stats->total = (uint64_t)total;
        rc = rc < 0 ? rc : 0;
    }
out:
    if (rc == 0 && !*stale) {
        return ix_sql_exec(ix, "COMMIT", u->err);
    }
    (void)sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int sho_index_update(struct sho_index *ix, struct sho_archive *a, const struct sho_index_opts *opts,
                     struct sho_index_stats *stats, struct sho_err *err)
{
    struct sho_index_stats local;
    struct upd u;
    uint64_t batch =
        opts != NULL && opts->batch_events != 0 ? opts->batch_events : IX_BATCH_DEFAULT;
    uint64_t cache = opts != NULL && opts->cache_bytes != 0 ? opts->cache_bytes : IX_CACHE_DEFAULT;
    char pragma[64];
    bool stale = false;
    int rc;

    if (!ix->writable) {
        return sho_err_set(err, SHO_EINVAL, ix->path, -1, "index opened for reading");
    }
    if (stats == NULL) {
        stats = &local;
    }
    memset(stats, 0, sizeof(*stats));
    if (batch < 1024) {
        batch = 1024;
    }
    memset(&u, 0, sizeof(u));
    u.ix = ix;
    u.stats = stats;
    u.err = err;
    u.cap = (size_t)batch;
    u.alloc = u.cap;
    u.rows = sho_xmalloc(u.alloc * sizeof(*u.rows));
    upd_caches(ix, cache);
    (void)snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%llu",
                   (unsigned long long)(cache / 4 / 1024));
    rc = ix_sql_exec(ix, pragma, err);
    if (rc == 0) {
        rc = upd_run(&u, a, &stale);
    }
    if (rc == 0 && stale) {
        /* The index reflects frames this archive does not have: start over. */
        rc = upd_recreate(ix, err);
        if (rc == 0) {
            upd_caches(ix, cache);
            rc = ix_sql_exec(ix, pragma, err);
        }
        if (rc == 0) {
            memset(stats, 0, sizeof(*stats));
            stats->rebuilt = true;
            u.count = 0;
            u.order = 0;
            rc = upd_run(&u, a, &stale);
        }
    }
    free(u.rows);
    return rc;
}
