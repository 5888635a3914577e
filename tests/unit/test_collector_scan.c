/*
 * test_collector_scan: the EVTX container walk (collector/evtx_scan.h) on
 * images built here byte by byte: one 64 KiB chunk for evtx_scan_chunk (record
 * chain, callback offsets and ids, where the walk stops, clamping of a
 * damaged free-space offset, no read past the chunk), and small files in a
 * temporary directory for evtx_scan_open/find/next/drain/check (absolute
 * offsets, order across chunks, a failed lookup keeps the position, skipped
 * records reported, truncated or wiped chunks named).
 */
#include "unit.h"

#include <unistd.h>

#include "evtx_scan.h"

#define REC_HEADER   24 /* magic, size, id, written time */
#define CHUNK_FIRST  EVTX_CHUNK_HEADER_SIZE
#define MAX_SEEN     64
#define FILE_CHUNKS  2
#define PATH_MAX_LEN 512

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

/* A fresh chunk image: signature, no records, free space at the first record offset. */
static void chunk_init(uint8_t *chunk)
{
    memset(chunk, 0, EVTX_CHUNK_SIZE);
    memcpy(chunk, "ElfChnk", 8);
    put_le32(chunk + 48, CHUNK_FIRST);
}

static void chunk_set_free(uint8_t *chunk, uint32_t free_off)
{
    put_le32(chunk + 48, free_off);
}

/*
 * Write a record of `size` bytes (>= 28) with identifier `id` at `off` and
 * move the free-space offset past it. Returns the offset after the record.
 */
static uint32_t chunk_add(uint8_t *chunk, uint32_t off, uint64_t id, uint32_t size)
{
    uint8_t *r = chunk + off;

    assert_true(size >= EVTX_RECORD_MIN_SIZE && off + size <= EVTX_CHUNK_SIZE);
    r[0] = 0x2a;
    r[1] = 0x2a;
    r[2] = 0;
    r[3] = 0;
    put_le32(r + 4, size);
    put_le64(r + 8, id);
    put_le64(r + 16, 133600370251234567ULL + id); /* written time */
    memset(r + REC_HEADER, 0x0f, size - REC_HEADER - 4);
    put_le32(r + size - 4, size);
    chunk_set_free(chunk, off + size);
    return off + size;
}

/* Heap-allocated so that AddressSanitizer sees any read past the 65536 bytes. */
static uint8_t *chunk_new(void)
{
    uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);

    assert_non_null(chunk);
    chunk_init(chunk);
    return chunk;
}

/* Three records: 72 bytes at 512, 128 at 584, 200 at 712 (ids 101..103); free at 912. */
static uint8_t *chunk_three(void)
{
    uint8_t *c = chunk_new();
    uint32_t off = CHUNK_FIRST;

    off = chunk_add(c, off, 101, 72);
    off = chunk_add(c, off, 102, 128);
    (void)chunk_add(c, off, 103, 200);
    return c;
}

struct seen {
    int count;
    uint32_t off[MAX_SEEN];
    uint64_t id[MAX_SEEN];
    uint32_t size[MAX_SEEN];
};

static void seen_record(void *ctx, uint32_t off, uint64_t id, uint32_t size)
{
    struct seen *s = ctx;

    assert_true(s->count < MAX_SEEN);
    s->off[s->count] = off;
    s->id[s->count] = id;
    s->size[s->count] = size;
    s->count++;
}

/* ---- evtx_scan_chunk ---------------------------------------------------------------- */

static void chunk_counts_records(void **state)
{
    uint8_t *c = chunk_three();
    struct seen s = { 0 };

    (void)state;
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 3);
    assert_int_equal(s.count, 3);
    assert_int_equal(s.off[0], 512);
    assert_int_equal(s.off[1], 584);
    assert_int_equal(s.off[2], 712);
    assert_int_equal(s.id[0], 101);
    assert_int_equal(s.id[1], 102);
    assert_int_equal(s.id[2], 103);
    assert_int_equal(s.size[0], 72);
    assert_int_equal(s.size[1], 128);
    assert_int_equal(s.size[2], 200);
    /* The callback is optional. */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 3);
    free(c);
}

static void chunk_without_records(void **state)
{
    uint8_t *c = chunk_new();
    struct seen s = { 0 };

    (void)state;
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 0);
    assert_int_equal(s.count, 0);
    free(c);
}

static void chunk_large_ids(void **state)
{
    uint8_t *c = chunk_new();
    struct seen s = { 0 };

    (void)state;
    (void)chunk_add(c, CHUNK_FIRST, 0x0123456789ABCDEFULL, 28);
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 1);
    assert_int_equal(s.id[0], 0x0123456789ABCDEFULL);
    assert_int_equal(s.size[0], 28);
    free(c);
}

static void not_a_chunk(void **state)
{
    uint8_t *c = chunk_three();
    struct seen s = { 0 };

    (void)state;
    memcpy(c, "ElfFile", 8);
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), -1);
    memset(c, 0, 8);
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), -1);
    memcpy(c, "ElfChnk", 8);
    c[7] = 'x'; /* the NUL is part of the signature */
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), -1);
    assert_int_equal(s.count, 0);
    free(c);
}

static void damaged_trailing_size_copy_does_not_stop_walk(void **state)
{
    uint8_t *c = chunk_three();
    struct seen s = { 0 };

    (void)state;
    /* Documented (evtx_scan.c, docs/decisions.md): the record's extent is sane, so it
     * and the records after it are still found; libevtx drops such a record. */
    put_le32(c + 584 + 128 - 4, 0xDEAD);
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 3);
    assert_int_equal(s.off[1], 584);
    assert_int_equal(s.off[2], 712);
    assert_int_equal(s.id[2], 103);
    free(c);
}

static void walk_stops_at_bad_record_magic(void **state)
{
    uint8_t *c = chunk_three();
    struct seen s = { 0 };

    (void)state;
    c[584] = 0x2b;
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 1);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.off[0], 512);
    free(c);
}

static void walk_stops_at_bad_record_size(void **state)
{
    uint8_t *c = chunk_three();

    (void)state;
    put_le32(c + 584 + 4, 27); /* below the minimum */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 1);
    put_le32(c + 584 + 4, 0);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 1);
    put_le32(c + 584 + 4, 0xFFFFFFFF); /* far past the chunk: must not wrap */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 1);
    put_le32(c + 584 + 4, 912 - 584 + 1); /* one byte past the free-space offset */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 1);
    put_le32(c + 584 + 4, 912 - 584); /* swallows the third record: legal extent */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 2);
    free(c);
}

static void free_space_offset_bounds_the_walk(void **state)
{
    uint8_t *c = chunk_three();

    (void)state;
    chunk_set_free(c, 912);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 3);
    chunk_set_free(c, 911); /* the last record would cross it */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 2);
    chunk_set_free(c, 712); /* ends exactly after the second */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 2);
    chunk_set_free(c, 512 + 28); /* room for a minimal record only */
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 0);
    chunk_set_free(c, 512);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 0);
    free(c);
}

static void free_space_offset_beyond_chunk_clamped(void **state)
{
    uint8_t *c = chunk_three();
    struct seen s = { 0 };

    (void)state;
    chunk_set_free(c, 0x20000);
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 3);
    assert_int_equal(s.off[2], 712);
    chunk_set_free(c, 0xFFFFFFFF);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 3);
    chunk_set_free(c, EVTX_CHUNK_SIZE + 1);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 3);
    /* Below the header is as damaged as beyond the chunk. */
    chunk_set_free(c, 0);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 3);
    free(c);
}

static void records_fill_the_chunk_exactly(void **state)
{
    uint8_t *c = chunk_new();
    struct seen s = { 0 };
    uint32_t off;

    (void)state;
    off = chunk_add(c, CHUNK_FIRST, 1, 32768);
    off = chunk_add(c, off, 2, EVTX_CHUNK_SIZE - off);
    assert_int_equal(off, EVTX_CHUNK_SIZE);
    assert_int_equal(evtx_scan_chunk(c, seen_record, &s), 2);
    assert_int_equal(s.off[1], 512 + 32768);
    /* A size one past the chunk's end is refused. */
    put_le32(c + 512 + 32768 + 4, EVTX_CHUNK_SIZE - 512 - 32768 + 1);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 1);
    free(c);
}

static void record_header_at_chunk_end_not_read(void **state)
{
    uint8_t *c = chunk_new();
    uint32_t off;

    (void)state;
    /* Records up to 27 bytes before the end, where a record header would not fit:
     * put a signature there; the walk must stop without reading past the chunk. */
    off = chunk_add(c, CHUNK_FIRST, 1, EVTX_CHUNK_SIZE - CHUNK_FIRST - 27);
    c[off] = 0x2a;
    c[off + 1] = 0x2a;
    chunk_set_free(c, EVTX_CHUNK_SIZE);
    assert_int_equal(evtx_scan_chunk(c, NULL, NULL), 1);
    free(c);
}

/* ---- files -------------------------------------------------------------------------- */

struct scan_fixture {
    char dir[PATH_MAX_LEN];       /* temporary directory */
    char path[PATH_MAX_LEN + 32]; /* the two-chunk file: dir plus its name */
};

/* Chunk 0: ids 1..3 (72, 128, 200 bytes); chunk 1: ids 4..5 (64, 96 bytes). */
static const uint32_t rec_off[6] = { 0, 512, 584, 712, 512, 576 };
static const int rec_chunk[6] = { 0, 0, 0, 0, 1, 1 };

static int64_t abs_off(uint64_t id)
{
    return EVTX_FILE_HEADER_SIZE + (int64_t)rec_chunk[id] * EVTX_CHUNK_SIZE + rec_off[id];
}

/* Write a file header counting `header_chunks` chunks, then the chunks. */
static void write_file(const char *path, uint16_t header_chunks, uint8_t *const *chunks,
                       size_t count)
{
    uint8_t head[EVTX_FILE_HEADER_SIZE];
    FILE *f = fopen(path, "wb");
    size_t i;

    assert_non_null(f);
    memset(head, 0, sizeof(head));
    memcpy(head, "ElfFile", 8);
    put_le16(head + 42, header_chunks);
    assert_int_equal(fwrite(head, 1, sizeof(head), f), sizeof(head));
    for (i = 0; i < count; i++) {
        assert_int_equal(fwrite(chunks[i], 1, EVTX_CHUNK_SIZE, f), EVTX_CHUNK_SIZE);
    }
    assert_int_equal(fclose(f), 0);
}

static void build_chunks(uint8_t *chunks[FILE_CHUNKS])
{
    uint32_t off;

    chunks[0] = chunk_three();
    off = CHUNK_FIRST;
    put_le64(chunks[0] + off + 8, 1);
    put_le64(chunks[0] + off + 72 + 8, 2);
    put_le64(chunks[0] + off + 72 + 128 + 8, 3);
    chunks[1] = chunk_new();
    off = chunk_add(chunks[1], CHUNK_FIRST, 4, 64);
    (void)chunk_add(chunks[1], off, 5, 96);
}

static int setup_files(void **state)
{
    struct scan_fixture *fx = calloc(1, sizeof(*fx));
    /* NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any test runs. */
    const char *tmp = getenv("TMPDIR");
    uint8_t *chunks[FILE_CHUNKS];

    if (fx == NULL) {
        return -1;
    }
    (void)snprintf(fx->dir, sizeof(fx->dir), "%s/shoseki-scan-XXXXXX",
                   tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    (void)snprintf(fx->path, sizeof(fx->path), "%s/two.evtx", fx->dir);
    build_chunks(chunks);
    write_file(fx->path, FILE_CHUNKS, chunks, FILE_CHUNKS);
    free(chunks[0]);
    free(chunks[1]);
    *state = fx;
    return 0;
}

static int teardown_files(void **state)
{
    struct scan_fixture *fx = *state;
    static const char *const names[] = { "two.evtx", "short.evtx", "wiped.evtx", "bad.evtx" };
    char p[PATH_MAX_LEN + 32];
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(names); i++) {
        (void)snprintf(p, sizeof(p), "%s/%s", fx->dir, names[i]);
        (void)unlink(p);
    }
    (void)rmdir(fx->dir);
    free(fx);
    return 0;
}

static struct evtx_scan *open_scan(const char *path)
{
    struct evtx_scan *s = NULL;
    struct sho_err err;

    sho_err_clear(&err);
    assert_int_equal(evtx_scan_open(path, &s, &err), 0);
    assert_non_null(s);
    return s;
}

static void assert_found(struct evtx_scan *s, uint64_t id)
{
    int64_t off = -7;

    if (evtx_scan_find(s, id, &off) != 1) {
        fail_msg("record %llu not found", (unsigned long long)id);
    }
    assert_int_equal(off, abs_off(id));
}

static void assert_next(struct evtx_scan *s, uint64_t id)
{
    int64_t off = -7;
    uint64_t got = 0;

    assert_int_equal(evtx_scan_next(s, &off, &got), 1);
    assert_int_equal(got, id);
    assert_int_equal(off, abs_off(id));
}

static void find_gives_absolute_offsets(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);

    assert_found(s, 1);
    assert_int_equal(abs_off(1), 4096 + 512);
    assert_found(s, 2);
    assert_found(s, 3);
    assert_found(s, 4);
    assert_int_equal(abs_off(4), 4096 + 65536 + 512);
    assert_found(s, 5);
    assert_int_equal(abs_off(5), 4096 + 65536 + 576);
    evtx_scan_close(s);
}

static void find_skipping_ahead(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);

    assert_found(s, 5);
    evtx_scan_close(s);
    s = open_scan(fx->path);
    assert_found(s, 3);
    assert_found(s, 4);
    evtx_scan_close(s);
}

static void next_gives_records_in_order(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    int64_t off = -7;
    uint64_t id = 77;
    uint64_t i;

    for (i = 1; i <= 5; i++) {
        assert_next(s, i);
    }
    assert_int_equal(evtx_scan_next(s, &off, &id), 0);
    assert_int_equal(evtx_scan_next(s, &off, &id), 0);
    evtx_scan_close(s);
}

static void next_continues_after_find(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);

    assert_found(s, 2);
    assert_next(s, 3);
    assert_next(s, 4); /* across the chunk boundary */
    assert_found(s, 5);
    evtx_scan_close(s);
}

static void not_found_keeps_position(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    int64_t off = -7;

    assert_found(s, 1);
    assert_int_equal(evtx_scan_find(s, 99, &off), 0);
    assert_next(s, 2);
    assert_int_equal(evtx_scan_find(s, 1000, &off), 0);
    assert_found(s, 3);
    assert_found(s, 4);
    assert_int_equal(evtx_scan_find(s, 99, &off), 0);
    assert_next(s, 5);
    evtx_scan_close(s);
}

static void not_found_before_any_find(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    int64_t off = -7;

    assert_int_equal(evtx_scan_find(s, 42, &off), 0);
    assert_next(s, 1);
    evtx_scan_close(s);
}

static void find_searches_forward_only(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    int64_t off = -7;

    assert_found(s, 4);
    assert_int_equal(evtx_scan_find(s, 2, &off), 0);
    assert_int_equal(evtx_scan_find(s, 4, &off), 0); /* already passed */
    assert_found(s, 5);
    evtx_scan_close(s);
}

struct skipped {
    int count;
    int64_t off[MAX_SEEN];
    uint64_t id[MAX_SEEN];
};

static void on_skip(void *ctx, int64_t offset, uint64_t record_id)
{
    struct skipped *k = ctx;

    assert_true(k->count < MAX_SEEN);
    k->off[k->count] = offset;
    k->id[k->count] = record_id;
    k->count++;
}

static void stepped_over_records_reported(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    struct skipped k = { 0 };

    evtx_scan_on_skip(s, on_skip, &k);
    assert_found(s, 1);
    assert_int_equal(k.count, 0);
    assert_found(s, 3);
    assert_int_equal(k.count, 1);
    assert_int_equal(k.id[0], 2);
    assert_int_equal(k.off[0], abs_off(2));
    assert_found(s, 5); /* steps over 4, in the next chunk */
    assert_int_equal(k.count, 2);
    assert_int_equal(k.id[1], 4);
    assert_int_equal(k.off[1], abs_off(4));
    evtx_scan_drain(s);
    assert_int_equal(k.count, 2);
    evtx_scan_close(s);
}

static void drain_reports_the_rest(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    struct skipped k = { 0 };
    int i;

    evtx_scan_on_skip(s, on_skip, &k);
    assert_found(s, 2);
    assert_int_equal(k.count, 1); /* record 1, stepped over */
    evtx_scan_drain(s);
    assert_int_equal(k.count, 4);
    for (i = 1; i < 4; i++) {
        assert_int_equal(k.id[i], (uint64_t)i + 2);
        assert_int_equal(k.off[i], abs_off((uint64_t)i + 2));
    }
    evtx_scan_close(s);
}

static void open_missing_file(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = NULL;
    struct sho_err err;
    char path[PATH_MAX_LEN + 32];

    (void)snprintf(path, sizeof(path), "%s/missing.evtx", fx->dir);
    sho_err_clear(&err);
    assert_int_equal(evtx_scan_open(path, &s, &err), SHO_EIO);
    assert_int_equal(err.code, SHO_EIO);
    assert_string_equal(err.path, path);
    assert_true(err.msg[0] != '\0');
    evtx_scan_close(NULL);
}

struct problems {
    int count;
    int64_t off[4];
    char what[4][128];
};

static void on_problem(void *ctx, int64_t offset, const char *what)
{
    struct problems *p = ctx;

    assert_true(p->count < 4);
    p->off[p->count] = offset;
    (void)snprintf(p->what[p->count], sizeof(p->what[0]), "%s", what);
    p->count++;
}

static void check_clean_file(void **state)
{
    struct scan_fixture *fx = *state;
    struct evtx_scan *s = open_scan(fx->path);
    struct problems p = { 0 };

    assert_int_equal(evtx_scan_check(s, on_problem, &p), 0);
    assert_int_equal(p.count, 0);
    /* The check does not disturb lookups. */
    assert_found(s, 1);
    assert_found(s, 4);
    evtx_scan_close(s);
}

static void check_truncated_file(void **state)
{
    struct scan_fixture *fx = *state;
    uint8_t *chunks[FILE_CHUNKS];
    struct problems p = { 0 };
    struct evtx_scan *s;
    char path[PATH_MAX_LEN + 32];

    (void)snprintf(path, sizeof(path), "%s/short.evtx", fx->dir);
    build_chunks(chunks);
    write_file(path, 3, chunks, FILE_CHUNKS); /* the header counts a third chunk */
    free(chunks[0]);
    free(chunks[1]);
    s = open_scan(path);
    assert_int_equal(evtx_scan_check(s, on_problem, &p), 1);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.off[0], 4096 + 2 * 65536);
    assert_non_null(strstr(p.what[0], "truncated"));
    evtx_scan_close(s);
}

static void check_wiped_and_damaged_chunks(void **state)
{
    struct scan_fixture *fx = *state;
    uint8_t *chunks[FILE_CHUNKS];
    struct problems p = { 0 };
    struct evtx_scan *s;
    char path[PATH_MAX_LEN + 32];

    (void)snprintf(path, sizeof(path), "%s/wiped.evtx", fx->dir);
    build_chunks(chunks);
    memset(chunks[0], 0, EVTX_CHUNK_SIZE); /* wiped */
    chunks[1][0] = 'X';                    /* signature damaged, records intact */
    write_file(path, FILE_CHUNKS, chunks, FILE_CHUNKS);
    free(chunks[0]);
    free(chunks[1]);
    s = open_scan(path);
    assert_int_equal(evtx_scan_check(s, on_problem, &p), 2);
    assert_int_equal(p.off[0], 4096);
    assert_non_null(strstr(p.what[0], "zeros"));
    assert_int_equal(p.off[1], 4096 + 65536);
    assert_non_null(strstr(p.what[1], "signature"));
    evtx_scan_close(s);
}

static void check_ignores_non_evtx(void **state)
{
    struct scan_fixture *fx = *state;
    struct problems p = { 0 };
    struct evtx_scan *s;
    char path[PATH_MAX_LEN + 32];
    int64_t off = -7;
    uint64_t id = 0;
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/bad.evtx", fx->dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs("not an event log at all, just text", f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    s = open_scan(path);
    assert_int_equal(evtx_scan_check(s, on_problem, &p), 0);
    assert_int_equal(evtx_scan_find(s, 1, &off), 0);
    assert_int_equal(evtx_scan_next(s, &off, &id), 0);
    evtx_scan_close(s);
}

int main(void)
{
    const struct CMUnitTest chunk_tests[] = {
        cmocka_unit_test(chunk_counts_records),
        cmocka_unit_test(chunk_without_records),
        cmocka_unit_test(chunk_large_ids),
        cmocka_unit_test(not_a_chunk),
        cmocka_unit_test(damaged_trailing_size_copy_does_not_stop_walk),
        cmocka_unit_test(walk_stops_at_bad_record_magic),
        cmocka_unit_test(walk_stops_at_bad_record_size),
        cmocka_unit_test(free_space_offset_bounds_the_walk),
        cmocka_unit_test(free_space_offset_beyond_chunk_clamped),
        cmocka_unit_test(records_fill_the_chunk_exactly),
        cmocka_unit_test(record_header_at_chunk_end_not_read),
    };
    const struct CMUnitTest file_tests[] = {
        cmocka_unit_test(find_gives_absolute_offsets),
        cmocka_unit_test(find_skipping_ahead),
        cmocka_unit_test(next_gives_records_in_order),
        cmocka_unit_test(next_continues_after_find),
        cmocka_unit_test(not_found_keeps_position),
        cmocka_unit_test(not_found_before_any_find),
        cmocka_unit_test(find_searches_forward_only),
        cmocka_unit_test(stepped_over_records_reported),
        cmocka_unit_test(drain_reports_the_rest),
        cmocka_unit_test(open_missing_file),
        cmocka_unit_test(check_clean_file),
        cmocka_unit_test(check_truncated_file),
        cmocka_unit_test(check_wiped_and_damaged_chunks),
        cmocka_unit_test(check_ignores_non_evtx),
    };
    int failed = cmocka_run_group_tests(chunk_tests, NULL, NULL);

    failed += cmocka_run_group_tests(file_tests, setup_files, teardown_files);
    return failed;
}
