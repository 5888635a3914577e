/*
 * archive_writer: collecting one source into the archive.
 *   begin  start hashing the file on a thread of its own (writer_hash.c),
 *          waiting for the hash only when a file of its size was collected
 *          (is it this one?), and start storing its original blocks on
 *          another (writer_blocks.c); both run while the caller decodes it;
 *   put    gather events into a batch; a full batch (ARC_EVENTS_PER_FRAME
 *          events) goes to the events thread (writer_events.c), which keys
 *          them in the dedup cache, drops the ones already stored and stores
 *          the rest as an EVENTS frame, committing it, while the caller
 *          fills the next batch;
 *   end    wait for the blocks and the events, write the SOURCE frame (hash,
 *          size, name, block list) and commit.
 * While the blocks thread runs, every use of the archive and its dedup cache
 * holds `lock`: appends stay strictly one after another in the hash chain.
 * The caller's thread does not use the archive while the events thread may.
 * The lock is taken twice per EVENTS frame (the batch's keys, then the
 * append and commit), not per event, and compression happens outside it.
 * The SOURCE frame is the source's commit record: until it exists a re-run
 * collects the file again, and the block and event dedup make that re-run
 * add exactly what is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_priv.h"

/*
 * 16384 events make about 400 KB of columnar payload: a frame large enough
 * for zstd to find the repeats between events (4096 a frame stored 8 % more), small
 * enough that `cat REF` decodes it in milliseconds.
 */
#define ARC_EVENTS_PER_FRAME 16384
#define ARC_EVENTS_FRAME_MAX ((size_t)4 * 1024 * 1024)
#define ARC_EVENTS_DICT_MIN  ((size_t)256 * 1024) /* event bytes that make a keyframe */

struct arc_source_state {
    char *path;                        /* owned */
    char *kind;                        /* owned */
    char *host_label;                  /* owned, may be NULL */
    char *name;                        /* owned: the name recorded instead of `path`, or NULL */
    char *detail;                      /* owned: the SOURCE frame's `detail`, or NULL */
    uint8_t sha[SHO_HASH_LEN];         /* of the file, once sha_known */
    bool sha_known;                    /* else hash_job is hashing it */
    struct arc_file_hash *hash_job;    /* hashing the file, or NULL */
    struct stat st;                    /* at begin: the file must not change */
    struct sho_buf blocks;             /* "block HEX LEN" lines */
    struct sho_event_batch *events;    /* the caller's: events of the next EVENTS frame */
    struct arc_events_job *events_job; /* storing the frame before it */
    /* the events thread's (writer_events.c): */
    struct sho_event_batch *kept;      /* scratch: a batch's new events, when some were not */
    uint8_t dup[ARC_EVENTS_PER_FRAME]; /* scratch: which events of a batch are stored already */
    struct sho_buf packed;             /* scratch: the EVENTS frame, compressed */
    struct sho_buf frame_payload;      /* scratch: its payload */
    char *host, *channel;              /* owned: of the first event */
    uint64_t first_time, last_time;
    int fd;                        /* the file, open until end */
    struct arc_blocks *blocks_job; /* storing its blocks, or NULL */
    pthread_mutex_t lock;          /* held for every use of the archive while it runs */
    struct arc_ranges *ranges;     /* record ids read, by log */
    struct sho_archive_source_stats stats;
};

void arc_source_state_free(struct arc_source_state *s)
{
    if (s == NULL) {
        return;
    }
    arc_events_job_free(s->events_job); /* first: a batch being stored may wait for the hash */
    arc_file_hash_free(s->hash_job);
    (void)arc_blocks_finish(s->blocks_job, true, NULL, NULL);
    if (s->fd >= 0) {
        (void)close(s->fd);
    }
    (void)pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s->kind);
    free(s->host_label);
    free(s->name);
    free(s->detail);
    free(s->host);
    free(s->channel);
    sho_buf_release(&s->blocks);
    sho_event_batch_free(s->events);
    sho_event_batch_free(s->kept);
    sho_buf_release(&s->frame_payload);
    sho_buf_release(&s->packed);
    arc_ranges_free(s->ranges);
    free(s);
}

/* The file's hash: the events frames and the SOURCE frame name it. */
static int writer_sha(struct arc_source_state *s, struct sho_err *err)
{
    int rc;

    if (s->sha_known) {
        return 0;
    }
    rc = arc_file_hash_get(s->hash_job, s->sha, &s->stats.size, err);
    s->sha_known = rc == 0;
    return rc;
}

int sho_archive_source_begin(struct sho_archive *a, const char *path, const char *kind,
                             const char *host, struct sho_err *err)
{
    struct arc_source_state *s;
    char etext[128];
    int fd, rc;

    if (a->dedup == NULL || a->src != NULL) {
        return sho_err_set(err, SHO_EINVAL, path, -1, "archive not open for a new source");
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    s = sho_xcalloc(1, sizeof(*s));
    a->src = s;
    s->fd = fd;
    (void)pthread_mutex_init(&s->lock, NULL);
    s->path = sho_xstrdup(path);
    s->kind = sho_xstrdup(kind);
    s->host_label = host != NULL ? sho_xstrdup(host) : NULL;
    sho_buf_init(&s->blocks, ARC_SOURCE_TEXT_LIMIT);
    s->events = sho_event_batch_new(ARC_EVENTS_FRAME_MAX + ((size_t)1 << 20));
    sho_buf_init(&s->frame_payload, (size_t)ARC_PAYLOAD_MAX);
    sho_buf_init(&s->packed, (size_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD + 65536);
    s->ranges = arc_ranges_new();
    rc = fstat(fd, &s->st) != 0 ? sho_err_set(err, SHO_EIO, path, -1, "cannot stat") : 0;
    /*
     * The hash is computed beside the blocks. Only a file of a size already
     * collected can be collected already: only then wait for it here.
     */
    if (rc == 0) {
        s->hash_job = arc_file_hash_start(s->path, fd);
        rc = arc_dedup_has_size(a->dedup, (uint64_t)s->st.st_size, err);
    }
    if (rc == 1) {
        rc = writer_sha(s, err);
    }
    if (rc == 0 && s->sha_known) {
        rc = arc_dedup_has_source(a->dedup, s->sha, err);
    }
    if (rc == 1) {
        s->stats.already_collected = true;
        sho_hash_hex(s->sha, s->stats.sha256);
    }
    if (rc == 0) {
        s->blocks_job =
            arc_blocks_start(a, &s->lock, s->path, s->fd, strcmp(kind, "evtx") == 0, &s->blocks);
    }
    if (rc < 0) {
        arc_source_state_free(s);
        a->src = NULL;
    }
    return rc;
}

/* Take the lock while the blocks thread may use the archive; returns whether it was taken. */
static bool writer_lock(struct arc_source_state *s)
{
    if (!arc_blocks_running(s->blocks_job)) {
        return false;
    }
    (void)pthread_mutex_lock(&s->lock);
    return true;
}

static void writer_unlock(struct arc_source_state *s, bool locked)
{
    if (locked) {
        (void)pthread_mutex_unlock(&s->lock);
    }
}

/*
 * Key the batch's events in the dedup cache (under the lock); *use gets the
 * batch of the new ones. A duplicate is rare (a re-run, an overlapping
 * export), so the new events are copied only when there is one.
 */
static int writer_dedup_batch(struct sho_archive *a, const struct sho_event_batch *batch,
                              const struct sho_event_batch **use, struct sho_err *err)
{
    struct arc_source_state *s = a->src;
    size_t i, n = sho_event_batch_count(batch), dups;
    struct sho_event ev;
    bool locked = writer_lock(s);
    int rc = arc_dedup_add_events(a->dedup, batch, s->dup, err);

    writer_unlock(s, locked);
    if (rc < 0) {
        return rc;
    }
    dups = (size_t)rc;
    s->stats.events_stored += n - dups;
    s->stats.events_duplicate += dups;
    *use = batch;
    if (dups == 0) {
        return 0;
    }
    if (s->kept == NULL) {
        s->kept = sho_event_batch_new(ARC_EVENTS_FRAME_MAX + ((size_t)1 << 20));
    }
    sho_event_batch_reset(s->kept);
    for (i = 0, rc = 0; i < n && rc == 0; i++) {
        if (!s->dup[i]) {
            sho_event_batch_get(batch, i, &ev);
            rc = sho_event_batch_add(s->kept, &ev); /* fits: a subset of what fit */
        }
    }
    *use = s->kept;
    return rc != 0 ? sho_err_set(err, SHO_ELIMIT, s->path, -1, "events frame too large") : 0;
}

/* Compress the frame outside the lock; append and commit it under the lock. */
static int writer_store_events(struct sho_archive *a, const struct sho_event_batch *batch,
                               struct sho_err *err)
{
    struct arc_source_state *s = a->src;
    struct sho_buf *payload = &s->frame_payload;
    struct arc_dict where;
    bool keyframe, locked;
    int rc;

    rc = writer_sha(s, err);
    if (rc != 0) {
        return rc;
    }
    if (arc_events_build(s->sha, batch, payload) != 0) {
        return sho_err_set(err, SHO_ELIMIT, s->path, -1, "events frame too large");
    }
    /* As for blocks: a large batch is a keyframe, a small one leans on the last keyframe. */
    keyframe = a->dict[ARC_DICT_EVENTS].len == 0 || payload->len >= ARC_EVENTS_DICT_MIN;
    rc = arc_frame_pack(SHO_FRAME_EVENTS, payload->data, payload->len, a->opts.zstd_level,
                        keyframe ? NULL : &a->dict[ARC_DICT_EVENTS], &s->packed);
    if (rc != 0) {
        return sho_err_set(err, rc, s->path, -1, "events frame too large");
    }
    memset(&where, 0, sizeof(where));
    locked = writer_lock(s);
    rc = arc_append_packed(a, &s->packed, payload->len, keyframe ? &where : NULL, err);
    if (rc == 0 && keyframe) {
        arc_dict_set(a, ARC_DICT_EVENTS, &where, (const uint8_t *)payload->data, payload->len);
    }
    if (rc == 0) {
        rc = arc_commit(a, err);
    }
    writer_unlock(s, locked);
    return rc;
}

/* One batch, on the events thread (arc_events_store_fn). */
static int writer_store_batch(void *ctx, const struct sho_event_batch *batch, struct sho_err *err)
{
    struct sho_archive *a = ctx;
    const struct sho_event_batch *use = NULL;
    int rc = writer_dedup_batch(a, batch, &use, err);

    if (rc == 0 && sho_event_batch_count(use) != 0) {
        rc = writer_store_events(a, use, err);
    }
    return rc;
}

/* Hand the batch being filled to the events thread. */
static int writer_flush_events(struct sho_archive *a, struct sho_err *err)
{
    struct arc_source_state *s = a->src;

    if (s->events_job == NULL) {
        if (sho_event_batch_count(s->events) == 0) {
            return 0;
        }
        s->events_job =
            arc_events_job_start(writer_store_batch, a, ARC_EVENTS_FRAME_MAX + ((size_t)1 << 20));
    }
    return arc_events_job_hand(s->events_job, &s->events, err);
}

static void writer_note_event(struct arc_source_state *s, const struct sho_event *ev)
{
    if (s->host == NULL && ev->host != NULL) {
        s->host = sho_xstrdup(ev->host);
    }
    if (s->channel == NULL && ev->channel != NULL) {
        s->channel = sho_xstrdup(ev->channel);
    }
    if ((ev->has & SHO_HAS_TIME) != 0) {
        if (s->first_time == 0 || ev->time < s->first_time) {
            s->first_time = ev->time;
        }
        if (ev->time > s->last_time) {
            s->last_time = ev->time;
        }
    }
}

void sho_archive_source_record(struct sho_archive *a, const char *host, const char *channel,
                               uint64_t record_id, uint64_t time)
{
    if (a->src != NULL && !a->src->stats.already_collected) {
        arc_ranges_add(a->src->ranges, host, channel, record_id, time);
    }
}

int sho_archive_event_put(struct sho_archive *a, const struct sho_event *ev, struct sho_err *err)
{
    struct arc_source_state *s = a->src;

    if (s == NULL || s->stats.already_collected) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "no source being collected");
    }
    writer_note_event(s, ev);
    if (sho_event_batch_add(s->events, ev) != 0) {
        return sho_err_set(err, SHO_ELIMIT, s->path, ev->source_offset, "event too large");
    }
    if (sho_event_batch_count(s->events) >= ARC_EVENTS_PER_FRAME ||
        sho_event_batch_bound(s->events) >= ARC_EVENTS_FRAME_MAX) {
        int rc = writer_flush_events(a, err);
        return rc != 0 ? rc : 1;
    }
    return 1;
}

void sho_archive_source_describe(struct sho_archive *a, const char *name, const char *detail)
{
    struct arc_source_state *s = a->src;

    if (s == NULL) {
        return;
    }
    free(s->name);
    free(s->detail);
    s->name = name != NULL ? sho_xstrdup(name) : NULL;
    s->detail = detail != NULL ? sho_xstrdup(detail) : NULL;
}

static int writer_source_frame(struct sho_archive *a, struct sho_err *err)
{
    struct arc_source_state *s = a->src;
    struct sho_buf t;
    int rc;

    sho_buf_init(&t, ARC_SOURCE_TEXT_LIMIT + 65536);
    rc = sho_buf_appendf(&t, "shoseki-source 1\nsha256 %s\nsize %llu\n", s->stats.sha256,
                         (unsigned long long)s->stats.size);
    if (rc == 0) {
        rc = arc_text_value(&t, "kind", s->kind);
    }
    if (rc == 0) {
        rc = arc_text_value(&t, "name", s->name != NULL ? s->name : s->path);
    }
    if (rc == 0 && s->detail != NULL) {
        rc = arc_text_value(&t, "detail", s->detail);
    }
    if (rc == 0) {
        rc = arc_text_value(&t, "host", s->host_label != NULL ? s->host_label : s->host);
    }
    if (rc == 0) {
        rc = arc_text_value(&t, "channel", s->channel);
    }
    if (rc == 0) {
        rc = sho_buf_appendf(&t,
                             "first_time %llu\nlast_time %llu\nevents_stored %llu\n"
                             "events_duplicate %llu\n",
                             (unsigned long long)s->first_time, (unsigned long long)s->last_time,
                             (unsigned long long)s->stats.events_stored,
                             (unsigned long long)s->stats.events_duplicate);
    }
    if (rc == 0) {
        rc = arc_ranges_text(s->ranges, &t);
    }
    if (rc == 0) {
        rc = sho_buf_append(&t, s->blocks.data != NULL ? s->blocks.data : "", s->blocks.len);
    }
    if (rc == 0) {
        rc = arc_append(a, SHO_FRAME_SOURCE, t.data, t.len, NULL, NULL, err);
    } else {
        rc = sho_err_set(err, SHO_ELIMIT, s->path, -1, "source record too large");
    }
    sho_buf_release(&t);
    return rc;
}

int sho_archive_source_end(struct sho_archive *a, struct sho_archive_source_stats *stats,
                           struct sho_err *err)
{
    struct arc_source_state *s = a->src;
    struct stat now;
    int rc = 0;

    if (s == NULL) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "no source being collected");
    }
    if (!s->stats.already_collected) {
        /*
         * The frames handed over so far, then the blocks, then the last frame of events: a
         * file of one EVENTS frame has it after its BLOCK frames, as before the events thread.
         */
        int erc = arc_events_job_wait(s->events_job, err);
        rc = arc_blocks_finish(s->blocks_job, false, &s->stats, erc == 0 ? err : NULL);
        rc = erc != 0 ? erc : rc;
        s->blocks_job = NULL;
        if (rc == 0) {
            rc = writer_flush_events(a, err);
        }
        if (rc == 0) {
            rc = arc_events_job_wait(s->events_job, err);
        }
        if (rc == 0) {
            rc = writer_sha(s, err);
        }
        sho_hash_hex(s->sha, s->stats.sha256);
        if (rc == 0 && (stat(s->path, &now) != 0 || now.st_size != s->st.st_size ||
                        now.st_mtim.tv_sec != s->st.st_mtim.tv_sec ||
                        now.st_mtim.tv_nsec != s->st.st_mtim.tv_nsec)) {
            rc = sho_err_set(err, SHO_ECORRUPT, s->path, -1,
                             "file changed while it was being collected; collect a copy of a "
                             "live log");
        }
        if (rc == 0) {
            rc = writer_source_frame(a, err);
        }
        if (rc == 0) {
            rc = arc_dedup_add_source(a->dedup, s->sha, s->stats.size, err);
        }
        if (rc == 0) {
            rc = arc_commit(a, err);
        }
    }
    if (stats != NULL) {
        *stats = s->stats;
    }
    arc_source_state_free(s);
    a->src = NULL;
    return rc;
}
