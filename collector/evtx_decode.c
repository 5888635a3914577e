/*
 * evtx_decode: our EVTX reader (see evtx_decode.h). Container format from
 * libyal's "Windows XML Event Log (EVTX)" documentation:
 *   file header 4096 bytes: "ElfFile\0", chunk count u16 at 42, flags u32 at
 *               120 (1 = dirty), CRC32 of bytes 0-119 at 124;
 *   chunk       65536 bytes: "ElfChnk\0", free-space offset u32 at 48, CRC32
 *               of the records (512 .. free space) at 52, CRC32 of header
 *               bytes 0-119 and 128-511 at 124; records from offset 512;
 *   record      "**\0\0", size u32, id u64, written FILETIME, binary XML,
 *               size copy u32.
 * Reading goes beyond what the header and the chain promise, because the
 * evidence may be there: chunks past the header's count, chunks whose
 * signature or CRCs are damaged (read when their records are sane; each
 * damage is reported), records whose trailing size copy is wrong, and
 * record-shaped candidates in each chunk's slack space (kept as positions
 * and decoded after every chained record, so the collector can tell copies
 * of held records from lost ones).
 *
 * Threads: the caller's thread hands chunk numbers to a ring of slots;
 * decoders read and decode whole chunks (each with its own template cache)
 * into a batch of winrec images, each with its first half of normalization
 * (normalizer_prepare) when asked; the caller hands batches out strictly in
 * file order. With N threads there are N - 1 workers and the caller's thread
 * is the N-th decoder: whenever the chunk it must hand out next is not
 * decoded yet, it decodes that one (or another waiting one) itself rather
 * than sleep, so no core idles while there is work. The ring bounds memory:
 * at most N * DEC_SLOTS_PER_THREAD chunks and their batches exist.
 */
#include "evtx_decode.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtx_binxml.h"
#include "evtx_bxsink.h"
#include "evtx_crc.h"
#include "evtx_scan.h"

#define DEC_SLOTS_PER_THREAD 3
#define DEC_MAX_CANDIDATES   (1u << 20) /* slack candidates remembered per file */
#define DEC_RECORD_ALIGN     8          /* records start on 8-byte boundaries */
#define DEC_PROBLEMS_MAX     4          /* container problems kept per chunk */

static const uint8_t file_magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };
static const uint8_t chunk_magic[8] = { 'E', 'l', 'f', 'C', 'h', 'n', 'k', 0 };
static const uint8_t rec_magic[4] = { 0x2a, 0x2a, 0, 0 };

/* One decoded record inside a batch: the winrec's scalars, its fields and arena by place. */
struct dec_item {
    struct evtx_dec_rec rec; /* what evtx_dec_next hands out */
    struct winrec head;      /* scalars and arena offsets; fields and arena unused */
    size_t field_first;      /* in the batch's fields */
    size_t arena_base;       /* in the batch's arena */
    size_t arena_len;        /* bytes */
    bool prepared;           /* `prep` holds the record's first half of normalization */
    struct norm_packed prep; /* strings in the batch's arena */
};

struct dec_problem {
    int64_t offset;
    char what[SHO_ERR_MSG_MAX];
};

struct dec_cand {
    int64_t chunk; /* chunk index */
    uint32_t off;  /* record offset in the chunk */
};

/* Slot states; a worker only ever looks at a slot in SLOT_READY. */
enum slot_state { SLOT_READY, SLOT_BUSY, SLOT_DONE, SLOT_FREE };

/* A chunk and what decoding it gave. */
struct dec_slot {
    int64_t index;                                 /* chunk index, -1 empty */
    uint8_t data[EVTX_CHUNK_SIZE];                 /* the chunk image */
    size_t len;                                    /* bytes read */
    bool in_header;                                /* counted by the file header */
    int state;                                     /* enum slot_state */
    struct dec_item *items;                        /* owned */
    size_t item_count, item_cap;                   /* in use, allocated */
    struct winrec_field *fields;                   /* owned */
    size_t field_count, field_cap;                 /* in use, allocated */
    struct sho_buf arena;                          /* owned */
    uint32_t cands[EVTX_CHUNK_SIZE / 64];          /* slack candidate offsets */
    size_t cand_count;                             /* in use */
    struct dec_problem problems[DEC_PROBLEMS_MAX]; /* container problems */
    size_t problem_count;                          /* in use */
    bool unreadable;                               /* no record could be read from it */
    bool truncated;                                /* the file ends inside it */
};

/* Per-thread decoding state. */
struct dec_worker {
    struct evtx_bx *bx;         /* owned: template cache */
    struct normalizer *norm;    /* owned, NULL unless records are prepared here */
    struct evtx_bxrec *brec;    /* owned */
    struct winrec rec;          /* owned scratch */
    const struct evtx_crc *crc; /* borrowed */
    const char *path;           /* borrowed, for messages */
};

struct evtx_dec {
    struct evtx_crc crc;            /* tables */
    struct winrec view;             /* what evtx_dec_next lends */
    struct norm_prepared prep_view; /* ...and its prepared half */
    struct dec_worker main;         /* the caller's thread's decoder */
    struct dec_worker workers[EVTX_DEC_THREADS_MAX];
    pthread_t threads[EVTX_DEC_THREADS_MAX];
    pthread_mutex_t lock;        /* guards slot states, stop */
    pthread_cond_t work;         /* a slot was filled, or stop */
    pthread_cond_t done;         /* a slot was decoded */
    char *path;                  /* owned */
    struct evtx_dec_opts opts;   /* as opened */
    evtx_dec_problem_fn problem; /* may be NULL */
    void *problem_ctx;           /* its context */
    struct dec_slot *slots;      /* owned ring */
    size_t slot_count;           /* ring size */
    int64_t next_read;           /* next chunk index to read */
    int64_t next_out;            /* next chunk index to hand out */
    size_t item_pos;             /* next item of the current slot */
    struct dec_cand *cands;      /* owned: slack candidates of the file */
    size_t cand_count, cand_cap; /* in use, allocated */
    size_t cand_pos;             /* next to decode */
    uint64_t bad_chunks;         /* counted problems */
    int64_t missing_at;          /* first counted chunk past the end, -1 none */
    int64_t file_chunks;         /* chunks (whole or cut) the file held when opened */
    uint32_t walk_off, walk_end; /* one thread: the chain position in the current chunk */
    struct dec_slot *cand_slot;  /* owned: chunk of the candidate being read */
    int fd;                      /* owned */
    unsigned thread_count;       /* worker threads */
    uint16_t header_chunks;      /* chunk count in the file header */
    bool dirty;                  /* header flag */
    bool eof;                    /* no chunk after next_read */
    bool missing_told;           /* reported */
    bool stop;                   /* workers end */
    bool walking;                /* one thread: the current chunk's chain is being walked */
};

/* ---- one chunk ------------------------------------------------------------------------ */

static void slot_problem(struct dec_slot *s, uint32_t off, const char *what)
{
    if (s->problem_count < DEC_PROBLEMS_MAX) {
        struct dec_problem *p = &s->problems[s->problem_count++];
        p->offset = EVTX_FILE_HEADER_SIZE + s->index * (int64_t)EVTX_CHUNK_SIZE + off;
        sho_str_copy(p->what, sizeof(p->what), what);
    }
}

static void slot_reset(struct dec_slot *s)
{
    s->item_count = 0;
    s->field_count = 0;
    s->cand_count = 0;
    s->problem_count = 0;
    s->unreadable = false;
    s->truncated = false;
    sho_buf_reset(&s->arena);
}

/* Prepare item `it` (its record just kept in the batch) with the worker's normalizer. */
static void slot_prepare(struct dec_worker *w, struct dec_slot *s, struct dec_item *it)
{
    struct norm_prepared p;

    normalizer_prepare(w->norm, &w->rec, &p);
    it->prepared = norm_pack(&p, w->rec.arena.data, w->rec.arena.len, it->arena_base, &s->arena,
                             &it->prep) == 0;
}

/* Copy the worker's winrec into the slot's batch as one item. */
static void slot_keep(struct dec_worker *w, struct dec_slot *s, const struct evtx_dec_rec *rec)
{
    const struct winrec *r = &w->rec;
    struct dec_item *it;

    if (s->item_count == s->item_cap) {
        s->item_cap = s->item_cap == 0 ? 256 : s->item_cap * 2;
        s->items = sho_xrealloc(s->items, s->item_cap * sizeof(*s->items));
    }
    it = &s->items[s->item_count];
    it->rec = *rec;
    it->field_first = s->field_count;
    it->arena_base = s->arena.len;
    it->arena_len = 0;
    it->prepared = false;
    memset(&it->head, 0, sizeof(it->head));
    if (rec->rc == 0) {
        it->head = *r;
        it->head.fields = NULL;
        memset(&it->head.arena, 0, sizeof(it->head.arena));
        if (s->field_count + r->field_count > s->field_cap) {
            while (s->field_count + r->field_count > s->field_cap) {
                s->field_cap = s->field_cap == 0 ? 4096 : s->field_cap * 2;
            }
            s->fields = sho_xrealloc(s->fields, s->field_cap * sizeof(*s->fields));
        }
        if (r->field_count > 0) {
            memcpy(s->fields + s->field_count, r->fields, r->field_count * sizeof(*r->fields));
            s->field_count += r->field_count;
        }
        if (r->arena.len > 0 && sho_buf_append(&s->arena, r->arena.data, r->arena.len) != 0) {
            it->rec.rc = SHO_ELIMIT;
            (void)sho_err_set(&it->rec.err, SHO_ELIMIT, NULL, rec->offset,
                              "record %llu: chunk decodes to too much text",
                              (unsigned long long)rec->record_id);
        } else {
            it->arena_len = r->arena.len;
            if (w->norm != NULL) {
                slot_prepare(w, s, it);
            }
        }
    }
    s->item_count++;
}

/* Decode the record at chunk offset `off` (size checked) into the worker's winrec. */
static void dec_record(struct dec_worker *w, const struct dec_slot *s, uint32_t off, uint32_t size,
                       struct evtx_dec_rec *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->offset = EVTX_FILE_HEADER_SIZE + s->index * (int64_t)EVTX_CHUNK_SIZE + off;
    rec->record_id = sho_le64(s->data + off + 8);
    rec->rc = evtx_bxrec_decode(w->brec, w->bx, off + 24, off + size - 4, &w->rec, &rec->err);
    if (rec->rc != 0) {
        char msg[SHO_ERR_MSG_MAX];
        sho_str_copy(msg, sizeof(msg), rec->err.msg);
        (void)sho_err_set(&rec->err, rec->rc, w->path, rec->offset, "record %llu: %s",
                          (unsigned long long)rec->record_id, msg);
    }
}

/* Is there a sane record header at `off`, of at most `end - off` bytes? */
static bool rec_sane(const uint8_t *c, uint32_t off, uint32_t end, uint32_t *size)
{
    uint32_t n;

    if (off + EVTX_RECORD_MIN_SIZE > end || memcmp(c + off, rec_magic, 4) != 0) {
        return false;
    }
    n = sho_le32(c + off + 4);
    if (n < EVTX_RECORD_MIN_SIZE || n > end - off) {
        return false;
    }
    *size = n;
    return true;
}

/* Record-shaped bytes in slack: sane header and a matching size copy. */
static void slot_scan_slack(struct dec_slot *s, uint32_t from)
{
    uint32_t off, size;

    off = (from + DEC_RECORD_ALIGN - 1) & ~(uint32_t)(DEC_RECORD_ALIGN - 1);
    while (off + EVTX_RECORD_MIN_SIZE <= EVTX_CHUNK_SIZE) {
        const uint8_t *hit = memchr(s->data + off, 0x2a, EVTX_CHUNK_SIZE - off);
        if (hit == NULL) {
            return;
        }
        off = (uint32_t)(hit - s->data) & ~(uint32_t)(DEC_RECORD_ALIGN - 1);
        if (rec_sane(s->data, off, EVTX_CHUNK_SIZE, &size) &&
            sho_le32(s->data + off + size - 4) == size &&
            s->cand_count < sizeof(s->cands) / sizeof(s->cands[0])) {
            s->cands[s->cand_count++] = off;
            off += size;
        } else {
            off += DEC_RECORD_ALIGN;
        }
    }
}

static bool slot_is_zero(const struct dec_slot *s)
{
    size_t i;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] != 0) {
            return false;
        }
    }
    return true;
}

static void slot_check_crcs(const struct dec_worker *w, struct dec_slot *s, uint32_t free_off)
{
    uint32_t crc = evtx_crc32(w->crc, 0, s->data, 120);

    crc = evtx_crc32(w->crc, crc, s->data + 128, EVTX_CHUNK_HEADER_SIZE - 128);
    if (crc != sho_le32(s->data + 124)) {
        slot_problem(s, 0, "chunk header CRC mismatch: records read all the same");
    }
    if (free_off >= EVTX_CHUNK_HEADER_SIZE && free_off <= EVTX_CHUNK_SIZE &&
        evtx_crc32(w->crc, 0, s->data + EVTX_CHUNK_HEADER_SIZE,
                   free_off - EVTX_CHUNK_HEADER_SIZE) != sho_le32(s->data + 52)) {
        slot_problem(s, 0, "chunk records CRC mismatch: records read all the same");
    }
}

/*
 * Check chunk `s` and prepare to walk its chain: *off and *end get the
 * chain's bounds. Returns false when no record can be read from it.
 */
static bool slot_begin(struct dec_worker *w, struct dec_slot *s, uint32_t *off, uint32_t *end)
{
    bool magic_ok = s->len >= sizeof(chunk_magic) && memcmp(s->data, chunk_magic, 8) == 0;
    uint32_t size;

    slot_reset(s);
    *off = EVTX_CHUNK_HEADER_SIZE;
    if (s->len < EVTX_CHUNK_SIZE) {
        memset(s->data + s->len, 0, EVTX_CHUNK_SIZE - s->len);
        s->truncated = true;
        slot_problem(s, (uint32_t)s->len,
                     "file ends inside a chunk (truncated): the records before the cut are read");
    }
    *end = sho_le32(s->data + 48);
    if (*end > EVTX_CHUNK_SIZE || *end < EVTX_CHUNK_HEADER_SIZE || !magic_ok) {
        *end = EVTX_CHUNK_SIZE; /* damaged header: walk while records stay sane */
    }
    if (!magic_ok) {
        if (!rec_sane(s->data, *off, *end, &size)) {
            s->unreadable = true;
            if (s->in_header) {
                slot_problem(s, 0,
                             slot_is_zero(s)
                                 ? "chunk is all zeros: whatever records it held are gone"
                                 : "chunk signature damaged: its records cannot be read");
            }
            return false;
        }
        slot_problem(s, 0, "chunk signature damaged: its records read all the same");
    } else if (!s->truncated) {
        slot_check_crcs(w, s, *end);
    }
    evtx_bx_chunk(w->bx, s->data, EVTX_CHUNK_SIZE);
    return true;
}

/*
 * Decode the chained record at *off into w->rec and step past it. At the end
 * of the chain, scan the slack after it and return false.
 */
static bool slot_step(struct dec_worker *w, struct dec_slot *s, uint32_t *off, uint32_t end,
                      struct evtx_dec_rec *rec)
{
    uint32_t size;

    if (!rec_sane(s->data, *off, end, &size)) {
        slot_scan_slack(s, *off);
        return false;
    }
    dec_record(w, s, *off, size, rec);
    *off += size;
    return true;
}

/* Decode all of chunk `s` into its batch (worker threads). */
static void slot_decode(struct dec_worker *w, struct dec_slot *s)
{
    struct evtx_dec_rec rec;
    uint32_t off, end;

    if (!slot_begin(w, s, &off, &end)) {
        return;
    }
    while (slot_step(w, s, &off, end, &rec)) {
        slot_keep(w, s, &rec);
    }
}

/* ---- workers ------------------------------------------------------------------------- */

static void worker_init(struct dec_worker *w, const struct evtx_crc *crc, const char *path)
{
    w->norm = NULL;
    w->bx = evtx_bx_new();
    w->brec = evtx_bxrec_new();
    winrec_init(&w->rec);
    w->crc = crc;
    w->path = path;
}

static void worker_release(struct dec_worker *w)
{
    normalizer_free(w->norm);
    evtx_bx_free(w->bx);
    evtx_bxrec_free(w->brec);
    winrec_release(&w->rec);
}

struct worker_arg {
    struct evtx_dec *d;
    struct dec_worker *w;
};

static size_t dec_pread(int fd, uint8_t *buf, size_t len, off_t at)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, at + (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    return got;
}

/* The first slot waiting for a decoder, or NULL (lock held). */
static struct dec_slot *dec_ready(struct evtx_dec *d)
{
    size_t i;

    for (i = 0; i < d->slot_count; i++) {
        if (d->slots[i].state == SLOT_READY) {
            return &d->slots[i];
        }
    }
    return NULL;
}

/* Read and decode slot `s`, taken in SLOT_READY (lock held; released while working). */
static void dec_work(struct evtx_dec *d, struct dec_worker *w, struct dec_slot *s)
{
    s->state = SLOT_BUSY;
    (void)pthread_mutex_unlock(&d->lock);
    /* Reading the chunk here keeps the copy off the caller's thread, the busiest one. */
    s->len = dec_pread(d->fd, s->data, EVTX_CHUNK_SIZE,
                       (off_t)EVTX_FILE_HEADER_SIZE + (off_t)s->index * EVTX_CHUNK_SIZE);
    slot_decode(w, s);
    (void)pthread_mutex_lock(&d->lock);
    s->state = SLOT_DONE;
    (void)pthread_cond_broadcast(&d->done);
}

static void *worker_main(void *arg)
{
    struct evtx_dec *d = ((struct worker_arg *)arg)->d;
    struct dec_worker *w = ((struct worker_arg *)arg)->w;

    free(arg);
    (void)pthread_mutex_lock(&d->lock);
    for (;;) {
        struct dec_slot *s = dec_ready(d);
        if (s != NULL) {
            dec_work(d, w, s);
        } else if (d->stop) {
            break;
        } else {
            (void)pthread_cond_wait(&d->work, &d->lock);
        }
    }
    (void)pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* ---- reading ------------------------------------------------------------------------- */

/* Read chunk `index` into `s`; false past the end of the file. */
static bool dec_load(struct evtx_dec *d, struct dec_slot *s, int64_t index)
{
    off_t at = (off_t)EVTX_FILE_HEADER_SIZE + (off_t)index * EVTX_CHUNK_SIZE;

    s->len = dec_pread(d->fd, s->data, EVTX_CHUNK_SIZE, at);
    s->index = index;
    s->in_header = index < d->header_chunks;
    if (s->len == 0) {
        s->index = -1;
        return false;
    }
    return true;
}

/* At the end of the file: the header may count chunks that are not there. */
static void dec_missing(struct evtx_dec *d)
{
    if (d->next_read < d->header_chunks && d->missing_at < 0) {
        d->bad_chunks++;
        d->missing_at = EVTX_FILE_HEADER_SIZE + d->next_read * (int64_t)EVTX_CHUNK_SIZE;
    }
}

/* Fill every empty slot with the next chunks; wake the workers. */
static void dec_fill(struct evtx_dec *d)
{
    size_t i;
    bool filled = false;

    for (i = 0; i < d->slot_count && !d->eof; i++) {
        struct dec_slot *s = &d->slots[(size_t)(d->next_read % (int64_t)d->slot_count)];
        if (s->index >= 0) {
            break;
        }
        if (d->thread_count > 0) {
            /* The worker reads the chunk; the file's size says where the chunks end. */
            if (d->next_read >= d->file_chunks) {
                d->eof = true;
                dec_missing(d);
                break;
            }
            s->index = d->next_read;
            s->in_header = s->index < d->header_chunks;
            (void)pthread_mutex_lock(&d->lock);
            s->state = SLOT_READY;
            (void)pthread_mutex_unlock(&d->lock);
        } else {
            if (!dec_load(d, s, d->next_read)) {
                d->eof = true;
                dec_missing(d);
                break;
            }
            s->state = SLOT_READY;
        }
        d->next_read++;
        filled = true;
    }
    if (filled && d->thread_count > 0) {
        (void)pthread_mutex_lock(&d->lock);
        (void)pthread_cond_broadcast(&d->work);
        (void)pthread_mutex_unlock(&d->lock);
    }
}

/* The decoded slot of chunk next_out, or NULL at the end. */
static struct dec_slot *dec_current(struct evtx_dec *d)
{
    struct dec_slot *s;

    if (d->next_out >= d->next_read) {
        dec_fill(d);
        if (d->next_out >= d->next_read) {
            return NULL;
        }
    }
    s = &d->slots[(size_t)(d->next_out % (int64_t)d->slot_count)];
    if (d->thread_count == 0) {
        return s; /* decoded record by record by evtx_dec_next */
    }
    /* Rather than wait, the caller's thread decodes too: its own chunk first. */
    (void)pthread_mutex_lock(&d->lock);
    while (s->state != SLOT_DONE) {
        struct dec_slot *t = s->state == SLOT_READY ? s : dec_ready(d);
        if (t != NULL) {
            dec_work(d, &d->main, t);
        } else {
            (void)pthread_cond_wait(&d->done, &d->lock);
        }
    }
    (void)pthread_mutex_unlock(&d->lock);
    return s;
}

/* Report a finished slot's problems, keep its candidates, free it for the next chunk. */
static void dec_retire(struct evtx_dec *d, struct dec_slot *s)
{
    size_t i;

    for (i = 0; i < s->problem_count; i++) {
        if (d->problem != NULL) {
            d->problem(d->problem_ctx, s->problems[i].offset, s->problems[i].what);
        }
    }
    if ((s->unreadable || s->truncated) && s->in_header) {
        d->bad_chunks++;
    }
    for (i = 0; i < s->cand_count && d->cand_count < DEC_MAX_CANDIDATES; i++) {
        if (d->cand_count == d->cand_cap) {
            d->cand_cap = d->cand_cap == 0 ? 256 : d->cand_cap * 2;
            d->cands = sho_xrealloc(d->cands, d->cand_cap * sizeof(*d->cands));
        }
        d->cands[d->cand_count++] = (struct dec_cand){ s->index, s->cands[i] };
    }
    s->index = -1;
    if (d->thread_count > 0) {
        (void)pthread_mutex_lock(&d->lock);
        s->state = SLOT_FREE;
        (void)pthread_mutex_unlock(&d->lock);
    } else {
        s->state = SLOT_FREE;
    }
    d->next_out++;
    d->item_pos = 0;
    dec_fill(d);
}

/* Point `v` at batch item `it` of slot `s` (borrowed until the slot is reused). */
static void dec_view(struct winrec *v, const struct dec_slot *s, const struct dec_item *it)
{
    *v = it->head;
    v->fields = s->fields != NULL ? s->fields + it->field_first : NULL;
    v->arena.data = s->arena.data != NULL ? s->arena.data + it->arena_base : NULL;
    v->arena.len = it->arena_len;
    v->arena.cap = it->arena_len;
    v->arena.limit = it->arena_len;
}

/*
 * Slack holds leftovers whose templates may have been overwritten: a
 * candidate counts as a record only when it decodes to an event id and a
 * creation time, the least an event is.
 */
static void dec_check_recovered(const char *path, const struct winrec *r, struct evtx_dec_rec *rec)
{
    const uint32_t need = WINREC_HAS_EVENT_ID | WINREC_HAS_TIME;

    if (rec->rc == 0 && (r->has & need) != need) {
        rec->rc = SHO_ECORRUPT;
        (void)sho_err_set(&rec->err, SHO_ECORRUPT, path, rec->offset,
                          "record %llu: recovered from slack space without an "
                          "event id or time: debris",
                          (unsigned long long)rec->record_id);
    }
}

/* The next slack candidate, decoded on the caller's thread. */
static int dec_next_candidate(struct evtx_dec *d, struct evtx_dec_rec *rec, const struct winrec **r)
{
    struct dec_slot *s = d->cand_slot;

    while (d->cand_pos < d->cand_count) {
        const struct dec_cand *c = &d->cands[d->cand_pos++];
        uint32_t size;
        if (s->index != c->chunk) {
            if (!dec_load(d, s, c->chunk)) {
                continue;
            }
            evtx_bx_chunk(d->main.bx, s->data, EVTX_CHUNK_SIZE);
        }
        if (!rec_sane(s->data, c->off, EVTX_CHUNK_SIZE, &size)) {
            continue;
        }
        dec_record(&d->main, s, c->off, size, rec);
        rec->is_recovered = true;
        dec_check_recovered(d->path, &d->main.rec, rec);
        *r = rec->rc == 0 ? &d->main.rec : NULL;
        return 1;
    }
    return 0;
}

int evtx_dec_next(struct evtx_dec *d, struct evtx_dec_rec *rec, const struct winrec **r,
                  struct norm_prepared **prep)
{
    struct dec_slot *s;

    *r = NULL;
    if (prep != NULL) {
        *prep = NULL;
    }
    while ((s = dec_current(d)) != NULL) {
        if (d->thread_count == 0) {
            /* One thread: decode in place, no batch to copy through. */
            if (!d->walking) {
                d->walking = slot_begin(&d->main, s, &d->walk_off, &d->walk_end);
            }
            if (d->walking && slot_step(&d->main, s, &d->walk_off, d->walk_end, rec)) {
                *r = rec->rc == 0 ? &d->main.rec : NULL;
                return 1;
            }
            d->walking = false;
            dec_retire(d, s);
            continue;
        }
        if (d->item_pos < s->item_count) {
            const struct dec_item *it = &s->items[d->item_pos++];
            *rec = it->rec;
            if (rec->rc == 0) {
                dec_view(&d->view, s, it);
                *r = &d->view;
                if (it->prepared && prep != NULL) {
                    norm_unpack(&it->prep, s->arena.data, &d->prep_view);
                    *prep = &d->prep_view;
                }
            }
            return 1;
        }
        dec_retire(d, s);
    }
    if (d->missing_at >= 0 && !d->missing_told) {
        d->missing_told = true;
        if (d->problem != NULL) {
            d->problem(d->problem_ctx, d->missing_at,
                       "file ends before the chunks its header counts (truncated)");
        }
    }
    return dec_next_candidate(d, rec, r);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static int dec_header(struct evtx_dec *d, struct sho_err *err)
{
    uint8_t h[EVTX_FILE_HEADER_SIZE];
    size_t n = dec_pread(d->fd, h, sizeof(h), 0);

    if (n < 128 || memcmp(h, file_magic, sizeof(file_magic)) != 0) {
        return sho_err_set(err, SHO_ECORRUPT, d->path, 0,
                           "not a readable EVTX file: no 'ElfFile' signature");
    }
    d->header_chunks = sho_le16(h + 42);
    d->dirty = (sho_le32(h + 120) & 1u) != 0;
    if (evtx_crc32(&d->crc, 0, h, 120) != sho_le32(h + 124) && d->problem != NULL) {
        d->problem(d->problem_ctx, 0, "file header CRC mismatch: chunks read all the same");
    }
    return 0;
}

static void dec_start_threads(struct evtx_dec *d, unsigned threads)
{
    unsigned i;

    (void)pthread_mutex_init(&d->lock, NULL);
    (void)pthread_cond_init(&d->work, NULL);
    (void)pthread_cond_init(&d->done, NULL);
    for (i = 0; i < threads; i++) {
        struct worker_arg *a = sho_xmalloc(sizeof(*a));
        worker_init(&d->workers[i], &d->crc, d->path);
        if (d->opts.prepare) {
            /* only the first half runs here: its handle table stays empty */
            d->workers[i].norm = normalizer_new(d->opts.norm_flags, 1);
        }
        a->d = d;
        a->w = &d->workers[i];
        if (pthread_create(&d->threads[i], NULL, worker_main, a) != 0) {
            free(a);
            worker_release(&d->workers[i]);
            break;
        }
        d->thread_count++;
    }
}

int evtx_dec_open(const char *path, const struct evtx_dec_opts *opts, struct evtx_dec **out,
                  struct sho_err *err)
{
    struct evtx_dec *d = sho_xcalloc(1, sizeof(*d));
    unsigned threads = opts->threads;
    struct stat st;
    size_t i;
    int rc;

    d->path = sho_xstrdup(path);
    d->opts = *opts;
    d->problem = opts->problem;
    d->problem_ctx = opts->problem_ctx;
    d->missing_at = -1;
    evtx_crc_init(&d->crc);
    d->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (d->fd < 0) {
        char etext[128];
        rc = sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
        free(d->path);
        free(d);
        return rc;
    }
    if (fstat(d->fd, &st) == 0 && st.st_size > EVTX_FILE_HEADER_SIZE) {
        d->file_chunks =
            (st.st_size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE;
    }
    rc = dec_header(d, err);
    if (rc != 0) {
        (void)close(d->fd);
        free(d->path);
        free(d);
        return rc;
    }
    /* The caller's thread is one of the decoders: it decodes whenever it would wait. */
    threads = threads > EVTX_DEC_THREADS_MAX ? EVTX_DEC_THREADS_MAX : threads;
    threads = threads <= 1 ? 0 : threads - 1;
    d->slot_count = threads == 0 ? 1 : (size_t)(threads + 1) * DEC_SLOTS_PER_THREAD;
    d->slots = sho_xcalloc(d->slot_count, sizeof(*d->slots));
    for (i = 0; i < d->slot_count; i++) {
        d->slots[i].index = -1;
        d->slots[i].state = SLOT_FREE;
        sho_buf_init(&d->slots[i].arena, (size_t)64 << 20);
    }
    d->cand_slot = sho_xcalloc(1, sizeof(*d->cand_slot));
    d->cand_slot->index = -1;
    sho_buf_init(&d->cand_slot->arena, 0);
    worker_init(&d->main, &d->crc, d->path);
    if (opts->prepare && threads > 0) {
        d->main.norm = normalizer_new(opts->norm_flags, 1);
    }
    winrec_init(&d->view);
    free(d->view.fields); /* the view borrows batch fields */
    d->view.fields = NULL;
    if (threads > 0) {
        dec_start_threads(d, threads);
    }
    *out = d;
    return 0;
}

bool evtx_dec_is_dirty(const struct evtx_dec *d)
{
    return d->dirty;
}

uint64_t evtx_dec_bad_chunks(const struct evtx_dec *d)
{
    return d->bad_chunks;
}

void evtx_dec_close(struct evtx_dec *d)
{
    size_t i;

    if (d == NULL) {
        return;
    }
    if (d->thread_count > 0) {
        (void)pthread_mutex_lock(&d->lock);
        d->stop = true;
        (void)pthread_cond_broadcast(&d->work);
        (void)pthread_mutex_unlock(&d->lock);
        for (i = 0; i < d->thread_count; i++) {
            (void)pthread_join(d->threads[i], NULL);
            worker_release(&d->workers[i]);
        }
    }
    if (d->slots != NULL) {
        (void)pthread_mutex_destroy(&d->lock);
        (void)pthread_cond_destroy(&d->work);
        (void)pthread_cond_destroy(&d->done);
    }
    for (i = 0; d->slots != NULL && i < d->slot_count; i++) {
        free(d->slots[i].items);
        free(d->slots[i].fields);
        sho_buf_release(&d->slots[i].arena);
    }
    free(d->slots);
    free(d->cand_slot);
    free(d->cands);
    worker_release(&d->main);
    (void)close(d->fd);
    free(d->path);
    free(d);
}

int evtx_dec_chunk(const uint8_t *chunk, size_t len,
                   void (*fn)(void *ctx, const struct evtx_dec_rec *rec, const struct winrec *r),
                   void *ctx)
{
    struct evtx_crc *crc = sho_xmalloc(sizeof(*crc));
    struct dec_slot *s = sho_xcalloc(1, sizeof(*s));
    struct dec_worker w;
    struct evtx_dec_rec rec;
    int count;
    size_t i;

    evtx_crc_init(crc);
    worker_init(&w, crc, "chunk");
    sho_buf_init(&s->arena, (size_t)64 << 20);
    s->len = len < EVTX_CHUNK_SIZE ? len : EVTX_CHUNK_SIZE;
    memcpy(s->data, chunk, s->len);
    s->in_header = true;
    slot_decode(&w, s);
    count = s->unreadable ? -1 : (int)s->item_count;
    for (i = 0; i < s->item_count && fn != NULL; i++) {
        struct winrec view;
        dec_view(&view, s, &s->items[i]);
        fn(ctx, &s->items[i].rec, s->items[i].rec.rc == 0 ? &view : NULL);
    }
    for (i = 0; i < s->cand_count && fn != NULL; i++) {
        uint32_t size;
        if (rec_sane(s->data, s->cands[i], EVTX_CHUNK_SIZE, &size)) {
            dec_record(&w, s, s->cands[i], size, &rec);
            rec.is_recovered = true;
            dec_check_recovered("chunk", &w.rec, &rec);
            fn(ctx, &rec, rec.rc == 0 ? &w.rec : NULL);
        }
    }
    free(s->items);
    free(s->fields);
    sho_buf_release(&s->arena);
    free(s);
    worker_release(&w);
    free(crc);
    return count;
}

int evtx_dec_render(const char *path, int64_t offset, struct sho_buf *out, struct sho_err *err)
{
    struct evtx_dec *d = NULL;
    struct dec_slot *s;
    int64_t index = (offset - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE;
    struct evtx_dec_opts opts;
    uint32_t off, size;
    int rc;

    memset(&opts, 0, sizeof(opts));
    rc = evtx_dec_open(path, &opts, &d, err);
    if (rc != 0 || d == NULL) {
        return rc != 0 ? rc : SHO_EIO;
    }
    s = d->cand_slot;
    off = (uint32_t)((offset - EVTX_FILE_HEADER_SIZE) % EVTX_CHUNK_SIZE);
    if (offset < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE || !dec_load(d, s, index) ||
        !rec_sane(s->data, off, EVTX_CHUNK_SIZE, &size)) {
        rc = sho_err_set(err, SHO_ECORRUPT, path, offset, "no event record at this offset");
    } else {
        evtx_bx_chunk(d->main.bx, s->data, EVTX_CHUNK_SIZE);
        rc = evtx_bxxml_render(d->main.bx, off + 24, off + size - 4, out, err);
        if (rc != 0 && err != NULL) {
            err->offset = offset;
            sho_str_copy(err->path, sizeof(err->path), path);
        }
    }
    evtx_dec_close(d);
    return rc;
}
