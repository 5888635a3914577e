/*
 * index_feed: the archive walk on a thread of its own. Reading segments,
 * checking each frame's SHA-256 chain and decompressing its payload happen
 * one frame ahead of the writer, which takes the frames in order from a
 * small ring (IX_FEED_FRAMES copies: memory bounded by the frame size, not
 * by the archive). The walk's result (0, SHO_ARCHIVE_STALE or an error with
 * its message) arrives after the last frame.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

#define IX_FEED_FRAMES 4

struct feed_slot {
    struct sho_frame_info fi;
    uint8_t *data; /* owned */
    size_t len, cap;
};

struct ix_feed {
    pthread_t th;
    struct sho_archive *a;
    struct sho_archive_pos from;
    unsigned mask;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct feed_slot slot[IX_FEED_FRAMES];
    uint64_t put, got; /* frames put by the walk, taken by the writer (under mu) */
    bool ended;        /* the walk returned (under mu) */
    bool stop;         /* the writer wants no more (under mu) */
    int rc;            /* the walk's result, once ended */
    struct sho_err err;
};

static int feed_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *payload,
                      size_t len)
{
    struct ix_feed *f = ctx;
    struct feed_slot *s;

    (void)pthread_mutex_lock(&f->mu);
    while (!f->stop && f->put - f->got == IX_FEED_FRAMES) {
        (void)pthread_cond_wait(&f->cv, &f->mu);
    }
    if (f->stop) {
        (void)pthread_mutex_unlock(&f->mu);
        return 1; /* ends the walk */
    }
    s = &f->slot[f->put % IX_FEED_FRAMES];
    (void)pthread_mutex_unlock(&f->mu);
    /* The slot is the walk's until `put` moves past it. */
    if (fi->type != SHO_FRAME_EVENTS) {
        len = 0; /* the writer needs only where other frames are */
    }
    if (s->cap < len) {
        free(s->data);
        s->cap = len;
        s->data = sho_xmalloc(len);
    }
    if (len > 0) {
        memcpy(s->data, payload, len);
    }
    s->len = len;
    s->fi = *fi;
    (void)pthread_mutex_lock(&f->mu);
    f->put++;
    (void)pthread_cond_broadcast(&f->cv);
    (void)pthread_mutex_unlock(&f->mu);
    return 0;
}

static void *feed_main(void *arg)
{
    struct ix_feed *f = arg;
    int rc = sho_archive_walk_from(f->a, &f->from, f->mask, feed_frame, f, &f->err);

    (void)pthread_mutex_lock(&f->mu);
    f->rc = rc;
    f->ended = true;
    (void)pthread_cond_broadcast(&f->cv);
    (void)pthread_mutex_unlock(&f->mu);
    return NULL;
}

int ix_feed_start(struct sho_archive *a, const struct sho_archive_pos *from, unsigned mask,
                  struct ix_feed **out, struct sho_err *err)
{
    struct ix_feed *f = sho_xcalloc(1, sizeof(*f));

    f->a = a;
    f->from = *from;
    f->mask = mask;
    sho_err_clear(&f->err);
    (void)pthread_mutex_init(&f->mu, NULL);
    (void)pthread_cond_init(&f->cv, NULL);
    if (pthread_create(&f->th, NULL, feed_main, f) != 0) {
        (void)pthread_mutex_destroy(&f->mu);
        (void)pthread_cond_destroy(&f->cv);
        free(f);
        *out = NULL;
        return sho_err_set(err, SHO_EIO, NULL, -1, "cannot start the archive reader thread");
    }
    *out = f;
    return 0;
}

int ix_feed_next(struct ix_feed *f, const struct sho_frame_info **fi, const uint8_t **payload,
                 size_t *len)
{
    const struct feed_slot *s;
    int more;

    (void)pthread_mutex_lock(&f->mu);
    while (f->put == f->got && !f->ended) {
        (void)pthread_cond_wait(&f->cv, &f->mu);
    }
    more = f->put != f->got;
    (void)pthread_mutex_unlock(&f->mu);
    if (!more) {
        return 0;
    }
    s = &f->slot[f->got % IX_FEED_FRAMES];
    *fi = &s->fi;
    *payload = s->data;
    *len = s->len;
    return 1;
}

void ix_feed_done(struct ix_feed *f)
{
    (void)pthread_mutex_lock(&f->mu);
    f->got++;
    (void)pthread_cond_broadcast(&f->cv);
    (void)pthread_mutex_unlock(&f->mu);
}

int ix_feed_stop(struct ix_feed *f, struct sho_err *err)
{
    int rc, i;

    (void)pthread_mutex_lock(&f->mu);
    f->stop = true;
    (void)pthread_cond_broadcast(&f->cv);
    (void)pthread_mutex_unlock(&f->mu);
    (void)pthread_join(f->th, NULL);
    rc = f->rc == 1 ? 0 : f->rc; /* 1: stopped by the writer */
    if (rc != 0 && rc != SHO_ARCHIVE_STALE && err != NULL && err->code == 0) {
        *err = f->err;
    }
    for (i = 0; i < IX_FEED_FRAMES; i++) {
        free(f->slot[i].data);
    }
    (void)pthread_mutex_destroy(&f->mu);
    (void)pthread_cond_destroy(&f->cv);
    free(f);
    return rc;
}
