/*
 * index_ckpt: checkpoints of the index's write-ahead log on a thread of
 * their own while `index` writes. SQLite's automatic checkpoint runs inside
 * the writer's COMMIT and copies every page it wrote a second time, from the
 * WAL into the database, on the writer's thread: a fifth of a first load.
 * Here the writer turns it off, kicks this thread after each commit, and the
 * thread copies the committed pages with a PASSIVE checkpoint on its own
 * connection (it waits for nobody and nobody waits for it), on the other
 * core.
 *
 * SQLite starts the WAL over only when a write transaction begins after a
 * checkpoint has copied all of it; the writer begins its next batch at once,
 * so every second commit it waits for the thread and checkpoints the little
 * that is left itself before it does (ix_ckpt_committed): the WAL stays about
 * two batches long instead of growing with the load. A kill at any moment loses nothing: what a
 * checkpoint has not copied is still in the WAL, which the next opener
 * replays.
 */
#include <pthread.h>
#include <stdlib.h>

#include "index_priv.h"

#define CKPT_SETTLE_EVERY 2 /* commits between the writer's own checkpoints */

struct ix_ckpt {
    pthread_t th;
    sqlite3 *db; /* the thread's connection */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t kicks, done; /* commits seen by the writer, checkpoints begun for (under mu) */
    bool busy;            /* a checkpoint is running (under mu) */
    bool stop;            /* under mu */
    unsigned commits;     /* the writer's, since its last own checkpoint */
};

static void *ckpt_main(void *arg)
{
    struct ix_ckpt *c = arg;

    (void)pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->stop && c->done == c->kicks) {
            (void)pthread_cond_wait(&c->cv, &c->mu);
        }
        if (c->stop) {
            break;
        }
        c->done = c->kicks;
        c->busy = true;
        (void)pthread_mutex_unlock(&c->mu);
        /* SQLITE_BUSY (another checkpoint runs) and errors leave the pages in the WAL, where
         * they are safe: the next checkpoint, the writer's or SQLite's own, copies them. */
        (void)sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        (void)pthread_mutex_lock(&c->mu);
        c->busy = false;
        (void)pthread_cond_broadcast(&c->cv);
    }
    (void)pthread_mutex_unlock(&c->mu);
    return NULL;
}

struct ix_ckpt *ix_ckpt_start(struct sho_index *ix)
{
    struct ix_ckpt *c = sho_xcalloc(1, sizeof(*c));

    if (sqlite3_open_v2(ix->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(ix->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL) != SQLITE_OK) {
        (void)sqlite3_close(c->db);
        free(c);
        return NULL; /* the writer goes on with SQLite's own checkpoints */
    }
    (void)sqlite3_busy_timeout(c->db, 10000);
    /* A connection knows the file is in WAL mode only once it has read it: until then its
     * checkpoints do nothing. */
    (void)sqlite3_exec(c->db, "PRAGMA journal_mode", NULL, NULL, NULL);
    (void)pthread_mutex_init(&c->mu, NULL);
    (void)pthread_cond_init(&c->cv, NULL);
    if (pthread_create(&c->th, NULL, ckpt_main, c) != 0) {
        (void)pthread_mutex_destroy(&c->mu);
        (void)pthread_cond_destroy(&c->cv);
        (void)sqlite3_close(c->db);
        free(c);
        (void)sqlite3_exec(ix->db, "PRAGMA wal_autocheckpoint = 1000", NULL, NULL, NULL);
        return NULL;
    }
    return c;
}

void ix_ckpt_committed(struct ix_ckpt *c, struct sho_index *ix)
{
    if (c == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&c->mu);
    if (++c->commits < CKPT_SETTLE_EVERY) {
        c->kicks++;
        (void)pthread_cond_broadcast(&c->cv);
        (void)pthread_mutex_unlock(&c->mu);
        return;
    }
    /* Every CKPT_SETTLE_EVERY commits: once the thread is idle, copy what is left here, so
     * that the transaction begun next starts the WAL over. */
    c->commits = 0;
    while (c->busy || c->done != c->kicks) {
        (void)pthread_cond_wait(&c->cv, &c->mu);
    }
    (void)pthread_mutex_unlock(&c->mu);
    (void)sqlite3_wal_checkpoint_v2(ix->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

void ix_ckpt_finish(struct ix_ckpt *c, struct sho_index *ix)
{
    if (c == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&c->mu);
    c->stop = true;
    (void)pthread_cond_broadcast(&c->cv);
    (void)pthread_mutex_unlock(&c->mu);
    (void)pthread_join(c->th, NULL);
    (void)pthread_mutex_destroy(&c->mu);
    (void)pthread_cond_destroy(&c->cv);
    (void)sqlite3_close(c->db);
    free(c);
    (void)sqlite3_exec(ix->db, "PRAGMA wal_autocheckpoint = 1000", NULL, NULL, NULL);
}
