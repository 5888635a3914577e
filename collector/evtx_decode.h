#ifndef SHOSEKI_EVTX_DECODE_H
#define SHOSEKI_EVTX_DECODE_H

/*
 * evtx_decode (private to collector/): our own EVTX reader. It walks the file
 * header, every 64 KiB chunk the file holds (also past the header's count,
 * and chunks whose signature or CRCs are damaged while their records stay
 * sane), each chunk's record chain and then its slack space, and decodes each
 * record's binary XML straight into a winrec (evtx_binxml.h, evtx_bxsink.h).
 * Chunks are decoded on worker threads, a bounded window of them at a time,
 * and handed out in file order, so memory does not grow with the file.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "normalize.h"
#include "shoseki/common.h"
#include "winrec.h"

#define EVTX_DEC_THREADS_MAX 16

struct evtx_dec;

/* One record handed out by evtx_dec_next. */
struct evtx_dec_rec {
    int64_t offset;     /* byte offset of the record in the file */
    uint64_t record_id; /* record header identifier */
    bool is_recovered;  /* found in slack space, not in a chunk's record chain */
    int rc;             /* 0 decoded into the winrec, else SHO_ECORRUPT / SHO_ELIMIT */
    struct sho_err err; /* when rc != 0: what is wrong (path and offset filled) */
};

/* A located problem with the container (not with one record): bad CRC, bad chunk. */
typedef void (*evtx_dec_problem_fn)(void *ctx, int64_t offset, const char *what);

struct evtx_dec_opts {
    unsigned threads;            /* decoding threads; 0 or 1: decode on the caller's thread */
    bool prepare;                /* threads also run normalizer_prepare on each record */
    unsigned norm_flags;         /* enum normalize_flags of their normalizers */
    evtx_dec_problem_fn problem; /* may be NULL */
    void *problem_ctx;           /* its context */
};

/* Open `path` and start reading. Returns 0, or SHO_EIO / SHO_ECORRUPT (not EVTX) with err
 * naming the file. */
SHO_NODISCARD int evtx_dec_open(const char *path, const struct evtx_dec_opts *opts,
                                struct evtx_dec **out, struct sho_err *err);

/* True when the file header's dirty flag is set (not closed cleanly). */
bool evtx_dec_is_dirty(const struct evtx_dec *d);

/*
 * The next record: the records of every chunk's chain in file order first,
 * then the candidates found in slack space. Returns 1 with *rec set and, when
 * rec->rc is 0, the record in `r` (borrowed view, valid until the next call)
 * and, when a decoding thread prepared it (opts.prepare), its first half of
 * normalization in *prep (the caller may change it; valid until the next
 * call), else *prep NULL; 0 at the end. `prep` may be NULL. Container problems
 * are reported through the problem callback as they are met, from the
 * caller's thread.
 */
int evtx_dec_next(struct evtx_dec *d, struct evtx_dec_rec *rec, const struct winrec **r,
                  struct norm_prepared **prep);

/* Chunks counted by the header whose records could not be read at all. */
uint64_t evtx_dec_bad_chunks(const struct evtx_dec *d);

void evtx_dec_close(struct evtx_dec *d);

/*
 * Decode every record of one chunk image (EVTX_CHUNK_SIZE bytes) and call `fn`
 * for each, in chain order then slack candidates; for tests and the fuzz
 * target. Returns the number of records in the chain, or -1 when `chunk` is
 * neither a chunk nor holds sane records.
 */
int evtx_dec_chunk(const uint8_t *chunk, size_t len,
                   void (*fn)(void *ctx, const struct evtx_dec_rec *rec, const struct winrec *r),
                   void *ctx);

/*
 * Render the record at byte `offset` of the EVTX file at `path` as XML into
 * `out`. Returns 0, or SHO_EIO / SHO_ECORRUPT with err located.
 */
SHO_NODISCARD int evtx_dec_render(const char *path, int64_t offset, struct sho_buf *out,
                                  struct sho_err *err);

#endif /* SHOSEKI_EVTX_DECODE_H */
