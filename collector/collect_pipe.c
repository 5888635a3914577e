/*
 * collect_pipe: the second half of collect on a thread of its own. The
 * reading thread decodes and normalizes; what happens to each event next
 * (JSON or CSV for a dry run, deduplication, encoding, compression and
 * writing for the archive) costs as much again, so events are copied into a
 * batch and handed over a batch at a time to a consumer thread, which
 * handles them in order while the next batch fills. Two batches, so memory
 * is bounded by two batches whatever the input; an error of the consumer
 * stops the consumer and is returned by the next put or drain.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_pipe.h"

#define PIPE_BATCH_BYTES ((size_t)8 << 20)

struct collect_pipe {
    int (*consume)(void *ctx, const struct sho_event *ev, struct sho_err *err);
    void *ctx;
    size_t per_batch;
    struct sho_event_batch *filling; /* the reader's */
    struct sho_event_batch *handed;  /* the consumer's, while busy */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool busy;     /* `handed` holds events not yet consumed */
    bool stopping; /* the consumer is to end */
    int rc;        /* the consumer's first error, 0 none */
    struct sho_err err;
};

static void pipe_consume_batch(struct collect_pipe *p)
{
    size_t i, n = sho_event_batch_count(p->handed);
    struct sho_event ev;
    struct sho_err err;
    int rc = 0;

    sho_err_clear(&err);
    for (i = 0; i < n && rc == 0; i++) {
        sho_event_batch_get(p->handed, i, &ev);
        rc = p->consume(p->ctx, &ev, &err);
    }
    sho_event_batch_reset(p->handed);
    (void)pthread_mutex_lock(&p->mu);
    if (rc != 0 && p->rc == 0) {
        p->rc = rc;
        p->err = err;
    }
    p->busy = false;
    (void)pthread_cond_broadcast(&p->cv);
    (void)pthread_mutex_unlock(&p->mu);
}

static void *pipe_main(void *arg)
{
    struct collect_pipe *p = arg;

    for (;;) {
        bool stop;
        (void)pthread_mutex_lock(&p->mu);
        while (!p->busy && !p->stopping) {
            (void)pthread_cond_wait(&p->cv, &p->mu);
        }
        stop = !p->busy && p->stopping;
        (void)pthread_mutex_unlock(&p->mu);
        if (stop) {
            return NULL;
        }
        pipe_consume_batch(p);
    }
}

struct collect_pipe *collect_pipe_new(int (*consume)(void *ctx, const struct sho_event *ev,
                                                     struct sho_err *err),
                                      void *ctx, size_t per_batch)
{
    struct collect_pipe *p = sho_xcalloc(1, sizeof(*p));

    p->consume = consume;
    p->ctx = ctx;
    p->per_batch = per_batch;
    p->filling = sho_event_batch_new(PIPE_BATCH_BYTES);
    p->handed = sho_event_batch_new(PIPE_BATCH_BYTES);
    (void)pthread_mutex_init(&p->mu, NULL);
    (void)pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, pipe_main, p) != 0) {
        collect_pipe_free(p);
        return NULL;
    }
    return p;
}

/* Wait until the consumer is idle; its error, if any, into err. */
static int pipe_wait(struct collect_pipe *p, struct sho_err *err)
{
    int rc;

    (void)pthread_mutex_lock(&p->mu);
    while (p->busy) {
        (void)pthread_cond_wait(&p->cv, &p->mu);
    }
    rc = p->rc;
    if (rc != 0 && err != NULL) {
        *err = p->err;
    }
    (void)pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Hand the filled batch over (after the consumer finished the last one). */
static int pipe_hand_over(struct collect_pipe *p, struct sho_err *err)
{
    struct sho_event_batch *t;
    int rc = pipe_wait(p, err);

    if (rc != 0 || sho_event_batch_count(p->filling) == 0) {
        return rc;
    }
    t = p->handed;
    p->handed = p->filling;
    p->filling = t;
    (void)pthread_mutex_lock(&p->mu);
    p->busy = true;
    (void)pthread_cond_broadcast(&p->cv);
    (void)pthread_mutex_unlock(&p->mu);
    return 0;
}

int collect_pipe_put(struct collect_pipe *p, const struct sho_event *ev, struct sho_err *err)
{
    int rc = 0;

    if (sho_event_batch_count(p->filling) >= p->per_batch ||
        sho_event_batch_bound(p->filling) >= PIPE_BATCH_BYTES / 2) {
        rc = pipe_hand_over(p, err);
    }
    if (rc == 0 && sho_event_batch_add(p->filling, ev) != 0) {
        rc = sho_err_set(err, SHO_ELIMIT, ev->source, ev->source_offset, "event too large");
    }
    return rc;
}

int collect_pipe_drain(struct collect_pipe *p, struct sho_err *err)
{
    int rc = pipe_hand_over(p, err);

    return rc != 0 ? rc : pipe_wait(p, err);
}

void collect_pipe_free(struct collect_pipe *p)
{
    if (p == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&p->mu);
    p->stopping = true;
    (void)pthread_cond_broadcast(&p->cv);
    (void)pthread_mutex_unlock(&p->mu);
    if (p->thread != 0) {
        (void)pthread_join(p->thread, NULL);
    }
    (void)pthread_cond_destroy(&p->cv);
    (void)pthread_mutex_destroy(&p->mu);
    sho_event_batch_free(p->filling);
    sho_event_batch_free(p->handed);
    free(p);
}
