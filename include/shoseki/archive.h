#ifndef SHOSEKI_ARCHIVE_H
#define SHOSEKI_ARCHIVE_H

/*
 * archive: shoseki's record of evidence. An append-only sequence of frames in
 * segment files under DATA/archive/, each frame zstd-compressed and chained to
 * the one before by SHA-256, holding the original bytes of every collected
 * file (deduplicated in content-defined blocks), the normalized events read
 * from it (deduplicated by identity) and one record per source. Nothing is
 * ever rewritten. The format is specified in docs/archive-format.md.
 *
 * One writer at a time (a lock file); any number of readers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"
#include "shoseki/event.h"

#define SHO_HASH_LEN                32
#define SHO_HASH_HEX                (2 * SHO_HASH_LEN + 1)
#define SHO_ARCHIVE_SEGMENT_DEFAULT ((uint64_t)256 * 1024 * 1024)

enum sho_frame_type {
    SHO_FRAME_SEGMENT = 1, /* first frame of every segment: version, set-aside tail */
    SHO_FRAME_BLOCK = 2,   /* a block of an original file's bytes */
    SHO_FRAME_EVENTS = 3,  /* a batch of normalized events of one source */
    SHO_FRAME_SOURCE = 4,  /* a collected file: hash, size, name, its blocks; commits it */
};

/* ---- hashing (OpenSSL libcrypto behind one adapter) ----------------------------- */

/* SHA-256 of `len` bytes. */
void sho_sha256(const void *data, size_t len, uint8_t out[SHO_HASH_LEN]);

/* Lower-case hex of a hash into `out` (SHO_HASH_HEX bytes with the NUL). */
void sho_hash_hex(const uint8_t hash[SHO_HASH_LEN], char out[SHO_HASH_HEX]);

/* A SHA-256 computed piece by piece: begin, update any number of times, end (which frees). */
struct sho_sha256_ctx;

/* A new digest in progress. Caller ends it with sho_sha256_end. */
struct sho_sha256_ctx *sho_sha256_begin(void);

void sho_sha256_update(struct sho_sha256_ctx *h, const void *data, size_t len);

/* The digest of everything given; frees `h`. */
void sho_sha256_end(struct sho_sha256_ctx *h, uint8_t out[SHO_HASH_LEN]);

/* Parse 64 hex digits. Returns 0 or SHO_EINVAL. */
SHO_NODISCARD int sho_hash_parse(const char *hex, uint8_t out[SHO_HASH_LEN]);

/* ---- lifecycle ------------------------------------------------------------------ */

enum sho_archive_flags {
    SHO_ARCHIVE_WRITE = 1u << 0, /* open for appending: takes the writer lock */
    SHO_ARCHIVE_WAIT = 1u << 1,  /* wait for the lock instead of failing */
};

struct sho_archive_opts {
    unsigned flags;       /* enum sho_archive_flags */
    uint64_t segment_max; /* roll over to a new segment past this size; 0 = default */
    int zstd_level;       /* 0 = default (3) */
};

struct sho_archive;

/*
 * Process-wide settings of SQLite (the dedup cache here, the index), for a
 * program's main to call before it opens any database: SQLite's memory
 * statistics off, since keeping them takes a global mutex at every
 * allocation, which the index's threads then contend for (about 8 % of a
 * first load). Called later it changes nothing.
 */
void sho_archive_sqlite_setup(void);

/*
 * Open the archive of data directory `dir` (created 0700 with its archive/
 * when writing). A writer first checks the tail: an unfinished frame left by
 * an interrupted write is set aside by starting a new segment, never by
 * rewriting (reported through sho_archive_notes). Returns 0, or SHO_EIO /
 * SHO_ECORRUPT / SHO_ETAMPER with err naming the file and offset, or
 * SHO_ELIMIT when another writer holds the lock. Caller closes with
 * sho_archive_close.
 */
SHO_NODISCARD int sho_archive_open(const char *dir, const struct sho_archive_opts *opts,
                                   struct sho_archive **out, struct sho_err *err);

/* Notes from opening (e.g. "unfinished frame set aside"), "" when none. Borrowed. */
const char *sho_archive_notes(const struct sho_archive *a);

/* Close; a writer's committed frames are already on disk. NULL does nothing. */
void sho_archive_close(struct sho_archive *a);

/* ---- writing a source ----------------------------------------------------------- */

/* What happened to one source. */
struct sho_archive_source_stats {
    char sha256[SHO_HASH_HEX]; /* of the whole file */
    uint64_t size;             /* bytes */
    uint64_t blocks;           /* blocks in the file */
    uint64_t blocks_new;       /* blocks stored now (the rest were already there) */
    uint64_t bytes_new;        /* original bytes stored now */
    uint64_t events_stored;    /* events added */
    uint64_t events_duplicate; /* events already in the archive */
    bool already_collected;    /* this exact file was collected before */
};

/*
 * Begin collecting the file at `path` of kind `kind` ("evtx", ...), labelled
 * with `host` when its records carry none (may be NULL). Stores the blocks of
 * its bytes not yet in the archive. Returns 0 when begun, 1 when this exact
 * file (same SHA-256) was collected before (add no events; end says so), or
 * a negative code (nothing begun). After 0 or 1, call sho_archive_source_end.
 */
SHO_NODISCARD int sho_archive_source_begin(struct sho_archive *a, const char *path,
                                           const char *kind, const char *host, struct sho_err *err);

/*
 * Note that the current source holds record `record_id` of the log `channel`
 * of `host`, written at FILETIME `time`: every record read, stored as an event
 * or not. The SOURCE frame keeps them as ranges, so that missing records
 * (deleted, lost to wrapping) can be told later (`report gaps`).
 */
void sho_archive_source_record(struct sho_archive *a, const char *host, const char *channel,
                               uint64_t record_id, uint64_t time);

/*
 * Describe the current source in its SOURCE frame: `name` (may be NULL: the
 * path given to begin) is recorded as its name, and `detail` (may be NULL:
 * none) as a `detail` line, a text that readers of the SOURCE frames get
 * without rebuilding the file (records keep their fields there). Copied.
 */
void sho_archive_source_describe(struct sho_archive *a, const char *name, const char *detail);

/*
 * Add one event of the current source. Events are keyed and stored a frame
 * at a time, so whether this one was new shows in the source's stats
 * (events_stored, events_duplicate) at sho_archive_source_end. Returns 1, or
 * a negative code (an error of the frame it completed).
 */
SHO_NODISCARD int sho_archive_event_put(struct sho_archive *a, const struct sho_event *ev,
                                        struct sho_err *err);

/*
 * Finish the current source: write its last events and its SOURCE frame,
 * flush to disk and commit. Fails with SHO_ECORRUPT if the file changed since
 * begin (collect a copy of a live log). `stats` may be NULL.
 */
SHO_NODISCARD int sho_archive_source_end(struct sho_archive *a,
                                         struct sho_archive_source_stats *stats,
                                         struct sho_err *err);

/* ---- reading -------------------------------------------------------------------- */

/* Where a frame is and what it is. */
struct sho_frame_info {
    uint64_t seq;               /* frame number, from 0 */
    enum sho_frame_type type;   /* what the payload holds */
    uint32_t segment;           /* segment number, from 1 */
    int64_t offset;             /* byte offset of the frame in its segment */
    int64_t end;                /* byte offset just past the frame */
    uint8_t hash[SHO_HASH_LEN]; /* this frame's chain hash */
    unsigned codec;             /* 0 stored, 1 zstd, 2 zstd against a dictionary frame */
};

/*
 * Call `fn` for every frame in order with its decompressed payload (borrowed,
 * valid during the call), checking the chain as it goes. `fn` returns 0 to go
 * on. Returns 0, `fn`'s non-zero value, or SHO_ETAMPER / SHO_ECORRUPT with err
 * naming the segment file, offset and frame.
 */
SHO_NODISCARD int sho_archive_walk(struct sho_archive *a, unsigned types,
                                   int (*fn)(void *ctx, const struct sho_frame_info *fi,
                                             const uint8_t *payload, size_t len),
                                   void *ctx, struct sho_err *err);

/*
 * A place in the chain: just after frame `seq`, whose hash is `hash` and
 * which ends at byte `end` of segment `segment`. Readers that keep up with
 * the archive (the index) store one and walk on from it.
 */
struct sho_archive_pos {
    bool is_set;                /* false: the beginning of the archive */
    uint64_t seq;               /* the last frame already seen */
    uint8_t hash[SHO_HASH_LEN]; /* its hash */
    uint32_t segment;           /* its segment number */
    int64_t end;                /* byte offset just past it */
};

/* sho_archive_walk_from: `from` is not a frame of this archive. */
#define SHO_ARCHIVE_STALE 2

/*
 * Like sho_archive_walk, but starting just after `from` (from the beginning
 * when `from` is NULL or not set), checking the chain from there on. A frame
 * whose bytes are still being appended by a writer ends the walk (it is not
 * yet part of the archive). Returns 0, SHO_ARCHIVE_STALE when the frame at
 * `from` does not have the recorded hash, `fn`'s non-zero value, or a
 * negative code with err naming the segment file, offset and frame.
 */
SHO_NODISCARD int sho_archive_walk_from(struct sho_archive *a, const struct sho_archive_pos *from,
                                        unsigned types,
                                        int (*fn)(void *ctx, const struct sho_frame_info *fi,
                                                  const uint8_t *payload, size_t len),
                                        void *ctx, struct sho_err *err);

/*
 * What sho_archive_frame_events will hand out for `payload`: `count` events,
 * and whether their strings are `shared` (payload version 2: each distinct
 * string of a field is stored once, so within the frame equal strings of a
 * field have one address, and all stay valid until sho_archive_frame_events
 * returns). Version 1 decodes each event's strings into one reused buffer.
 * Returns 0 or SHO_ECORRUPT.
 */
SHO_NODISCARD int sho_archive_frame_events_shape(const uint8_t *payload, size_t len,
                                                 uint32_t *count, bool *shared);

/*
 * Decode the events of one EVENTS frame (`payload` as a walk gives it, any
 * payload version) and call `fn` for each with ev->ref set ("SEQ:INDEX"), its
 * position `index` in the frame and the source's SHA-256. Strings are valid
 * during the call. Returns 0, `fn`'s non-zero value, or SHO_ECORRUPT when the
 * payload is not a well-formed EVENTS frame.
 */
SHO_NODISCARD int
sho_archive_frame_events(const struct sho_frame_info *fi, const uint8_t *payload, size_t len,
                         int (*fn)(void *ctx, const struct sho_event *ev, uint32_t index,
                                   const uint8_t source_sha[SHO_HASH_LEN]),
                         void *ctx);

#define SHO_FRAME_MASK(type) (1u << (type))
#define SHO_FRAME_ALL        0xFFFFFFFFu
/* In `types`: call `fn` for the frames of the other types too, with their info only (payload
 * NULL, len 0; nothing decompressed): for a reader that must see where the chain ends. */
#define SHO_FRAME_HEADERS (1u << 31)

/* Result of a full check. */
struct sho_verify_report {
    uint64_t frames, segments, sources, events, blocks;
    uint8_t head[SHO_HASH_LEN];  /* hash of the last frame */
    bool has_head;               /* false for an empty archive */
    bool expected_head_seen;     /* --expect-head: found in the chain */
    uint64_t tails_set_aside;    /* unfinished frames left by interrupted writes */
    uint64_t sources_unfinished; /* sources with events but no SOURCE frame (interrupted) */
};

/*
 * Verify the whole archive: every frame's hash, the chain, frame numbering,
 * segment numbering and each segment's record of where the previous one
 * ended, and that every event's source and every source's blocks exist.
 * With `expect_head` (may be NULL), that hash must be a frame of the chain.
 * Returns 0 intact, SHO_ETAMPER (or SHO_ECORRUPT) on the first problem with
 * err naming segment file, offset, frame and what is wrong.
 */
SHO_NODISCARD int sho_archive_verify(struct sho_archive *a, const uint8_t *expect_head,
                                     struct sho_verify_report *report, struct sho_err *err);

/* Record ids lo..hi of one log, all present in a source, and the times of lo and hi. */
struct sho_archive_range {
    uint64_t lo, hi;
    uint64_t first_time, last_time; /* FILETIME */
    const char *host, *channel;     /* "" when the records named none */
};

/* One collected source, as its SOURCE frame records it. */
struct sho_archive_source {
    char sha256[SHO_HASH_HEX];
    uint64_t size;
    const char *name;    /* path as given at collection */
    const char *kind;    /* "evtx", ... */
    const char *detail;  /* the `detail` text (records), or NULL */
    const char *host;    /* label given, or the first record's host */
    const char *channel; /* first record's channel, or NULL */
    uint64_t first_time; /* earliest event time (FILETIME), 0 unknown */
    uint64_t last_time;  /* latest event time */
    uint64_t events_stored, events_duplicate;
    uint64_t seq;                           /* the SOURCE frame's number */
    const struct sho_archive_range *ranges; /* the records it holds, by log and id */
    size_t range_count;                     /* 0 for sources collected before ranges were kept */
    bool ranges_incomplete;                 /* too many to keep: some records not described */
};

/* Call `fn` for each source in collection order. Strings borrowed during the call. */
SHO_NODISCARD int sho_archive_sources(struct sho_archive *a,
                                      int (*fn)(void *ctx, const struct sho_archive_source *s),
                                      void *ctx, struct sho_err *err);

/*
 * Write the original bytes of source `sha256` to `fd`, checking that they hash
 * to it. Returns 0, 1 when no such source exists, or a negative code.
 */
SHO_NODISCARD int sho_archive_extract(struct sho_archive *a, const uint8_t sha256[SHO_HASH_LEN],
                                      int fd, struct sho_err *err);

/*
 * Call `fn` for every stored event in archive order with its reference
 * ("FRAME:INDEX") set in ev->ref and its source's SHA-256. Strings borrowed
 * during the call.
 */
SHO_NODISCARD int sho_archive_events(struct sho_archive *a,
                                     int (*fn)(void *ctx, const struct sho_event *ev,
                                               const uint8_t source_sha[SHO_HASH_LEN]),
                                     void *ctx, struct sho_err *err);

/* Find the event with reference `ref`. Returns 1 found (`fn` called once), 0 not found. */
SHO_NODISCARD int sho_archive_event_get(struct sho_archive *a, const char *ref,
                                        int (*fn)(void *ctx, const struct sho_event *ev,
                                                  const uint8_t source_sha[SHO_HASH_LEN]),
                                        void *ctx, struct sho_err *err);

/* The writer's current head (hash of the last frame). Returns false for an empty archive. */
bool sho_archive_head(const struct sho_archive *a, uint8_t out[SHO_HASH_LEN]);

/* Bytes of all segment files. */
uint64_t sho_archive_bytes(const struct sho_archive *a);

/* ---- commands ------------------------------------------------------------------- */

/* The data directory: `given`, else $SHOSEKI_DATA, else "./shoseki-data". Borrowed. */
const char *sho_archive_data_dir(const char *given);

int sho_cmd_verify(int argc, char **argv);
int sho_cmd_sources(int argc, char **argv);
int sho_cmd_extract(int argc, char **argv);
int sho_cmd_export(int argc, char **argv);
int sho_cmd_stats(int argc, char **argv);

#endif /* SHOSEKI_ARCHIVE_H */
