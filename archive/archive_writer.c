/*
 * archive_writer: collecting one source into the archive.
 *   begin  hash the file (is it already collected?), then start storing its
 *          original blocks on a thread of their own (writer_blocks.c), which
 *          runs while the caller decodes the file;
 *   put    key each event by identity; store the new ones in EVENTS frames
 *          of at most ARC_EVENTS_PER_FRAME events, committing each frame;
 *   end    wait for the blocks, write the SOURCE frame (hash, size, name,
 *          block list) and commit.
 * While the blocks thread runs, every use of the archive and its dedup cache
 * holds `lock`: appends stay strictly one after another in the hash chain.
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
#define ARC_HASH_CHUNK       ((size_t)1024 * 1024)
#define ARC_EVENTS_DICT_MIN  ((size_t)256 * 1024) /* event bytes that make a keyframe */

struct arc_source_state {
    char *path;                     /* owned */
    char *kind;                     /* owned */
    char *host_label;               /* owned, may be NULL */
    char *name;                     /* owned: the name recorded instead of `path`, or NULL */
    char *detail;                   /* owned: the SOURCE frame's `detail`, or NULL */
    uint8_t sha[SHO_HASH_LEN];      /* of the file */
    struct stat st;                 /* at begin: the file must not change */
    struct sho_buf blocks;          /* "block HEX LEN" lines */
    struct sho_event_batch *events; /* events of the EVENTS frame being filled */
    char *host, *channel;           /* owned: of the first event */
    uint64_t first_time, last_time;
    int fd;                        /* the file, open until end */
    struct arc_blocks *blocks_job; /* storing its blocks, or NULL */
    pthread_mutex_t lock;          /* held for every use of the archive while it runs */
    struct sho_buf frame_payload;  /* scratch for the assembled payload */
    struct arc_ranges *ranges;     /* record ids read, by log */
    struct sho_archive_source_stats stats;
};

void arc_source_state_free(struct arc_source_state *s)
{
    if (s == NULL) {
        return;
    }
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
    sho_buf_release(&s->frame_payload);
    arc_ranges_free(s->ranges);
    free(s);
}

/* Hash the whole file: whether it is already collected must be known before it is read. */
static int writer_hash_file(struct arc_source_state *s, struct sho_err *err)
{
    struct arc_sha256 *h = arc_sha256_new();
    uint8_t *buf = sho_xmalloc(ARC_HASH_CHUNK);
    char etext[128];
    ssize_t n;
    int rc = 0;

    for (;;) {
        n = read(s->fd, buf, ARC_HASH_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        arc_sha256_update(h, buf, (size_t)n);
        s->stats.size += (uint64_t)n;
    }
    if (n < 0) {
        rc = sho_err_set(err, SHO_EIO, s->path, (int64_t)s->stats.size, "cannot read: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
    }
    arc_sha256_final(h, s->sha);
    free(buf);
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
    s->ranges = arc_ranges_new();
    rc = fstat(fd, &s->st) != 0 ? sho_err_set(err, SHO_EIO, path, -1, "cannot stat") : 0;
    if (rc == 0) {
        rc = writer_hash_file(s, err);
    }
    if (rc == 0) {
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

static int writer_flush_events(struct sho_archive *a, struct sho_err *err)
{
    struct arc_source_state *s = a->src;
    struct sho_buf *payload = &s->frame_payload;
    int rc;

    if (sho_event_batch_count(s->events) == 0) {
        return 0;
    }
    if (arc_events_build(s->sha, s->events, payload) != 0) {
        return sho_err_set(err, SHO_ELIMIT, s->path, -1, "events frame too large");
    }
    /* As for blocks: a large batch is a keyframe, a small one leans on the last keyframe. */
    if (a->dict[ARC_DICT_EVENTS].len == 0 || payload->len >= ARC_EVENTS_DICT_MIN) {
        struct arc_dict where;
        memset(&where, 0, sizeof(where));
        rc = arc_append(a, SHO_FRAME_EVENTS, payload->data, payload->len, NULL, &where, err);
        if (rc == 0) {
            arc_dict_set(a, ARC_DICT_EVENTS, &where, (const uint8_t *)payload->data, payload->len);
        }
    } else {
        rc = arc_append(a, SHO_FRAME_EVENTS, payload->data, payload->len, &a->dict[ARC_DICT_EVENTS],
                        NULL, err);
    }
    if (rc == 0) {
        rc = arc_commit(a, err);
    }
    sho_event_batch_reset(s->events);
    return rc;
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

int sho_archive_event_put(struct sho_archive *a, const struct sho_event *ev, struct sho_err *err)
{
    struct arc_source_state *s = a->src;
    bool locked;
    int rc;

    if (s == NULL || s->stats.already_collected) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "no source being collected");
    }
    writer_note_event(s, ev);
    locked = writer_lock(s);
    rc = arc_dedup_add_event(a->dedup, ev, err);
    writer_unlock(s, locked);
    if (rc <= 0) {
        if (rc == 0) {
            s->stats.events_duplicate++;
        }
        return rc;
    }
    if (sho_event_batch_add(s->events, ev) != 0) {
        return sho_err_set(err, SHO_ELIMIT, s->path, ev->source_offset, "event too large");
    }
    s->stats.events_stored++;
    if (sho_event_batch_count(s->events) >= ARC_EVENTS_PER_FRAME ||
        sho_event_batch_bound(s->events) >= ARC_EVENTS_FRAME_MAX) {
        locked = writer_lock(s);
        rc = writer_flush_events(a, err);
        writer_unlock(s, locked);
        if (rc != 0) {
            return rc;
        }
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
    sho_hash_hex(s->sha, s->stats.sha256);
    if (!s->stats.already_collected) {
        rc = arc_blocks_finish(s->blocks_job, false, &s->stats, err);
        s->blocks_job = NULL;
        if (rc == 0) {
            rc = writer_flush_events(a, err);
        }
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
            rc = arc_dedup_add_source(a->dedup, s->sha, err);
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
