/*
 * evtx_scan: record offsets from the EVTX container structure.
 * Format (libyal, "Windows XML Event Log (EVTX)" format documentation):
 *   file header  4096 bytes, "ElfFile\0", chunks follow back to back;
 *   chunk        65536 bytes, "ElfChnk\0", 512-byte header, records from
 *                offset 512 up to the free-space offset (header offset 48);
 *   record       "\x2a\x2a\0\0", u32 size, u64 identifier, u64 written time,
 *                binary XML, u32 size copy at the end.
 * Invariants: every length is checked against the chunk before use; a record
 * whose signature or size is wrong ends the walk of its chunk (the rest of
 * the chunk is not trusted), a wrong trailing size copy alone does not;
 * nothing here allocates by a length read from the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
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
    evtx_scan_skip_fn skip_fn;      /* records stepped over, may be NULL */
    void *skip_ctx;                 /* its context */
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
        /*
         * The trailing size copy is not required to match: a record whose copy
         * is damaged still has a sane extent, and walking on finds the records
         * after it (python-evtx reads such records; libevtx drops them).
         */
        if (memcmp(chunk + off, record_magic, 4) != 0 || size < EVTX_RECORD_MIN_SIZE ||
            size > end - off) {
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
        char etext[128];
        int e = errno;
        free(s);
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                           sho_errno_text(e, etext, sizeof(etext)));
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

void evtx_scan_on_skip(struct evtx_scan *s, evtx_scan_skip_fn fn, void *ctx)
{
    s->skip_fn = fn;
    s->skip_ctx = ctx;
}

struct scan_span {
    struct evtx_scan *s; /* whose skip_fn to call */
    int64_t base;        /* file offset of the chunk */
    uint32_t from, to;   /* report records with from <= offset < to */
};

static void scan_visit_span(void *ctx, uint32_t off, uint64_t id, uint32_t size)
{
    const struct scan_span *sp = ctx;

    (void)size;
    if (off >= sp->from && off < sp->to) {
        sp->s->skip_fn(sp->s->skip_ctx, sp->base + off, id);
    }
}

/*
 * Report the records from (chunk `c0`, offset `p0`) up to (chunk `c1`, offset
 * `p1`): the decoder went past them. Chunks are reloaded in order, so the
 * buffer holds chunk `c1` again afterwards. Only runs when records were
 * skipped, never on the common path.
 */
static void scan_report_between(struct evtx_scan *s, int64_t c0, uint32_t p0, int64_t c1,
                                uint32_t p1)
{
    int64_t c;

    for (c = c0; c <= c1; c++) {
        struct scan_span sp = { s, EVTX_FILE_HEADER_SIZE + c * EVTX_CHUNK_SIZE,
                                c == c0 ? p0 : EVTX_CHUNK_HEADER_SIZE,
                                c == c1 ? p1 : EVTX_CHUNK_SIZE };
        if (s->chunk_index != c && !scan_load(s, c)) {
            break;
        }
        (void)evtx_scan_chunk(s->chunk, scan_visit_span, &sp);
    }
    if (s->chunk_index != c1) {
        (void)scan_load(s, c1);
    }
}

void evtx_scan_drain(struct evtx_scan *s)
{
    int64_t c = s->chunk_index < 0 ? 0 : s->chunk_index;
    uint32_t from = s->chunk_index < 0 ? EVTX_CHUNK_HEADER_SIZE : s->pos;

    if (s->skip_fn == NULL) {
        return;
    }
    for (;; c++, from = EVTX_CHUNK_HEADER_SIZE) {
        struct scan_span sp = { s, EVTX_FILE_HEADER_SIZE + c * EVTX_CHUNK_SIZE, from,
                                EVTX_CHUNK_SIZE };
        if (s->chunk_index != c && !scan_load(s, c)) {
            break;
        }
        (void)evtx_scan_chunk(s->chunk, scan_visit_span, &sp);
    }
    s->chunk_index = -1;
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
            if (s->skip_fn != NULL && (i != first || (uint32_t)hit.found != first_pos)) {
                scan_report_between(s, first, first_pos, i, (uint32_t)hit.found);
            }
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

/* Is the chunk at `at` all zero bytes (wiped, or never written)? Uses the chunk buffer. */
static bool scan_is_zero(struct evtx_scan *s, int64_t at)
{
    int64_t index = (at - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE;
    uint32_t i;

    (void)scan_load(s, index);
    s->chunk_index = -1; /* the lookup cursor must reload its own chunk */
    for (i = 0; i < s->chunk_len; i++) {
        if (s->chunk[i] != 0) {
            return false;
        }
    }
    return true;
}

int evtx_scan_check(struct evtx_scan *s, void (*fn)(void *ctx, int64_t offset, const char *what),
                    void *ctx)
{
    static const uint8_t file_magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };
    uint8_t head[64];
    uint16_t chunks, i;
    int problems = 0;

    if (pread(s->fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
        memcmp(head, file_magic, sizeof(file_magic)) != 0) {
        return 0; /* not ours to judge: the decoder reports an unreadable file */
    }
    chunks = sho_le16(head + 42);
    for (i = 0; i < chunks; i++) {
        int64_t at = EVTX_FILE_HEADER_SIZE + (int64_t)i * EVTX_CHUNK_SIZE;
        uint8_t magic[8];
        ssize_t n = pread(s->fd, magic, sizeof(magic), (off_t)at);
        if (n != (ssize_t)sizeof(magic)) {
            fn(ctx, at, "file ends before the chunks its header counts (truncated)");
            return problems + 1;
        }
        if (memcmp(magic, chunk_magic, sizeof(chunk_magic)) != 0) {
            fn(ctx, at,
               scan_is_zero(s, at) ? "chunk is all zeros: whatever records it held are gone"
                                   : "chunk signature damaged: its records cannot be read");
            problems++;
        }
    }
    return problems;
}
