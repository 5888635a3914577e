/*
 * evtx_scan: record offsets from the EVTX container structure.
 * Format (libyal, "Windows XML Event Log (EVTX)" format documentation):
 *   file header  4096 bytes, "ElfFile\0", chunks follow back to back;
 *   chunk        65536 bytes, "ElfChnk\0", 512-byte header, records from
 *                offset 512 up to the free-space offset (header offset 48);
 *   record       "\x2a\x2a\0\0", u32 size, u64 identifier, u64 written time,
 *                binary XML, u32 size copy at the end.
 * Invariants: every length is checked against the chunk before use; a record
 * whose size or trailing copy is wrong ends the walk of its chunk (the rest
 * of the chunk is not trusted); nothing here allocates by a length read from
 * the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtx_scan.h"

#define SCAN_LOOKAHEAD_CHUNKS 64 /* how far a lookup searches before giving up */

static const uint8_t chunk_magic[8] = { 'E', 'l', 'f', 'C', 'h', 'n', 'k', 0 };
static const uint8_t record_magic[4] = { 0x2a, 0x2a, 0, 0 };

struct evtx_scan {
    int fd;                         /* owned */
    int64_t chunk_index;            /* chunk in `chunk`, -1 none */
    uint32_t pos;                   /* next record offset within the chunk */
    uint8_t chunk[EVTX_CHUNK_SIZE]; /* the current chunk's bytes */
    uint32_t chunk_len;             /* bytes actually read (short at EOF) */
};

int evtx_scan_chunk(const uint8_t *chunk, void (*fn)(void *, uint32_t, uint64_t, uint32_t),
                    void *ctx)
{
    uint32_t end, off = EVTX_CHUNK_HEADER_SIZE;
    int count = 0;

    if (memcmp(chunk, chunk_magic, sizeof(chunk_magic)) != 0) {
        return -1;
    }
    end = sho_le32(chunk + 48);
    if (end > EVTX_CHUNK_SIZE || end < EVTX_CHUNK_HEADER_SIZE) {
        end = EVTX_CHUNK_SIZE; /* damaged header: walk while records stay sane */
    }
    while (off + EVTX_RECORD_MIN_SIZE <= end) {
        uint32_t size = sho_le32(chunk + off + 4);
        if (memcmp(chunk + off, record_magic, 4) != 0 || size < EVTX_RECORD_MIN_SIZE ||
            size > end - off || sho_le32(chunk + off + size - 4) != size) {
            break;
        }
        if (fn != NULL) {
            fn(ctx, off, sho_le64(chunk + off + 8), size);
        }
        count++;
        off += size;
    }
    return count;
}

int evtx_scan_open(const char *path, struct evtx_scan **out, struct sho_err *err)
{
    struct evtx_scan *s = sho_xcalloc(1, sizeof(*s));

    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        free(s);
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s", strerror(e));
    }
    s->chunk_index = -1;
    *out = s;
    return 0;
}

void evtx_scan_close(struct evtx_scan *s)
{
    if (s == NULL) {
        return;
    }
    (void)close(s->fd);
    free(s);
}

/* Load chunk `index`; returns 1 when it holds a full chunk, 0 at or past EOF. */
static int scan_load(struct evtx_scan *s, int64_t index)
{
    off_t at = (off_t)EVTX_FILE_HEADER_SIZE + (off_t)index * EVTX_CHUNK_SIZE;
    size_t got = 0;

    while (got < EVTX_CHUNK_SIZE) {
        ssize_t n = pread(s->fd, s->chunk + got, EVTX_CHUNK_SIZE - got, at + (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    s->chunk_index = index;
    s->chunk_len = (uint32_t)got;
    s->pos = EVTX_CHUNK_HEADER_SIZE;
    if (got < EVTX_CHUNK_SIZE) {
        memset(s->chunk + got, 0, EVTX_CHUNK_SIZE - got);
    }
    return got == EVTX_CHUNK_SIZE;
}

struct scan_hit {
    uint64_t want; /* record id looked for */
    uint32_t from; /* only records at or after this offset */
    int64_t found; /* offset within the chunk, -1 none */
    uint32_t size; /* its size */
};

static void scan_visit(void *ctx, uint32_t off, uint64_t id, uint32_t size)
{
    struct scan_hit *h = ctx;

    if (h->found < 0 && off >= h->from && id == h->want) {
        h->found = off;
        h->size = size;
    }
}

int evtx_scan_find(struct evtx_scan *s, uint64_t record_id, int64_t *offset)
{
    int64_t first = s->chunk_index < 0 ? 0 : s->chunk_index;
    uint32_t first_pos = s->chunk_index < 0 ? EVTX_CHUNK_HEADER_SIZE : s->pos;
    int64_t i;

    for (i = first; i < first + SCAN_LOOKAHEAD_CHUNKS; i++) {
        struct scan_hit hit = { record_id, i == first ? first_pos : EVTX_CHUNK_HEADER_SIZE, -1, 0 };
        if (s->chunk_index != i && !scan_load(s, i)) {
            break;
        }
        (void)evtx_scan_chunk(s->chunk, scan_visit, &hit);
        if (hit.found >= 0) {
            s->pos = (uint32_t)hit.found + hit.size;
            *offset = EVTX_FILE_HEADER_SIZE + i * EVTX_CHUNK_SIZE + hit.found;
            return 1;
        }
    }
    /* Not found: keep the old position so the next record is searched from there. */
    if (s->chunk_index != first && first < i) {
        (void)scan_load(s, first);
    }
    s->pos = first_pos;
    return 0;
}

struct scan_next {
    uint32_t from; /* first offset eligible */
    int64_t found; /* offset within the chunk, -1 none */
    uint64_t id;   /* its record id */
    uint32_t size; /* its size */
};

static void scan_visit_next(void *ctx, uint32_t off, uint64_t id, uint32_t size)
{
    struct scan_next *h = ctx;

    if (h->found < 0 && off >= h->from) {
        h->found = off;
        h->id = id;
        h->size = size;
    }
}

int evtx_scan_next(struct evtx_scan *s, int64_t *offset, uint64_t *record_id)
{
    int64_t i = s->chunk_index < 0 ? 0 : s->chunk_index;
    int64_t last = i + SCAN_LOOKAHEAD_CHUNKS;

    for (; i < last; i++) {
        struct scan_next hit = { s->chunk_index == i ? s->pos : EVTX_CHUNK_HEADER_SIZE, -1, 0, 0 };
        if (s->chunk_index != i && !scan_load(s, i)) {
            return 0;
        }
        (void)evtx_scan_chunk(s->chunk, scan_visit_next, &hit);
        if (hit.found >= 0) {
            s->pos = (uint32_t)hit.found + hit.size;
            *offset = EVTX_FILE_HEADER_SIZE + i * EVTX_CHUNK_SIZE + hit.found;
            *record_id = hit.id;
            return 1;
        }
    }
    return 0;
}
