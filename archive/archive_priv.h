#ifndef SHOSEKI_ARCHIVE_PRIV_H
#define SHOSEKI_ARCHIVE_PRIV_H

/*
 * archive_priv (private to archive/): frame layout, segment naming, the
 * incremental hash, content-defined chunking and the dedup cache, shared by
 * the archive's writer, reader and verifier. docs/archive-format.md is the
 * normative description of the bytes.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/archive.h"
#include "shoseki/event.h"

/* ---- frame layout ---------------------------------------------------------------- */

#define ARC_SEGMENT_MAGIC     "SHOSEG01" /* 8 bytes at the start of every segment file */
#define ARC_SEGMENT_MAGIC_LEN 8
#define ARC_FRAME_MAGIC       "SHF1"
#define ARC_FRAME_HEADER      56 /* magic .. prev_hash */
#define ARC_FRAME_OVERHEAD    (ARC_FRAME_HEADER + SHO_HASH_LEN)
#define ARC_PAYLOAD_MAX       ((uint32_t)(64u << 20))
#define ARC_CODEC_NONE        0
#define ARC_CODEC_ZSTD        1
#define ARC_CODEC_ZSTD_DICT   2 /* zstd with an earlier BLOCK frame's content as dictionary */
#define ARC_DICT_REF_LEN      (8 + 4 + 8 + SHO_HASH_LEN)
#define ARC_FORMAT_VERSION    1

/* A frame header as read from disk. */
struct arc_frame_head {
    uint8_t type;                    /* enum sho_frame_type */
    uint8_t codec;                   /* ARC_CODEC_* */
    uint64_t seq;                    /* frame number */
    uint32_t stored_len;             /* payload bytes in the file */
    uint32_t raw_len;                /* payload bytes after decompression */
    uint8_t prev_hash[SHO_HASH_LEN]; /* the previous frame's hash */
};

/*
 * A dictionary frame: an earlier BLOCK frame stored without a dictionary (a
 * keyframe), whose content later frames are compressed against, so that the
 * few new chunks of tonight's copy of a log compress as well as they would
 * inside the whole file. Referencing frames record where it is and its hash.
 */
/* A writer keeps one dictionary for original bytes and one for events. */
enum arc_dict_kind { ARC_DICT_BLOCKS = 0, ARC_DICT_EVENTS = 1, ARC_DICT_KINDS = 2 };

struct arc_dict {
    uint64_t seq;               /* the keyframe's number */
    uint32_t segment;           /* its segment */
    int64_t offset;             /* its offset in that segment */
    uint8_t hash[SHO_HASH_LEN]; /* its chain hash */
    const uint8_t *data;        /* its decompressed payload (borrowed) */
    size_t len;
};

/* Finds the content of a dictionary frame named by a referencing frame. */
struct arc_dict_resolver;
struct arc_dict_resolver *arc_dict_resolver_new(struct sho_archive *a);
void arc_dict_resolver_free(struct arc_dict_resolver *r);
SHO_NODISCARD int arc_dict_resolve(struct arc_dict_resolver *r, struct arc_dict *ref,
                                   struct sho_err *err);

/*
 * The two halves of arc_frame_build, so that the costly one can run outside
 * the archive's lock: `pack` compresses the payload into `out` behind a header
 * without its place in the chain; `seal` gives it its number and the previous
 * frame's hash and appends its own hash (`out` must have room: pack reserves it).
 */
SHO_NODISCARD int arc_frame_pack(enum sho_frame_type type, const void *payload, size_t len,
                                 int zstd_level, const struct arc_dict *dict, struct sho_buf *out);
void arc_frame_seal(struct sho_buf *out, uint64_t seq, const uint8_t prev_hash[SHO_HASH_LEN],
                    uint8_t hash[SHO_HASH_LEN]);

/*
 * Build a complete frame (header, payload compressed when that is smaller,
 * against `dict` when not NULL, hash) into `out` (reset first); `hash` gets
 * its chain hash. Returns 0 or SHO_ELIMIT.
 */
SHO_NODISCARD int arc_frame_build(enum sho_frame_type type, uint64_t seq,
                                  const uint8_t prev_hash[SHO_HASH_LEN], const void *payload,
                                  size_t len, int zstd_level, const struct arc_dict *dict,
                                  struct sho_buf *out, uint8_t hash[SHO_HASH_LEN]);

/*
 * Read the frame at `offset` of the open segment `fd` (file size `size`):
 * header, payload and hash, checked against each other. `raw` gets the
 * decompressed payload (a dictionary-compressed frame needs `dicts`). Returns
 * 0; 1 when fewer bytes remain than the frame needs (an unfinished tail);
 * SHO_ETAMPER / SHO_ECORRUPT with err->msg set.
 */
SHO_NODISCARD int arc_frame_read(int fd, int64_t offset, int64_t size, struct arc_frame_head *head,
                                 uint8_t hash[SHO_HASH_LEN], struct sho_buf *stored,
                                 struct sho_buf *raw, struct arc_dict_resolver *dicts,
                                 struct sho_err *err);

/* ---- segments -------------------------------------------------------------------- */

#define ARC_SEGMENT_NAME_MAX 32

/* "seg-00000001.sho" for segment `n`. */
void arc_segment_name(uint32_t n, char out[ARC_SEGMENT_NAME_MAX]);

/* Segment numbers present in `archive_dir`, sorted, into *out (caller frees). */
SHO_NODISCARD int arc_segment_list(const char *archive_dir, uint32_t **out, size_t *count,
                                   struct sho_err *err);

/* Parse a SEGMENT frame payload. Returns 0 or SHO_ECORRUPT. */
SHO_NODISCARD int arc_segment_parse(const uint8_t *p, size_t len, uint32_t *number,
                                    uint64_t *prev_valid_len, uint64_t *set_aside);

/* ---- incremental hash ------------------------------------------------------------- */

struct arc_sha256;
struct arc_sha256 *arc_sha256_new(void);
void arc_sha256_update(struct arc_sha256 *h, const void *data, size_t len);
/* Finish, write the digest and free `h`. */
void arc_sha256_final(struct arc_sha256 *h, uint8_t out[SHO_HASH_LEN]);

/* ---- content-defined chunking ----------------------------------------------------- */

#define ARC_CDC_MIN ((size_t)4 * 1024)
#define ARC_CDC_MAX ((size_t)64 * 1024)

/*
 * Length of the next block of `data` (`len` bytes, `is_last` when nothing
 * follows): a cut where a gear hash of the content says so, between
 * ARC_CDC_MIN and ARC_CDC_MAX, so identical content yields identical blocks
 * wherever it sits in a file. Returns 0 when more input is needed.
 */
size_t arc_cdc_cut(const uint8_t *data, size_t len, bool is_last);

/*
 * Where the next EVTX block ends: at the file header (4096 bytes), then at
 * every chunk boundary, so each 64 KiB chunk is one block and a chunk that
 * two copies of a log share is stored once, whatever its position. `pos` is
 * the file offset of `data`. Returns 0 when more input is needed.
 */
size_t arc_evtx_cut(uint64_t pos, size_t len, bool is_last);

/* ---- block frames ------------------------------------------------------------------ */

/*
 * BLOCK frame payload: u32 count, then count entries of {hash[32], u32 len},
 * then the blocks' bytes back to back. Blocks stored together compress
 * together, which is most of what zstd can find in an EVTX file.
 */
#define ARC_BLOCK_ENTRY     (SHO_HASH_LEN + 4)
#define ARC_BLOCK_FRAME_MAX ((size_t)4 * 1024 * 1024)

struct arc_block_table {
    uint32_t count;         /* blocks in the frame */
    const uint8_t *entries; /* count * ARC_BLOCK_ENTRY bytes */
    const uint8_t *data;    /* the blocks' bytes */
    size_t data_len;        /* sum of their lengths */
};

/* Check and index a BLOCK payload. Returns 0 or SHO_ECORRUPT. */
SHO_NODISCARD int arc_blocks_parse(const uint8_t *p, size_t len, struct arc_block_table *t);

/* ---- events frames ----------------------------------------------------------------- */

/*
 * EVENTS payload (events_payload.c): version 1, a sequence of {key, event};
 * version 2, a marker where version 1 has its count, then a columnar batch
 * (shoseki/event.h) whose keys are recomputed from the events. The writer
 * writes version 2; readers take both.
 */
#define ARC_EVENT_KEY_LEN  16          /* version 1: each event's key, truncated to 128 bits */
#define ARC_EVENTS_MARKER  0xFFFFFFFFu /* in place of a version 1 count */
#define ARC_EVENTS_VERSION 2           /* the version the writer writes */

/* A reader of one EVENTS payload at a time; init once, load each payload. */
struct arc_events {
    const uint8_t *p;              /* the payload (borrowed) */
    size_t len;                    /* its length */
    uint32_t version;              /* 1 or ARC_EVENTS_VERSION once loaded */
    uint32_t count;                /* events in it */
    uint32_t next;                 /* index of the next event */
    size_t pos;                    /* version 1: offset of the next entry */
    struct sho_buf strings;        /* version 1: strings of the last event */
    struct sho_event_batch *batch; /* version 2: the decoded batch (owned) */
};

void arc_events_init(struct arc_events *r);
void arc_events_release(struct arc_events *r);

/* Take payload `p` (borrowed until the next load). Returns 0 or SHO_ECORRUPT. */
SHO_NODISCARD int arc_events_load(struct arc_events *r, const uint8_t *p, size_t len);

/*
 * The next event into `ev` (strings valid until the next call). Returns 1, 0
 * after the last event, or SHO_ECORRUPT (a version 1 entry that does not
 * decode, or bytes after the last one).
 */
SHO_NODISCARD int arc_events_next(struct arc_events *r, struct sho_event *ev);

/* Build a version 2 payload of batch `b` for source `sha` into `out` (reset first). */
SHO_NODISCARD int arc_events_build(const uint8_t sha[SHO_HASH_LEN], const struct sho_event_batch *b,
                                   struct sho_buf *out);

/* ---- source records --------------------------------------------------------------- */

/* A parsed SOURCE frame; strings point into `text` (owned). */
struct arc_source_rec {
    struct sho_archive_source pub;    /* what sho_archive_sources hands out */
    struct sho_archive_range *ranges; /* owned, pub.ranges; strings point into text */
    uint8_t sha[SHO_HASH_LEN];        /* binary sha256 */
    uint8_t (*blocks)[SHO_HASH_LEN];  /* owned, block hashes in file order */
    uint64_t *block_lens;             /* owned */
    size_t block_count;
    char *text; /* owned copy of the payload */
};

SHO_NODISCARD int arc_source_parse(const uint8_t *p, size_t len, struct arc_source_rec *rec);
void arc_source_release(struct arc_source_rec *rec);

/* ---- record-id ranges of a source (ranges.c) ---------------------------------------- */

struct arc_ranges;
struct arc_ranges *arc_ranges_new(void);
void arc_ranges_free(struct arc_ranges *g);
void arc_ranges_add(struct arc_ranges *g, const char *host, const char *channel, uint64_t id,
                    uint64_t time);
/* Append the `records` lines (merged ranges, sorted by log and id) to a SOURCE text. */
SHO_NODISCARD int arc_ranges_text(struct arc_ranges *g, struct sho_buf *out);
/* Parse one `records` value in place; strings of `out` point into `value`. */
SHO_NODISCARD int arc_ranges_parse(char *value, struct sho_archive_range *out);

/* Escape a value for a SOURCE/SEGMENT text line (\\ and \n). */
SHO_NODISCARD int arc_text_value(struct sho_buf *b, const char *key, const char *value);

/* ---- dedup cache (SQLite) --------------------------------------------------------- */

/*
 * What the writer must know to avoid storing anything twice: block hashes,
 * event keys and source hashes already in the archive, and the last frame
 * the cache reflects. A derived cache, like the index: deleting it costs one
 * full walk of the archive at the next collect, nothing else.
 */
struct arc_head {
    bool is_set;                /* the cache reflects at least one frame */
    uint64_t seq;               /* last frame reflected */
    uint8_t hash[SHO_HASH_LEN]; /* its hash */
    uint32_t segment;           /* its segment */
    int64_t end;                /* offset just past it */
    bool has_dict[2];           /* the writer's dictionary keyframes are known */
    struct arc_dict dict[2];    /* where they are (data not set), by enum arc_dict_kind */
};

struct arc_dedup;

SHO_NODISCARD int arc_dedup_open(const char *path, struct arc_dedup **out, struct sho_err *err);
void arc_dedup_close(struct arc_dedup *d);
/* Forget everything (before a rebuild). */
SHO_NODISCARD int arc_dedup_clear(struct arc_dedup *d, struct sho_err *err);
SHO_NODISCARD int arc_dedup_head(struct arc_dedup *d, struct arc_head *head, struct sho_err *err);
SHO_NODISCARD int arc_dedup_begin(struct arc_dedup *d, struct sho_err *err);
/* Record `head` and commit everything added since begin. */
SHO_NODISCARD int arc_dedup_commit(struct arc_dedup *d, const struct arc_head *head,
                                   struct sho_err *err);
void arc_dedup_rollback(struct arc_dedup *d);
/* 1 present, 0 absent, negative on error. */
SHO_NODISCARD int arc_dedup_has_block(struct arc_dedup *d, const uint8_t hash[SHO_HASH_LEN],
                                      struct sho_err *err);
SHO_NODISCARD int arc_dedup_add_block(struct arc_dedup *d, const uint8_t hash[SHO_HASH_LEN],
                                      struct sho_err *err);
/* Add an event's identity (its key, docs/archive-format.md): 1 when it was new, 0 when
 * already present. */
SHO_NODISCARD int arc_dedup_add_event(struct arc_dedup *d, const struct sho_event *ev,
                                      struct sho_err *err);
/*
 * Add the identities of a batch's events; dup[i] (one byte per event) tells
 * whether event i was present already, in the cache or earlier in the batch.
 * Returns the number of those, or a negative code.
 */
SHO_NODISCARD int arc_dedup_add_events(struct arc_dedup *d, const struct sho_event_batch *b,
                                       uint8_t *dup, struct sho_err *err);
SHO_NODISCARD int arc_dedup_has_source(struct arc_dedup *d, const uint8_t sha[SHO_HASH_LEN],
                                       struct sho_err *err);
/* Record a collected source: its hash and its size. */
SHO_NODISCARD int arc_dedup_add_source(struct arc_dedup *d, const uint8_t sha[SHO_HASH_LEN],
                                       uint64_t size, struct sho_err *err);
/* Was a source of `size` bytes collected? 1 yes, 0 no (no file of that size can be), or < 0. */
SHO_NODISCARD int arc_dedup_has_size(struct arc_dedup *d, uint64_t size, struct sho_err *err);

/* ---- the archive object and its walk ---------------------------------------------- */

struct arc_source_state; /* the writer's current source (archive_writer.c) */

struct sho_archive {
    char *dir;                    /* owned: the data directory */
    char *archive_dir;            /* owned: DATA/archive */
    struct sho_archive_opts opts; /* defaults filled */
    int lock_fd;                  /* writer lock, -1 for readers */
    struct arc_dedup *dedup;      /* writer only */
    struct sho_buf notes;         /* what opening found */
    /* the chain's tail */
    bool has_head;                            /* at least one frame exists */
    uint8_t head[SHO_HASH_LEN];               /* hash of the last frame */
    uint64_t next_seq;                        /* number of the next frame */
    uint32_t seg_no;                          /* writer: segment being appended */
    int seg_fd;                               /* writer: its descriptor, -1 none */
    int64_t seg_size;                         /* writer: its length */
    uint64_t frames_uncommitted;              /* writer: frames since the last commit */
    struct arc_source_state *src;             /* writer: current source, or NULL */
    struct sho_buf frame;                     /* scratch: one built frame */
    struct arc_dict dict[ARC_DICT_KINDS];     /* writer: dictionary keyframes, len 0 none */
    struct sho_buf dict_data[ARC_DICT_KINDS]; /* writer: their contents */
};

/* What a walk saw. */
struct arc_walk_state {
    uint64_t frames, segments;  /* frames and segments walked */
    bool has_head;              /* a frame was seen (or given as start) */
    uint8_t head[SHO_HASH_LEN]; /* last frame's hash */
    uint64_t next_seq;          /* number the next frame must have */
    uint32_t last_segment;      /* last segment walked, 0 none */
    int64_t last_end;           /* offset past its last whole frame */
    int64_t last_size;          /* its file size */
    uint64_t tails_set_aside;   /* unfinished tails declared by later segments */
    bool creating;              /* the last segment's creation was interrupted: */
    int64_t create_have;        /* it holds only this prefix of the signature (0-8 bytes) */
    uint64_t create_prev_valid; /* what its SEGMENT frame must record */
    uint64_t create_set_aside;
};

typedef int (*arc_frame_fn)(void *ctx, const struct sho_frame_info *fi, const uint8_t *payload,
                            size_t len);

#define ARC_WALK_STALE 2 /* arc_walk: `from` does not match the archive */

/*
 * Walk frames in order from the beginning, or from just after `from`,
 * checking numbering, the chain and the segment records. `fn` gets frames
 * whose type is in `types` with their payload (decompressed). Returns 0,
 * ARC_WALK_STALE, `fn`'s non-zero value, or a negative code with err naming
 * the segment file, offset and frame.
 */
SHO_NODISCARD int arc_walk(struct sho_archive *a, const struct arc_head *from, unsigned types,
                           arc_frame_fn fn, void *ctx, struct arc_walk_state *ws,
                           struct sho_err *err);

/*
 * Append one frame to the writer's segment (rolling over when full),
 * compressed against `dict` when not NULL. *where (may be NULL) gets the
 * frame's place, for a frame that becomes the next dictionary.
 */
SHO_NODISCARD int arc_append(struct sho_archive *a, enum sho_frame_type type, const void *payload,
                             size_t len, const struct arc_dict *dict, struct arc_dict *where,
                             struct sho_err *err);

/*
 * Append a frame packed by arc_frame_pack (from a payload of `len` bytes)
 * elsewhere: only sealing and writing it happen here, under the caller's lock.
 */
SHO_NODISCARD int arc_append_packed(struct sho_archive *a, struct sho_buf *packed, size_t len,
                                    struct arc_dict *where, struct sho_err *err);

/* Make the frame at `where` with content `p` the writer's dictionary of `kind` (copied). */
void arc_dict_set(struct sho_archive *a, enum arc_dict_kind kind, const struct arc_dict *where,
                  const uint8_t *p, size_t len);

/* Flush the segment to disk, then commit the dedup cache with the new head. */
SHO_NODISCARD int arc_commit(struct sho_archive *a, struct sho_err *err);

/* Path of segment `n` into `out`. */
void arc_segment_path(const struct sho_archive *a, uint32_t n, char *out, size_t out_len);

/* Writer: free the current source state (archive_writer.c). */
void arc_source_state_free(struct arc_source_state *s);

/* ---- storing a source's blocks (writer_blocks.c) ------------------------------------------- */

#define ARC_SOURCE_TEXT_LIMIT ((size_t)256 * 1024 * 1024)
#define ARC_DICT_MIN          ((size_t)1024 * 1024) /* new block bytes that make a keyframe */

struct arc_blocks;

/*
 * Start storing the blocks of the file open as `fd` (read with pread from
 * offset 0) on a thread of its own, taking `lock` for each use of the
 * archive; "block HEX LEN" lines go to `lines`. Without a thread the blocks
 * are stored before it returns.
 */
struct arc_blocks *arc_blocks_start(struct sho_archive *a, pthread_mutex_t *lock, const char *path,
                                    int fd, bool evtx, struct sho_buf *lines);

/*
 * May the blocks thread still use the archive? Once false, it stays false and
 * the caller needs no lock until the next arc_blocks_start.
 */
bool arc_blocks_running(struct arc_blocks *b);

/*
 * Wait for the blocks (`abandon`: stop them at the next block), add their
 * counts to `st` (may be NULL), free the job (NULL: nothing). Returns 0, or
 * the thread's error in `err` (may be NULL).
 */
int arc_blocks_finish(struct arc_blocks *b, bool abandon, struct sho_archive_source_stats *st,
                      struct sho_err *err);

/* ---- hashing a source (writer_hash.c) ---------------------------------------------------- */

struct arc_file_hash;

/*
 * Start hashing the whole file open as `fd` (pread from offset 0; `path` for
 * messages, borrowed) on a thread of its own, or before returning when no
 * thread is to be had.
 */
struct arc_file_hash *arc_file_hash_start(const char *path, int fd);

/*
 * Wait for the file's SHA-256 and the number of bytes it covers. Returns 0,
 * or SHO_EIO with `err` naming the file and offset where reading failed.
 */
SHO_NODISCARD int arc_file_hash_get(struct arc_file_hash *h, uint8_t sha[SHO_HASH_LEN],
                                    uint64_t *size, struct sho_err *err);

/* Stop hashing if need be, wait for the thread and free `h` (NULL: nothing). */
void arc_file_hash_free(struct arc_file_hash *h);

/* ---- storing a source's events (writer_events.c) ------------------------------------------ */

/* Store one batch of events (on the events thread). Returns 0 or a negative code in `err`. */
typedef int (*arc_events_store_fn)(void *ctx, const struct sho_event_batch *batch,
                                   struct sho_err *err);

struct arc_events_job;

/*
 * Start a thread that stores the batches handed to it with `store`, one at a
 * time, in order; batches may encode to `max_len` bytes. Without a thread a
 * batch is stored when it is handed over.
 */
struct arc_events_job *arc_events_job_start(arc_events_store_fn store, void *ctx, size_t max_len);

/*
 * Hand the batch *filled over (nothing when it is empty), after the previous
 * one is stored; *filled becomes an empty batch to fill. Returns 0, or the
 * error of an earlier store (then nothing more is stored).
 */
SHO_NODISCARD int arc_events_job_hand(struct arc_events_job *j, struct sho_event_batch **filled,
                                      struct sho_err *err);

/*
 * Wait until every batch handed over is stored (NULL: none were). Returns 0
 * or the first store's error.
 */
SHO_NODISCARD int arc_events_job_wait(struct arc_events_job *j, struct sho_err *err);

/* Wait, end the thread and free the job (NULL: nothing). */
void arc_events_job_free(struct arc_events_job *j);

#endif /* SHOSEKI_ARCHIVE_PRIV_H */
