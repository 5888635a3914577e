/*
 * writer_hash: a source file's SHA-256 on a thread of its own. The events
 * frames and the SOURCE frame name the file by it, but the blocks do not
 * need it and the events need it only for their first frame: hashing it
 * beside storing the blocks, not before, keeps one core from idling while
 * the other reads the whole file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_priv.h"

#define HASH_READ_CHUNK ((size_t)1024 * 1024)

struct arc_file_hash {
    const char *path; /* borrowed */
    int fd;           /* borrowed; read with pread */
    atomic_bool stop; /* the caller gave up */
    pthread_t thread;
    bool threaded;
    pthread_mutex_t mu; /* guards the four below */
    pthread_cond_t cv;  /* signalled when done */
    bool done;
    int rc;
    uint8_t sha[SHO_HASH_LEN];
    uint64_t size;
    struct sho_err err;
};

static void hash_run(struct arc_file_hash *h)
{
    struct arc_sha256 *ctx = arc_sha256_new();
    uint8_t *buf = sho_xmalloc(HASH_READ_CHUNK);
    uint8_t sha[SHO_HASH_LEN];
    struct sho_err err;
    uint64_t size = 0;
    char etext[128];
    ssize_t n;
    int rc = 0;

    sho_err_clear(&err);
    for (;;) {
        n = pread(h->fd, buf, HASH_READ_CHUNK, (off_t)size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || atomic_load(&h->stop)) {
            break;
        }
        arc_sha256_update(ctx, buf, (size_t)n);
        size += (uint64_t)n;
    }
    if (n < 0) {
        rc = sho_err_set(&err, SHO_EIO, h->path, (int64_t)size, "cannot read: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
    } else if (atomic_load(&h->stop)) {
        rc = sho_err_set(&err, SHO_EINVAL, h->path, -1, "hashing the file was abandoned");
    }
    arc_sha256_final(ctx, sha);
    free(buf);
    (void)pthread_mutex_lock(&h->mu);
    memcpy(h->sha, sha, SHO_HASH_LEN);
    h->size = size;
    h->rc = rc;
    h->err = err;
    h->done = true;
    (void)pthread_cond_broadcast(&h->cv);
    (void)pthread_mutex_unlock(&h->mu);
}

static void *hash_thread(void *arg)
{
    hash_run(arg);
    return NULL;
}

struct arc_file_hash *arc_file_hash_start(const char *path, int fd)
{
    struct arc_file_hash *h = sho_xcalloc(1, sizeof(*h));

    h->path = path;
    h->fd = fd;
    atomic_init(&h->stop, false);
    (void)pthread_mutex_init(&h->mu, NULL);
    (void)pthread_cond_init(&h->cv, NULL);
    h->threaded = pthread_create(&h->thread, NULL, hash_thread, h) == 0;
    if (!h->threaded) {
        hash_run(h);
    }
    return h;
}

int arc_file_hash_get(struct arc_file_hash *h, uint8_t sha[SHO_HASH_LEN], uint64_t *size,
                      struct sho_err *err)
{
    int rc;

    (void)pthread_mutex_lock(&h->mu);
    while (!h->done) {
        (void)pthread_cond_wait(&h->cv, &h->mu);
    }
    rc = h->rc;
    if (rc == 0) {
        memcpy(sha, h->sha, SHO_HASH_LEN);
        *size = h->size;
    } else if (err != NULL) {
        *err = h->err;
    }
    (void)pthread_mutex_unlock(&h->mu);
    return rc;
}

void arc_file_hash_free(struct arc_file_hash *h)
{
    if (h == NULL) {
        return;
    }
    atomic_store(&h->stop, true);
    if (h->threaded) {
        (void)pthread_join(h->thread, NULL);
    }
    (void)pthread_mutex_destroy(&h->mu);
    (void)pthread_cond_destroy(&h->cv);
    free(h);
}
