/*
 * event_batch: the columnar encoding of a batch of events, which is how an
 * EVENTS frame stores its events since payload version 2
 * (docs/archive-format.md, "EVENTS"). Events arrive from the collector one at
 * a time; the writer adds them to a batch and encodes the batch when the frame
 * is full; readers decode a whole frame and take its events by index.
 *
 * The encoding groups each field's values together so that zstd sees like
 * next to like: a varint count, then 12 numeric columns of LEB128 varints
 * (time, record id and source offset as zig-zag differences from the event
 * before, because they climb through a log), then 13 string columns, each a
 * table of the batch's distinct values in order of first use followed by one
 * index per event (0: absent, k: the k-th value). It is lossless: every field
 * decodes to what was added, so identity keys can be recomputed from it.
 *
 * Invariants of the decoder: every count and length is checked against the
 * bytes left before anything is allocated from it, every index against its
 * table, a varint is minimal, at most 10 bytes and within its field's range,
 * and nothing is read past `len`.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "shoseki/event.h"

#define BATCH_NUMS        12
#define BATCH_STRS        13 /* sho_event_string 0..12 (all but ref), the order of the v1 codec */
#define VARINT_MAX        SHO_VARINT_MAX
#define VARINT32_MAX      5
#define BATCH_ROW_BOUND   (BATCH_NUMS * VARINT_MAX + BATCH_STRS * VARINT32_MAX)
#define BATCH_HEAD_BOUND  (VARINT_MAX + BATCH_STRS * VARINT32_MAX)
#define BATCH_MIN_ROW_LEN (BATCH_NUMS + BATCH_STRS) /* bytes: one varint per column */

/* The numeric columns, in encoding order; see batch_row_nums. */
enum batch_num {
    NUM_HAS,
    NUM_TIME,
    NUM_EVENT_ID,
    NUM_RECORD_ID,
    NUM_LOGON_ID,
    NUM_ACTIONS,
    NUM_OUTCOME,
    NUM_PROCESS_ID,
    NUM_ACCESS_MASK,
    NUM_HANDLE_ID,
    NUM_LOGON_TYPE,
    NUM_SOURCE_OFFSET,
};

/* Per numeric column: stored as a zig-zag difference, and the largest value. */
static const struct {
    bool is_delta;
    uint64_t max;
} batch_num_cols[BATCH_NUMS] = {
    { false, UINT32_MAX },          { true, UINT64_MAX },  { false, UINT32_MAX },
    { true, UINT64_MAX },           { false, UINT64_MAX }, { false, UINT32_MAX },
    { false, SHO_OUTCOME_FAILURE }, { false, UINT64_MAX }, { false, UINT64_MAX },
    { false, UINT64_MAX },          { false, UINT32_MAX }, { true, UINT64_MAX },
};

struct batch_row {
    uint64_t num[BATCH_NUMS]; /* enum batch_num order, values as in the event */
    uint32_t str[BATCH_STRS]; /* 0 absent, else 1 + index in the column's table */
};

/* The distinct values of one string column. */
struct batch_strtab {
    struct sho_buf bytes; /* the values back to back, each followed by a NUL */
    size_t *off;          /* owned: where value k starts in `bytes` */
    size_t *len;          /* owned: its length */
    uint32_t count, cap;  /* values, allocated entries */
    uint32_t *slots;      /* owned: hash table of 1 + value index, 0 empty */
    uint32_t slot_count;  /* a power of two, or 0 */
    uint32_t hashed;      /* values entered in `slots` (decode does not hash) */
    uint32_t last;        /* 1 + index of the value the last find returned, 0 none */
};

struct sho_event_batch {
    struct batch_row *rows; /* owned */
    size_t count, cap;      /* events, allocated rows */
    struct batch_strtab tabs[BATCH_STRS];
    size_t max_len; /* most bytes the encoding may take */
    size_t bound;   /* upper bound of the encoding of what was added */
};

/* ---- helpers -------------------------------------------------------------------- */

static void batch_row_nums(const struct sho_event *ev, uint64_t num[BATCH_NUMS])
{
    num[NUM_HAS] = ev->has;
    num[NUM_TIME] = ev->time;
    num[NUM_EVENT_ID] = ev->event_id;
    num[NUM_RECORD_ID] = ev->record_id;
    num[NUM_LOGON_ID] = ev->logon_id;
    num[NUM_ACTIONS] = ev->actions;
    num[NUM_OUTCOME] = (uint64_t)ev->outcome;
    num[NUM_PROCESS_ID] = ev->process_id;
    num[NUM_ACCESS_MASK] = ev->access_mask;
    num[NUM_HANDLE_ID] = ev->handle_id;
    num[NUM_LOGON_TYPE] = ev->logon_type;
    num[NUM_SOURCE_OFFSET] = (uint64_t)ev->source_offset;
}

static uint64_t batch_hash(const char *s, size_t n)
{
    return sho_hash64(s, n, 0); /* eight bytes a step: FNV-1a byte by byte cost 5 % of storing */
}

/* Enter values hashed..count-1 into the slots, growing them to stay at most half full. */
static void strtab_rehash(struct batch_strtab *t)
{
    uint32_t k;

    if ((size_t)t->count * 2 >= t->slot_count) {
        uint32_t n = t->slot_count != 0 ? t->slot_count : 64;
        while ((size_t)t->count * 2 >= n) {
            n *= 2;
        }
        free(t->slots);
        t->slots = sho_xcalloc(n, sizeof(*t->slots));
        t->slot_count = n;
        t->hashed = 0;
    }
    for (k = t->hashed; k < t->count; k++) {
        uint32_t i =
            (uint32_t)batch_hash(t->bytes.data + t->off[k], t->len[k]) & (t->slot_count - 1);
        while (t->slots[i] != 0) {
            i = (i + 1) & (t->slot_count - 1);
        }
        t->slots[i] = k + 1;
    }
    t->hashed = t->count;
}

/* 1 + the index of `s` in the table, or 0 when it is not there. */
static uint32_t strtab_find(struct batch_strtab *t, const char *s, size_t n)
{
    uint32_t i, k = t->last - 1;

    /* Most columns repeat the event before's value (host, channel, provider, source...). */
    if (t->last != 0 && t->last <= t->count && t->len[k] == n &&
        memcmp(t->bytes.data + t->off[k], s, n) == 0) {
        return t->last;
    }
    if (t->hashed != t->count || t->slot_count == 0) {
        strtab_rehash(t);
    }
    i = (uint32_t)batch_hash(s, n) & (t->slot_count - 1);
    while (t->slots[i] != 0) {
        k = t->slots[i] - 1;
        if (t->len[k] == n && memcmp(t->bytes.data + t->off[k], s, n) == 0) {
            t->last = k + 1;
            return k + 1;
        }
        i = (i + 1) & (t->slot_count - 1);
    }
    return 0;
}

/* Append a value (not hashed yet); returns 1 + its index, or 0 when `bytes` is full. */
static uint32_t strtab_push(struct batch_strtab *t, const void *s, size_t n)
{
    size_t at = t->bytes.len;

    if (t->count == UINT32_MAX - 1 || sho_buf_append(&t->bytes, s, n) != 0 ||
        sho_buf_putc(&t->bytes, '\0') != 0) {
        t->bytes.len = at;
        return 0;
    }
    if (t->count == t->cap) {
        t->cap = t->cap != 0 ? t->cap * 2 : 64;
        t->off = sho_xrealloc(t->off, t->cap * sizeof(*t->off));
        t->len = sho_xrealloc(t->len, t->cap * sizeof(*t->len));
    }
    t->off[t->count] = at;
    t->len[t->count] = n;
    return ++t->count;
}

static int put_varint(struct sho_buf *out, uint64_t v)
{
    uint8_t tmp[SHO_VARINT_MAX];

    return sho_buf_append(out, tmp, sho_varint_put(tmp, v));
}

static uint64_t zigzag(uint64_t diff)
{
    return (diff << 1) ^ (0 - (diff >> 63));
}

static uint64_t unzigzag(uint64_t z)
{
    return (z >> 1) ^ (0 - (z & 1));
}

/* ---- lifecycle ------------------------------------------------------------------ */

struct sho_event_batch *sho_event_batch_new(size_t max_len)
{
    struct sho_event_batch *b = sho_xcalloc(1, sizeof(*b));
    size_t i;

    b->max_len = max_len;
    for (i = 0; i < BATCH_STRS; i++) {
        sho_buf_init(&b->tabs[i].bytes, max_len);
    }
    b->bound = BATCH_HEAD_BOUND;
    return b;
}

void sho_event_batch_reset(struct sho_event_batch *b)
{
    size_t i;

    for (i = 0; i < BATCH_STRS; i++) {
        struct batch_strtab *t = &b->tabs[i];
        sho_buf_reset(&t->bytes);
        t->count = 0;
        t->hashed = 0;
        t->last = 0;
        if (t->slots != NULL) {
            memset(t->slots, 0, (size_t)t->slot_count * sizeof(*t->slots));
        }
    }
    b->count = 0;
    b->bound = BATCH_HEAD_BOUND;
}

void sho_event_batch_free(struct sho_event_batch *b)
{
    size_t i;

    if (b == NULL) {
        return;
    }
    for (i = 0; i < BATCH_STRS; i++) {
        sho_buf_release(&b->tabs[i].bytes);
        free(b->tabs[i].off);
        free(b->tabs[i].len);
        free(b->tabs[i].slots);
    }
    free(b->rows);
    free(b);
}

/* ---- building and encoding ------------------------------------------------------ */

static void batch_grow(struct sho_event_batch *b, size_t need)
{
    if (need > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;
        while (cap < need) {
            cap *= 2;
        }
        b->rows = sho_xrealloc(b->rows, cap * sizeof(*b->rows));
        b->cap = cap;
    }
}

int sho_event_batch_add(struct sho_event_batch *b, const struct sho_event *ev)
{
    struct batch_row row;
    size_t extra = BATCH_ROW_BOUND, i;

    /* Find the strings first, so that a batch that is full is left unchanged. */
    for (i = 0; i < BATCH_STRS; i++) {
        const char *s = sho_event_string(ev, i);
        size_t n = s != NULL ? strlen(s) : 0;
        row.str[i] = s != NULL ? strtab_find(&b->tabs[i], s, n) : 0;
        if (s != NULL && row.str[i] == 0) {
            if (n > b->max_len) {
                return SHO_ELIMIT;
            }
            extra += n + VARINT_MAX;
        }
    }
    if (b->count == UINT32_MAX || extra > b->max_len - b->bound) {
        return SHO_ELIMIT;
    }
    for (i = 0; i < BATCH_STRS; i++) {
        const char *s = sho_event_string(ev, i);
        if (s != NULL && row.str[i] == 0) {
            /* Cannot fail: `bound` counts more than each value's bytes and NUL. */
            row.str[i] = strtab_push(&b->tabs[i], s, strlen(s));
            if (row.str[i] == 0) {
                return SHO_ELIMIT;
            }
        }
    }
    batch_row_nums(ev, row.num);
    if (row.num[NUM_OUTCOME] > SHO_OUTCOME_FAILURE) {
        row.num[NUM_OUTCOME] = SHO_OUTCOME_UNKNOWN; /* as version 1 reads it back */
    }
    batch_grow(b, b->count + 1);
    b->rows[b->count++] = row;
    b->bound += extra;
    return 0;
}

size_t sho_event_batch_count(const struct sho_event_batch *b)
{
    return b->count;
}

size_t sho_event_batch_bound(const struct sho_event_batch *b)
{
    return b->bound;
}

static int batch_encode_strs(const struct sho_event_batch *b, size_t col, struct sho_buf *out)
{
    const struct batch_strtab *t = &b->tabs[col];
    size_t i;
    int rc = put_varint(out, t->count);

    for (i = 0; rc == 0 && i < t->count; i++) {
        rc = put_varint(out, t->len[i]);
        if (rc == 0) {
            rc = sho_buf_append(out, t->bytes.data + t->off[i], t->len[i]);
        }
    }
    for (i = 0; rc == 0 && i < b->count; i++) {
        rc = put_varint(out, b->rows[i].str[col]);
    }
    return rc;
}

int sho_event_batch_encode(const struct sho_event_batch *b, struct sho_buf *out)
{
    size_t start = out->len, c, i;
    int rc = sho_buf_reserve(out, b->bound);

    if (rc == 0) {
        rc = put_varint(out, b->count);
    }
    for (c = 0; rc == 0 && c < BATCH_NUMS; c++) {
        uint64_t prev = 0;
        for (i = 0; rc == 0 && i < b->count; i++) {
            uint64_t v = b->rows[i].num[c];
            rc = put_varint(out, batch_num_cols[c].is_delta ? zigzag(v - prev) : v);
            prev = v;
        }
    }
    for (c = 0; rc == 0 && c < BATCH_STRS; c++) {
        rc = batch_encode_strs(b, c, out);
    }
    if (rc != 0) {
        out->len = start;
        if (out->data != NULL) {
            out->data[start] = '\0';
        }
        return SHO_ELIMIT;
    }
    return 0;
}

/* ---- decoding and reading ------------------------------------------------------- */

static int batch_decode_nums(struct sho_event_batch *b, const uint8_t *p, size_t len, size_t *pos)
{
    size_t c, i;

    for (c = 0; c < BATCH_NUMS; c++) {
        uint64_t prev = 0;
        for (i = 0; i < b->count; i++) {
            uint64_t v;
            if (sho_varint_get(p, len, pos, &v) != 0) {
                return SHO_ECORRUPT;
            }
            if (batch_num_cols[c].is_delta) {
                v = prev + unzigzag(v);
                prev = v;
            }
            if (v > batch_num_cols[c].max) {
                return SHO_ECORRUPT;
            }
            b->rows[i].num[c] = v;
        }
    }
    return 0;
}

static int batch_decode_strs(struct sho_event_batch *b, size_t col, const uint8_t *p, size_t len,
                             size_t *pos)
{
    struct batch_strtab *t = &b->tabs[col];
    uint64_t n, k, v;
    size_t i;

    /* Each value takes at least its length's byte: more values than bytes left is damage. */
    if (sho_varint_get(p, len, pos, &n) != 0 || n > len - *pos || n >= UINT32_MAX) {
        return SHO_ECORRUPT;
    }
    for (k = 0; k < n; k++) {
        if (sho_varint_get(p, len, pos, &v) != 0 || v > len - *pos ||
            (v != 0 && memchr(p + *pos, '\0', v) != NULL)) {
            return SHO_ECORRUPT;
        }
        if (strtab_push(t, p + *pos, v) == 0) {
            return SHO_ELIMIT;
        }
        *pos += v;
    }
    for (i = 0; i < b->count; i++) {
        if (sho_varint_get(p, len, pos, &v) != 0 || v > n) {
            return SHO_ECORRUPT;
        }
        b->rows[i].str[col] = (uint32_t)v;
    }
    return 0;
}

int sho_event_batch_decode(struct sho_event_batch *b, const uint8_t *data, size_t len, size_t *used)
{
    size_t pos = 0, c;
    uint64_t count;
    int rc;

    sho_event_batch_reset(b);
    if (sho_varint_get(data, len, &pos, &count) != 0 || count > (len - pos) / BATCH_MIN_ROW_LEN) {
        return SHO_ECORRUPT;
    }
    batch_grow(b, (size_t)count);
    b->count = (size_t)count;
    rc = batch_decode_nums(b, data, len, &pos);
    for (c = 0; rc == 0 && c < BATCH_STRS; c++) {
        rc = batch_decode_strs(b, c, data, len, &pos);
    }
    if (rc != 0) {
        sho_event_batch_reset(b);
        return rc;
    }
    b->bound = pos;
    *used = pos;
    return 0;
}

void sho_event_batch_get(const struct sho_event_batch *b, size_t index, struct sho_event *ev)
{
    const struct batch_row *r;
    size_t i;

    assert(index < b->count);
    r = &b->rows[index];
    sho_event_clear(ev);
    ev->has = (uint32_t)r->num[NUM_HAS];
    ev->time = r->num[NUM_TIME];
    ev->event_id = (uint32_t)r->num[NUM_EVENT_ID];
    ev->record_id = r->num[NUM_RECORD_ID];
    ev->logon_id = r->num[NUM_LOGON_ID];
    ev->actions = (uint32_t)r->num[NUM_ACTIONS];
    ev->outcome = (enum sho_outcome)r->num[NUM_OUTCOME];
    ev->process_id = r->num[NUM_PROCESS_ID];
    ev->access_mask = r->num[NUM_ACCESS_MASK];
    ev->handle_id = r->num[NUM_HANDLE_ID];
    ev->logon_type = (uint32_t)r->num[NUM_LOGON_TYPE];
    ev->source_offset = (int64_t)r->num[NUM_SOURCE_OFFSET];
    for (i = 0; i < BATCH_STRS; i++) {
        const struct batch_strtab *t = &b->tabs[i];
        uint32_t k = r->str[i];
        sho_event_set_string(ev, i, k != 0 ? t->bytes.data + t->off[k - 1] : NULL);
    }
}
