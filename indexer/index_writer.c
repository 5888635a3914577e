/*
 * index_writer: archive -> index. Walks the archive from the frame after the
 * last one indexed, resolves each event's host, person, file and context to
 * ids, and inserts the events in batches, each batch one transaction that
 * also records the frame it ends at. A kill loses at most the batch in
 * flight, which the next run redoes from the recorded frame: nothing is
 * indexed twice and nothing is skipped.
 *
 * Each batch becomes one run of the event store (index_runs.c). An empty
 * index is filled in bulk: the lookup indexes of files, contexts and names
 * are dropped first and built once at the end (sorting is far cheaper than
 * random b-tree inserts, and gives full pages). Searches during a bulk load
 * see the batches committed so far.
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define IX_BATCH_DEFAULT ((uint64_t)262144)
#define IX_CACHE_DEFAULT ((uint64_t)512 * 1024 * 1024)

#define UPD_AHEAD 16 /* events looked ahead (a power of two) */

enum { MEMO_PERSON, MEMO_CTX, MEMO_COUNT };

/* An event handed over and not resolved yet, with its hashes. */
struct held {
    struct sho_event ev;
    uint32_t index;
    struct ix_hints hint;
};

struct upd {
    struct sho_index *ix;
    struct ix_row *rows;        /* owned */
    size_t count, cap;          /* rows held, rows per batch */
    size_t alloc;               /* rows allocated */
    struct sho_archive_pos pos; /* last frame seen */
    bool pos_dirty;             /* pos moved since the last commit */
    struct sho_index_stats *stats;
    struct sho_err *err;
    bool bulk;                       /* a first load: the secondary indexes come at the end */
    struct ix_memo memo[MEMO_COUNT]; /* per frame: persons, contexts by string address */
    bool shared;           /* this frame's strings are shared (memo and look-ahead apply) */
    uint32_t frame_events; /* events in this frame */
    struct held *ahead;    /* owned: UPD_AHEAD events waiting to be resolved */
    struct ix_fts *fts;    /* the thread keeping the trigram index of paths */
    struct ix_ckpt *ckpt;  /* the thread checkpointing the WAL, from the first full batch */
    bool ckpt_tried;
};

/* The ids of what an event names, from the id caches (strings not shared: no memo). */
static int upd_ids_direct(struct upd *u, const struct sho_event *ev, struct ix_row *r)
{
    int rc = ix_person_id(u->ix, ev, &r->person, u->err);

    if (rc == 0) {
        rc = ix_file_id(u->ix, ev->path, NULL, &r->file, u->err);
    }
    if (rc == 0) {
        rc = ix_ctx_id(u->ix, ev, NULL, &r->ctx, u->err);
    }
    return rc;
}

/*
 * The ids of what an event names, with the hashes its look-ahead computed: the person and the
 * context from the frame's memo, else from the id caches; the file from its cache directly
 * (most events of a frame name a path no earlier event of the frame named, and the memo's
 * probe then only added to the cache's, whose hash is already known).
 */
static int upd_ids(struct upd *u, const struct sho_event *ev, const struct ix_hints *hint,
                   struct ix_row *r)
{
    uintptr_t kp[3] = { (uintptr_t)ev->user_sid, (uintptr_t)ev->domain, (uintptr_t)ev->user };
    uintptr_t kc[IX_MEMO_WORDS] = {
        (uintptr_t)ev->host,
        (uintptr_t)ev->channel,
        (uintptr_t)ev->object_type,
        (uintptr_t)ev->process,
        (uintptr_t)ev->client_ip,
        (uintptr_t)ev->share,
        (ev->has & SHO_HAS_EVENT_ID) != 0 ? ev->event_id : 0,
        ev->actions,
        (uintptr_t)ev->outcome,
    };
    int rc = 0;

    if (!ix_memo_find(&u->memo[MEMO_PERSON], kp, 3, &r->person)) {
        rc = ix_person_id(u->ix, ev, &r->person, u->err);
        if (rc == 0) {
            ix_memo_put(&u->memo[MEMO_PERSON], kp, 3, r->person);
        }
    }
    if (rc == 0) {
        rc = ix_file_id(u->ix, ev->path, hint, &r->file, u->err);
    }
    if (rc == 0 && !ix_memo_find(&u->memo[MEMO_CTX], kc, IX_MEMO_WORDS, &r->ctx)) {
        rc = ix_ctx_id(u->ix, ev, hint, &r->ctx, u->err);
        if (rc == 0) {
            ix_memo_put(&u->memo[MEMO_CTX], kc, IX_MEMO_WORDS, r->ctx);
        }
    }
    return rc;
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
    int rc;

    rc = ix_run_store(ix, u->rows, u->count, u->cap, u->err);
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
        rc = ix_sql_exec(ix, "COMMIT", u->err);
        if (rc == 0) {
            ix_ckpt_committed(u->ckpt, ix);
            rc = ix_sql_exec(ix, "BEGIN", u->err);
        }
        ix_fts_kick(u->fts);
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

/* Index one event: its ids (through the frame's memo and with the hashes of its look-ahead,
 * `hint`, when its strings are shared; else `hint` is NULL). */
static int upd_one(struct upd *u, const struct sho_event *ev, uint32_t index,
                   const struct ix_hints *hint)
{
    struct sho_index *ix = u->ix;
    struct ix_row *r;
    int rc;

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
    rc = hint != NULL ? upd_ids(u, ev, hint, r) : upd_ids_direct(u, ev, r);
    if (rc == 0) {
        rc = ix_session_id(ix, ev, r->person, &r->sess, u->err);
    }
    if (rc == 0) {
        u->count++;
    }
    return rc;
}

/*
 * The events of a frame whose strings are shared are resolved UPD_AHEAD
 * events behind the one handed over: the hashes of each new event's path and
 * context are computed and their cache slots loaded at once, their keys half
 * way, so the cache misses of many events overlap instead of following one
 * another. At the frame's last event the ones still held are resolved, in
 * order, while their strings are alive.
 */
static int upd_event(void *ctx, const struct sho_event *ev, uint32_t index,
                     const uint8_t source_sha[SHO_HASH_LEN])
{
    struct upd *u = ctx;
    struct held *h;
    uint32_t j;
    int rc = 0;

    (void)source_sha;
    if (!u->shared) {
        return upd_one(u, ev, index, NULL);
    }
    h = &u->ahead[index % UPD_AHEAD];
    h->ev = *ev;
    h->index = index;
    ix_hint(u->ix, ev, &h->hint);
    if (index >= UPD_AHEAD / 2) {
        ix_hint_keys(u->ix, &u->ahead[(index - UPD_AHEAD / 2) % UPD_AHEAD].hint);
    }
    if (index >= UPD_AHEAD - 1) {
        const struct held *o = &u->ahead[(index - (UPD_AHEAD - 1)) % UPD_AHEAD];
        rc = upd_one(u, &o->ev, o->index, &o->hint);
    }
    if (rc == 0 && index + 1 == u->frame_events) {
        j = index >= UPD_AHEAD - 1 ? index - (UPD_AHEAD - 1) + 1 : 0;
        for (; rc == 0 && j <= index; j++) {
            const struct held *o = &u->ahead[j % UPD_AHEAD];
            rc = upd_one(u, &o->ev, o->index, &o->hint);
        }
    }
    return rc;
}

static int upd_frame(struct upd *u, const struct sho_frame_info *fi, const uint8_t *payload,
                     size_t len)
{
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
        int k;
        for (k = 0; k < MEMO_COUNT; k++) {
            ix_memo_next(&u->memo[k]); /* the strings of the last frame are gone */
        }
        rc = sho_archive_frame_events_shape(payload, len, &u->frame_events, &u->shared);
        if (rc == 0) {
            rc = sho_archive_frame_events(fi, payload, len, upd_event, u);
        }
        if (rc == SHO_ECORRUPT && u->err != NULL && u->err->code == 0) {
            rc = sho_err_set(u->err, SHO_ECORRUPT, NULL, -1, "frame %llu: events are corrupt",
                             (unsigned long long)fi->seq);
        }
    }
    if (rc == 0) {
        u->stats->frames++;
    }
    if (rc == 0 && u->count >= u->cap) {
        if (!u->ckpt_tried) {
            /* a load of more than a batch: checkpoints go to their own thread */
            u->ckpt = ix_ckpt_start(u->ix);
            u->ckpt_tried = true;
        }
        rc = upd_flush(u);
    }
    return rc;
}

/* Start over: remove the index files and create them anew. */
static int upd_recreate(struct sho_index *ix, struct sho_err *err)
{
    size_t i;

    for (i = 0; i < S_COUNT; i++) {
        (void)sqlite3_finalize(ix->stmt[i]);
        ix->stmt[i] = NULL;
    }
    (void)sqlite3_close(ix->db);
    ix->db = NULL;
    if (ix_files_remove(ix->path, err) != 0) {
        return SHO_EIO;
    }
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

/* Three quarters of the cache setting for the id caches, shared as each needs; the rest for
 * SQLite's pages. */
static void upd_caches(struct sho_index *ix, uint64_t bytes)
{
    if (ix->files.slots == NULL) {
        ix->pool.used = 0;
        ix->pool.max = (size_t)(bytes / 4 * 3);
        ix_map_init(&ix->files, &ix->pool);
        ix_map_init(&ix->ctxs, &ix->pool);
        ix_map_init(&ix->names, &ix->pool);
        ix_map_init(&ix->persons, &ix->pool);
        ix_map_init(&ix->hosts, &ix->pool);
        ix_map_init(&ix->sessions, &ix->pool);
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

static int upd_walk(struct upd *u, struct sho_archive *a, bool *stale);

/* Index the frames after `from`, read, checked and decompressed by the feed's thread. */
static int upd_feed(struct upd *u, struct sho_archive *a, const struct sho_archive_pos *from)
{
    struct ix_feed *feed = NULL;
    const struct sho_frame_info *fi = NULL;
    const uint8_t *p = NULL;
    size_t len = 0;
    int rc =
        ix_feed_start(a, from, SHO_FRAME_MASK(SHO_FRAME_EVENTS) | SHO_FRAME_MASK(SHO_FRAME_SOURCE),
                      &feed, u->err);
    int wrc;

    if (rc != 0) {
        return rc;
    }
    while (rc == 0 && ix_feed_next(feed, &fi, &p, &len) == 1) {
        rc = upd_frame(u, fi, p, len);
        ix_feed_done(feed);
    }
    wrc = ix_feed_stop(feed, rc == 0 ? u->err : NULL);
    return rc != 0 ? rc : wrc;
}

/* Update, with the trigram index of paths kept by its thread beside. */
static int upd_run(struct upd *u, struct sho_archive *a, bool *stale)
{
    int rc = ix_fts_start(u->ix->path, &u->fts, u->err);
    int frc;

    if (rc != 0) {
        return rc;
    }
    rc = upd_walk(u, a, stale);
    ix_ckpt_finish(u->ckpt, u->ix);
    u->ckpt = NULL;
    u->ckpt_tried = false;
    frc = ix_fts_finish(u->fts, rc != 0 || *stale, rc == 0 ? u->err : NULL);
    u->fts = NULL;
    return rc != 0 ? rc : *stale ? 0 : frc;
}

static int upd_walk(struct upd *u, struct sho_archive *a, bool *stale)
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
        rc = upd_feed(u, a, &from);
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
    int rc, i;

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
    for (i = 0; i < MEMO_COUNT; i++) {
        ix_memo_init(&u.memo[i]);
    }
    u.ahead = sho_xcalloc(UPD_AHEAD, sizeof(*u.ahead));
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
            rc = upd_run(&u, a, &stale);
        }
    }
    free(u.rows);
    for (i = 0; i < MEMO_COUNT; i++) {
        ix_memo_release(&u.memo[i]);
    }
    free(u.ahead);
    return rc;
}
