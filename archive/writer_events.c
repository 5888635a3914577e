/*
 * writer_events: storing a source's events on a thread of their own. The
 * caller fills a batch of events; a full batch is handed over here and
 * stored (keyed in the dedup cache, encoded, compressed, appended and
 * committed, by the `store` function given) while the caller fills the
 * next one. Two batches, so memory stays bounded whatever the input; the
 * batches are stored in the order they were handed over. An error of the
 * thread is returned by the next hand-over or wait, and the thread stores
 * nothing more after it.
 */
#include <pthread.h>
#include <stdlib.h>

#include "archive_priv.h"

struct arc_events_job {
    arc_events_store_fn store;
    void *ctx;
    struct sho_event_batch *handed; /* being stored while busy, else empty */
    pthread_t thread;
    bool threaded;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool busy;     /* `handed` is being stored */
    bool stopping; /* the thread is to end */
    int rc;        /* the first error, 0 none */
    struct sho_err err;
};

/* Store `handed` (on the thread, or on the caller's when there is none). */
static void evjob_store(struct arc_events_job *j)
{
    struct sho_err err;
    int rc = 0;

    sho_err_clear(&err);
    if (j->rc == 0) { /* only this thread sets rc, while busy */
        rc = j->store(j->ctx, j->handed, &err);
    }
    sho_event_batch_reset(j->handed);
    (void)pthread_mutex_lock(&j->mu);
    if (rc != 0 && j->rc == 0) {
        j->rc = rc;
        j->err = err;
    }
    j->busy = false;
    (void)pthread_cond_broadcast(&j->cv);
    (void)pthread_mutex_unlock(&j->mu);
}

static void *evjob_main(void *arg)
{
    struct arc_events_job *j = arg;

    for (;;) {
        bool stop;
        (void)pthread_mutex_lock(&j->mu);
        while (!j->busy && !j->stopping) {
            (void)pthread_cond_wait(&j->cv, &j->mu);
        }
        stop = !j->busy;
        (void)pthread_mutex_unlock(&j->mu);
        if (stop) {
            return NULL;
        }
        evjob_store(j);
    }
}

struct arc_events_job *arc_events_job_start(arc_events_store_fn store, void *ctx, size_t max_len)
{
    struct arc_events_job *j = sho_xcalloc(1, sizeof(*j));

    j->store = store;
    j->ctx = ctx;
    j->handed = sho_event_batch_new(max_len);
    (void)pthread_mutex_init(&j->mu, NULL);
    (void)pthread_cond_init(&j->cv, NULL);
    j->threaded = pthread_create(&j->thread, NULL, evjob_main, j) == 0;
    return j;
}

/* Wait until the thread is idle; its first error, if any, into `err` (may be NULL). */
static int evjob_idle(struct arc_events_job *j, struct sho_err *err)
{
    int rc;

    (void)pthread_mutex_lock(&j->mu);
    while (j->busy) {
        (void)pthread_cond_wait(&j->cv, &j->mu);
    }
    rc = j->rc;
    if (rc != 0 && err != NULL) {
        *err = j->err;
    }
    (void)pthread_mutex_unlock(&j->mu);
    return rc;
}

int arc_events_job_wait(struct arc_events_job *j, struct sho_err *err)
{
    return j != NULL ? evjob_idle(j, err) : 0;
}

int arc_events_job_hand(struct arc_events_job *j, struct sho_event_batch **filled,
                        struct sho_err *err)
{
    struct sho_event_batch *t;
    int rc = evjob_idle(j, err);

    if (rc != 0 || sho_event_batch_count(*filled) == 0) {
        return rc;
    }
    t = j->handed; /* empty: the last store reset it */
    j->handed = *filled;
    *filled = t;
    if (!j->threaded) {
        j->busy = true;
        evjob_store(j);
        return evjob_idle(j, err);
    }
    (void)pthread_mutex_lock(&j->mu);
    j->busy = true;
    (void)pthread_cond_broadcast(&j->cv);
    (void)pthread_mutex_unlock(&j->mu);
    return 0;
}

void arc_events_job_free(struct arc_events_job *j)
{
    if (j == NULL) {
        return;
    }
    (void)evjob_idle(j, NULL);
    if (j->threaded) {
        (void)pthread_mutex_lock(&j->mu);
        j->stopping = true;
        (void)pthread_cond_broadcast(&j->cv);
        (void)pthread_mutex_unlock(&j->mu);
        (void)pthread_join(j->thread, NULL);
    }
    (void)pthread_mutex_destroy(&j->mu);
    (void)pthread_cond_destroy(&j->cv);
    sho_event_batch_free(j->handed);
    free(j);
}
