/*
 * writer_blocks: storing a source's original bytes on a thread of their own,
 * while the caller decodes the same file and puts its events.
 *
 * The thread reads the file, cuts it into blocks (EVTX: its header and each
 * chunk; other files: content-defined), hashes each block and compresses the
 * new ones into BLOCK frames, all without the archive's lock. Under the lock
 * it only asks the dedup cache whether a block is known and, per frame, seals
 * and writes the frame and records its blocks in the cache, in that order:
 * the cache never names a block before its frame is written, so a commit by
 * the events side at any moment leaves cache and archive agreeing. The
 * thread never commits; the events side and the SOURCE frame do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_priv.h"

#define BLOCKS_READ_CHUNK ((size_t)1024 * 1024)
/*
 * Room left before the blocks' bytes in `payload` for the count and the
 * table, which are known only when the frame is full: a frame is flushed
 * once it holds ARC_BLOCK_FRAME_MAX bytes, and only a file's first and last
 * blocks may be shorter than ARC_CDC_MIN. So the payload is assembled in
 * place, without copying the frame's 4 MiB once more.
 */
#define BLOCKS_TABLE_ROOM (4 + ARC_BLOCK_ENTRY * (ARC_BLOCK_FRAME_MAX / ARC_CDC_MIN + 3))

struct arc_blocks {
    struct sho_archive *a;
    pthread_mutex_t *lock; /* the archive's writer lock, owned by the caller */
    const char *path;      /* borrowed */
    int fd;                /* borrowed; read with pread */
    bool evtx;
    struct sho_buf *lines;        /* borrowed: "block HEX LEN" lines */
    struct sho_buf pending_table; /* BLOCK frame being filled: entries */
    uint32_t pending_count;       /* blocks in it */
    struct sho_buf payload;       /* BLOCKS_TABLE_ROOM bytes, then the blocks' bytes */
    struct sho_buf packed;        /* ...compressed, waiting for its place in the chain */
    uint64_t blocks, blocks_new, bytes_new, size;
    atomic_bool stop; /* the caller gave up: stop at the next block */
    atomic_bool done; /* the thread no longer touches the archive */
    pthread_t thread;
    bool threaded;
    int rc;
    struct sho_err err;
};

/* Write the packed frame (of payload p, len bytes) and record its blocks, under the lock. */
static int blocks_write(struct arc_blocks *b, const uint8_t *p, size_t len, bool keyframe)
{
    struct sho_archive *a = b->a;
    struct arc_dict where;
    uint32_t i;
    int rc;

    memset(&where, 0, sizeof(where));
    (void)pthread_mutex_lock(b->lock);
    rc = arc_append_packed(a, &b->packed, len, keyframe ? &where : NULL, &b->err);
    if (rc == 0 && keyframe) {
        arc_dict_set(a, ARC_DICT_BLOCKS, &where, p, len);
    }
    for (i = 0; rc == 0 && i < b->pending_count; i++) {
        const uint8_t *e = (const uint8_t *)b->pending_table.data + (size_t)i * ARC_BLOCK_ENTRY;
        rc = arc_dedup_add_block(a->dedup, e, &b->err);
    }
    (void)pthread_mutex_unlock(b->lock);
    return rc;
}

/* Store the blocks gathered in `pending` as one BLOCK frame. */
static int blocks_flush(struct arc_blocks *b)
{
    struct sho_archive *a = b->a;
    size_t head = 4 + b->pending_table.len, bytes;
    uint8_t *p;
    bool keyframe;
    int rc;

    if (b->pending_count == 0) {
        return 0;
    }
    if (head > BLOCKS_TABLE_ROOM) {
        return sho_err_set(&b->err, SHO_ELIMIT, b->path, -1, "block frame too large");
    }
    bytes = b->payload.len - BLOCKS_TABLE_ROOM;
    p = (uint8_t *)b->payload.data + (BLOCKS_TABLE_ROOM - head);
    sho_put_le32(p, b->pending_count);
    memcpy(p + 4, b->pending_table.data, b->pending_table.len);
    /*
     * A large group carries its own context: it becomes the dictionary that
     * later small groups (tonight's few new chunks) are compressed against.
     * Only this thread changes the blocks' dictionary while it runs.
     */
    keyframe = a->dict[ARC_DICT_BLOCKS].len == 0 || bytes >= ARC_DICT_MIN;
    rc = arc_frame_pack(SHO_FRAME_BLOCK, p, head + bytes, a->opts.zstd_level,
                        keyframe ? NULL : &a->dict[ARC_DICT_BLOCKS], &b->packed);
    rc = rc != 0 ? sho_err_set(&b->err, rc, b->path, -1, "block frame too large")
                 : blocks_write(b, p, head + bytes, keyframe);
    sho_buf_reset(&b->pending_table);
    sho_buf_reset(&b->payload);
    b->pending_count = 0;
    return rc;
}

/* Is `hash` among the blocks of the frame being filled (a block repeated in the file)? */
static bool blocks_pending_has(const struct arc_blocks *b, const uint8_t *hash)
{
    uint32_t i;

    for (i = 0; i < b->pending_count; i++) {
        const uint8_t *e = (const uint8_t *)b->pending_table.data + (size_t)i * ARC_BLOCK_ENTRY;
        if (memcmp(e, hash, SHO_HASH_LEN) == 0) {
            return true;
        }
    }
    return false;
}

static const char blocks_room[BLOCKS_TABLE_ROOM]; /* zeros: the prefix of a new payload */

static int blocks_one(struct arc_blocks *b, const uint8_t *data, size_t len)
{
    uint8_t hash[SHO_HASH_LEN];
    uint8_t entry[ARC_BLOCK_ENTRY];
    char hex[SHO_HASH_HEX];
    int rc;

    sho_sha256(data, len, hash);
    (void)pthread_mutex_lock(b->lock);
    rc = arc_dedup_has_block(b->a->dedup, hash, &b->err);
    (void)pthread_mutex_unlock(b->lock);
    if (rc == 0 && !blocks_pending_has(b, hash)) {
        memcpy(entry, hash, SHO_HASH_LEN);
        sho_put_le32(entry + SHO_HASH_LEN, (uint32_t)len);
        if ((b->payload.len == 0 &&
             sho_buf_append(&b->payload, blocks_room, sizeof(blocks_room)) != 0) ||
            sho_buf_append(&b->pending_table, entry, sizeof(entry)) != 0 ||
            sho_buf_append(&b->payload, data, len) != 0) {
            return sho_err_set(&b->err, SHO_ELIMIT, b->path, -1, "block frame too large");
        }
        b->pending_count++;
        b->blocks_new++;
        b->bytes_new += len;
        if (b->payload.len - BLOCKS_TABLE_ROOM >= ARC_BLOCK_FRAME_MAX) {
            rc = blocks_flush(b);
        }
    }
    if (rc < 0) {
        return rc;
    }
    sho_hash_hex(hash, hex);
    b->blocks++;
    if (sho_buf_appendf(b->lines, "block %s %zu\n", hex, len) != 0) {
        return sho_err_set(&b->err, SHO_ELIMIT, b->path, -1, "file has too many blocks");
    }
    return 0;
}

/* Fill buf[have..] from the file; *eof at its end. Returns 0 or an error. */
static int blocks_read(struct arc_blocks *b, uint8_t *buf, size_t *have, bool *eof)
{
    char etext[128];
    ssize_t n;

    do {
        n = pread(b->fd, buf + *have, BLOCKS_READ_CHUNK, (off_t)b->size);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return sho_err_set(&b->err, SHO_EIO, b->path, (int64_t)b->size, "cannot read: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    *eof = n == 0;
    *have += (size_t)n;
    b->size += (uint64_t)n;
    return 0;
}

/* Read the whole file once and store its blocks. */
static int blocks_run(struct arc_blocks *b)
{
    uint8_t *buf = sho_xmalloc(BLOCKS_READ_CHUNK + ARC_CDC_MAX);
    uint64_t pos = 0; /* file offset of buf[start] */
    size_t start = 0; /* buf[start, start+have) is unread: no memmove per block */
    size_t have = 0;
    bool eof = false;
    int rc = 0;

    while (rc == 0 && (!eof || have != 0)) {
        size_t cut;
        if (atomic_load(&b->stop)) {
            rc = sho_err_set(&b->err, SHO_EINVAL, b->path, -1, "storing the file was abandoned");
            break;
        }
        if (!eof && have < ARC_CDC_MAX) {
            if (start != 0) {
                memmove(buf, buf + start, have);
                start = 0;
            }
            rc = blocks_read(b, buf, &have, &eof);
            continue;
        }
        cut = b->evtx ? arc_evtx_cut(pos, have, eof) : arc_cdc_cut(buf + start, have, eof);
        if (cut == 0) {
            continue;
        }
        rc = blocks_one(b, buf + start, cut);
        start += cut;
        have -= cut;
        pos += cut;
    }
    if (rc == 0) {
        rc = blocks_flush(b);
    }
    free(buf);
    return rc;
}

static void *blocks_thread(void *arg)
{
    struct arc_blocks *b = arg;

    b->rc = blocks_run(b);
    atomic_store_explicit(&b->done, true, memory_order_release);
    return NULL;
}

struct arc_blocks *arc_blocks_start(struct sho_archive *a, pthread_mutex_t *lock, const char *path,
                                    int fd, bool evtx, struct sho_buf *lines)
{
    struct arc_blocks *b = sho_xcalloc(1, sizeof(*b));

    b->a = a;
    b->lock = lock;
    b->path = path;
    b->fd = fd;
    b->evtx = evtx;
    b->lines = lines;
    sho_buf_init(&b->pending_table, ARC_SOURCE_TEXT_LIMIT);
    sho_buf_init(&b->payload, BLOCKS_TABLE_ROOM + ARC_BLOCK_FRAME_MAX + ARC_CDC_MAX);
    sho_buf_init(&b->packed, (size_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD + 65536);
    atomic_init(&b->stop, false);
    atomic_init(&b->done, false);
    b->threaded = pthread_create(&b->thread, NULL, blocks_thread, b) == 0;
    if (!b->threaded) {
        b->rc = blocks_run(b); /* no thread to be had: store them now */
        atomic_store(&b->done, true);
    }
    return b;
}

bool arc_blocks_running(struct arc_blocks *b)
{
    return b != NULL && !atomic_load_explicit(&b->done, memory_order_acquire);
}

int arc_blocks_finish(struct arc_blocks *b, bool abandon, struct sho_archive_source_stats *st,
                      struct sho_err *err)
{
    int rc;

    if (b == NULL) {
        return 0;
    }
    atomic_store(&b->stop, abandon);
    if (b->threaded) {
        (void)pthread_join(b->thread, NULL);
    }
    rc = b->rc;
    if (rc != 0 && err != NULL) {
        *err = b->err;
    }
    if (st != NULL) {
        st->blocks += b->blocks;
        st->blocks_new += b->blocks_new;
        st->bytes_new += b->bytes_new;
    }
    sho_buf_release(&b->pending_table);
    sho_buf_release(&b->payload);
    sho_buf_release(&b->packed);
    free(b);
    return rc;
}
