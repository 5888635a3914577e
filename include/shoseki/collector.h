#ifndef SHOSEKI_COLLECTOR_H
#define SHOSEKI_COLLECTOR_H

/*
 * collector: reads source logs (today: Windows .evtx through libevtx) and
 * turns each record that matters into a normalized event (shoseki/event.h),
 * handed to a caller's sink. Damaged input never stops a file: each record
 * that cannot be read is reported to the sink's `problem` callback with its
 * file and offset, counted, and skipped. Also home of the `collect` command.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"
#include "shoseki/event.h"

enum sho_collect_flags {
    SHO_COLLECT_ALL_OBJECTS = 1u << 0, /* keep registry, process, SAM, ... objects too */
    SHO_COLLECT_ALL_EVENTS = 1u << 1,  /* keep every record, with at least its System fields */
};

#define SHO_COLLECT_HANDLES_DEFAULT 65536 /* open handles remembered for 4660/4658 paths */

#define SHO_COLLECT_THREADS_MAX 16 /* decoding threads of our EVTX decoder */

/* Which EVTX decoder reads the records. */
enum sho_collect_decoder {
    SHO_DECODER_OURS = 0,    /* our own binary-XML decoder (collector/evtx_decode.c), default */
    SHO_DECODER_LIBEVTX = 1, /* libevtx renders XML, expat reads it: the reference */
};

struct sho_collect_opts {
    unsigned flags;    /* enum sho_collect_flags */
    size_t handle_max; /* open handles remembered; 0 means SHO_COLLECT_HANDLES_DEFAULT */
    unsigned decoder;  /* enum sho_collect_decoder */
    unsigned threads;  /* decoding threads of our decoder; 0 means one per online CPU */
};

/* Why a record was skipped; the per-file summary counts each reason. */
enum sho_skip_reason {
    SHO_SKIP_UNREADABLE = 0, /* the decoder could not read the record */
    SHO_SKIP_XML = 1,        /* the record's XML rendering was not well-formed */
    SHO_SKIP_TOO_LARGE = 2,  /* the record exceeded a size limit */
    SHO_SKIP_MISSED = 3,     /* in the file's record chain, but the decoder never returned it */
    SHO_SKIP_BAD_LINE = 4,   /* text sources: a line that is not a record of the format */
    SHO_SKIP_LATE = 5,       /* auditd: a record that arrived after its event was complete */
    SHO_SKIP_REASON_COUNT = 6
};

/* Name of a skip reason for summaries ("unreadable", ...). Static string. */
const char *sho_skip_reason_name(enum sho_skip_reason reason);

/* What happened to one input file. */
struct sho_collect_stats {
    uint64_t records;                        /* records the file holds (decoder's count) */
    uint64_t recovered;                      /* recovery candidates found in slack space */
    uint64_t recovered_read;                 /* candidates read as records */
    uint64_t recovered_copies;               /* candidates that copy a record still held */
    uint64_t recovered_unreadable;           /* candidates that were debris */
    uint64_t read;                           /* records read, recovered ones included */
    uint64_t bad_chunks;                     /* chunks lost to damage or truncation */
    uint64_t emitted;                        /* events handed to the sink */
    uint64_t skipped[SHO_SKIP_REASON_COUNT]; /* records skipped, by reason */
    bool is_dirty;                           /* header says not closed cleanly */
    uint64_t serial_gaps;                    /* auditd: gaps in the serial numbers */
    uint64_t serials_missing;                /* auditd: serials missing in those gaps */
    uint64_t serial_restarts;                /* auditd: serial wrapped around or restarted */
};

/* Total of stats->skipped (bad chunks not included: their records cannot be counted). */
uint64_t sho_collect_stats_skipped(const struct sho_collect_stats *stats);

/*
 * Where events and problems go. `event` returns 0 to go on or a negative
 * SHO_E* code to stop reading (with err filled). `problem` receives one
 * located error per skipped record; it may be NULL.
 */
struct sho_collect_sink {
    int (*event)(void *ctx, const struct sho_event *ev, struct sho_err *err);
    void (*problem)(void *ctx, const struct sho_err *problem);
    void *ctx;
    /* Optional (NULL: not wanted): every record read from an EVTX file or export, stored as
     * an event or not, by its log, id and time (for record-id gaps). */
    void (*record)(void *ctx, const char *host, const char *channel, uint64_t record_id,
                   uint64_t time);
};

struct sho_collector;

/* A collector with `opts` (NULL for defaults). Caller frees with sho_collector_free. */
struct sho_collector *sho_collector_new(const struct sho_collect_opts *opts);
void sho_collector_free(struct sho_collector *c);

/*
 * Read one .evtx file and send its events to `sink`. Per-record problems are
 * reported through the sink and counted in `stats` (zeroed first); they do not
 * fail the call. Records libevtx recovers from slack space are read after the
 * file's own; a candidate whose record id lies within the ids the file holds
 * is a leftover copy and is not emitted twice, and unreadable candidates are
 * counted apart (reported only at -v). Returns 0 when the file was read, SHO_ECORRUPT/SHO_EIO when
 * it could not be opened at all, or the sink's code when the sink stopped; err says which file and
 * where. Handle correlation carries over from file to file, so give a host's files in order.
 */
SHO_NODISCARD int sho_collector_read_evtx(struct sho_collector *c, const char *path,
                                          const struct sho_collect_sink *sink,
                                          struct sho_collect_stats *stats, struct sho_err *err);

/*
 * Does the file at `path` start with the EVTX file signature? Returns 1 yes,
 * 0 no (err says what it starts with or why it cannot be read).
 */
int sho_collector_is_evtx(const char *path, struct sho_err *err);

/* ---- text sources and formats (collect_text.c) ----------------------------------- */

/* Input formats; SHO_SOURCE_AUTO looks at the content. */
enum sho_source_format {
    SHO_SOURCE_AUTO = 0,
    SHO_SOURCE_EVTX = 1,   /* Windows .evtx */
    SHO_SOURCE_AUDITD = 2, /* Linux audit.log, RAW or ENRICHED */
    SHO_SOURCE_SAMBA = 3,  /* Samba vfs_full_audit lines in a syslog file */
    SHO_SOURCE_XML = 4,    /* Windows XML export: wevtutil qe /f:xml, Event Viewer "Save as XML" */
    SHO_SOURCE_CSV = 5,    /* CSV export, columns mapped by --csv-map */
};

/* Parse "auto", "evtx", "auditd", "samba", "xml", "csv". Returns 0 or SHO_EINVAL. */
SHO_NODISCARD int sho_source_format_parse(const char *name, enum sho_source_format *out);

/* The name of a format ("auditd", ...): also the `kind` of its archive sources. Static. */
const char *sho_source_format_name(enum sho_source_format format);

struct sho_textsrc;

/*
 * Tell the format of the file at `path` from its first bytes, as the text
 * reader `t` would read it (its Samba prefix; CSV only when it has a CSV map
 * or the header is a known export's). Returns 0 with *out set, or
 * SHO_ECORRUPT (err says what the file starts with) / SHO_EIO.
 */
SHO_NODISCARD int sho_source_detect(const char *path, const struct sho_textsrc *t,
                                    enum sho_source_format *out, struct sho_err *err);

struct sho_textsrc_opts {
    unsigned flags;           /* enum sho_collect_flags */
    const char *host;         /* host for records that carry none (may be NULL) */
    const char *uid_map;      /* passwd-style file: uid -> name (may be NULL) */
    const char *samba_prefix; /* full_audit:prefix of smb.conf (NULL: "%u|%I|%m|%S") */
    const char *tz;           /* zone of times logged without one: "UTC", "+09:00", "Asia/Tokyo" */
    const char *csv_map;      /* --csv-map file (needed for CSV) */
    size_t pending_max;       /* auditd: open events kept at most (0: default) */
};

/*
 * A reader of text sources with `opts` (borrowed strings are copied or loaded
 * now). Returns 0, or SHO_EINVAL / SHO_EIO when an option or a file it names is
 * unusable (err says which). Caller frees with sho_textsrc_free.
 */
SHO_NODISCARD int sho_textsrc_new(const struct sho_textsrc_opts *opts, struct sho_textsrc **out,
                                  struct sho_err *err);
void sho_textsrc_free(struct sho_textsrc *t);

/*
 * Read one text file of `format` (not AUTO or EVTX) and send its events to
 * `sink`; bad lines are reported through the sink as "line N: what" at their
 * byte offset, counted in `stats` (zeroed first) and skipped. Returns 0 when
 * the file was read, SHO_EIO when it could not be, or the sink's code.
 */
SHO_NODISCARD int sho_textsrc_read(struct sho_textsrc *t, const char *path,
                                   enum sho_source_format format,
                                   const struct sho_collect_sink *sink,
                                   struct sho_collect_stats *stats, struct sho_err *err);

/*
 * For `cat`: call `fn` with each original record (line, or XML element, or CSV
 * record) of the event stored with `source_offset` in the text file at `path`
 * of `format`: for auditd every line carrying the same msg=audit(...) stamp,
 * for the others the record at that offset. Returns 1 when found, 0 not, or a
 * negative code.
 */
SHO_NODISCARD int
sho_textsrc_records(const char *path, enum sho_source_format format, int64_t source_offset,
                    int (*fn)(void *ctx, int64_t offset, const char *text, size_t len), void *ctx,
                    struct sho_err *err);

/*
 * Append to `out` the original record of the event stored at byte `offset`
 * of the source file at `path` (rebuilt from the archive) of kind `kind`
 * ("evtx", "auditd", ...; NULL or "" means evtx): for EVTX the record's XML
 * (our decoder; libevtx when ours cannot read it), for text sources each
 * original record as "OFFSET:text\n", for a record (shoseki record) its whole
 * text. Returns 0, SHO_ECORRUPT when no record
 * is at that offset (or the kind is unknown), or another negative code.
 */
SHO_NODISCARD int sho_collector_original(const char *path, const char *kind, int64_t offset,
                                         struct sho_buf *out, struct sho_err *err);

/* ---- input discovery ------------------------------------------------------------ */

/*
 * Called for each input file, or with `problem` set for a path that could not
 * be read (the walk goes on). Returns 0 to go on, non-zero to stop the walk.
 */
typedef int (*sho_collect_walk_fn)(void *ctx, const char *file, const struct sho_err *problem);

/*
 * Call `fn` for every input named by `path`: the file itself, or for a
 * directory every regular file below it whose name ends in ".evtx", ".xml",
 * ".csv", ".log" (any case) or ".log.N" (rotated logs),
 * in byte order of their paths, recursively. Symlinked directories are not
 * followed. Returns 0 or the first non-zero return of `fn`.
 */
SHO_NODISCARD int sho_collect_walk(const char *path, sho_collect_walk_fn fn, void *ctx,
                                   struct sho_err *err);

/* ---- command -------------------------------------------------------------------- */

/* `shoseki collect`: argv[0] is "collect". Returns a process exit code (enum sho_exit). */
int sho_cmd_collect(int argc, char **argv);

/* `shoseki cat REF`: the original record of a stored event (EVTX: its XML). */
int sho_cmd_cat(int argc, char **argv);

#endif /* SHOSEKI_COLLECTOR_H */
