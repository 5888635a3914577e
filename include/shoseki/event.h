#ifndef SHOSEKI_EVENT_H
#define SHOSEKI_EVENT_H

/*
 * event: the normalized access event ("who touched which file, how, when") that
 * every source produces and every later stage consumes, its closed set of
 * actions, and its three renderings: JSON lines, CSV (RFC 4180) and an aligned
 * table for people. The key names and the CSV column order are a public
 * contract (README, docs/collect.md); later stages add `ref`.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "shoseki/common.h"

/* ---- actions -------------------------------------------------------------------- */

/* One bit per action of DESIGN.md; the order is the order names are printed in. */
enum sho_action {
    SHO_ACT_READ = 1u << 0,
    SHO_ACT_WRITE = 1u << 1,
    SHO_ACT_APPEND = 1u << 2,
    SHO_ACT_DELETE = 1u << 3,
    SHO_ACT_RENAME = 1u << 4,
    SHO_ACT_CREATE = 1u << 5,
    SHO_ACT_EXECUTE = 1u << 6,
    SHO_ACT_LIST = 1u << 7,
    SHO_ACT_READ_ATTR = 1u << 8,
    SHO_ACT_WRITE_ATTR = 1u << 9,
    SHO_ACT_PERM_CHANGE = 1u << 10,
    SHO_ACT_OWNER_CHANGE = 1u << 11,
    SHO_ACT_SHARE_CONNECT = 1u << 12,
    SHO_ACT_LOGON = 1u << 13,
    SHO_ACT_LOGOFF = 1u << 14,
    SHO_ACT_LOG_CLEARED = 1u << 15,
    SHO_ACT_AUDIT_POLICY = 1u << 16,
    SHO_ACT_DEVICE_CONNECT = 1u << 17,
};

#define SHO_ACTION_COUNT 18

/* Name of action bit number `index` (0 = read), e.g. "read-attributes"; NULL past the end. */
const char *sho_action_name(unsigned index);

/* The bit for an action name, or 0 when `name` is not one. */
uint32_t sho_action_parse(const char *name);

enum sho_outcome {
    SHO_OUTCOME_UNKNOWN = 0,
    SHO_OUTCOME_SUCCESS = 1,
    SHO_OUTCOME_FAILURE = 2,
};

/* "success", "failure" or NULL for unknown. */
const char *sho_outcome_name(enum sho_outcome outcome);

/* ---- the event ------------------------------------------------------------------ */

/* Which of the numeric fields hold a value (strings use NULL for "unknown"). */
enum sho_event_has {
    SHO_HAS_TIME = 1u << 0,
    SHO_HAS_EVENT_ID = 1u << 1,
    SHO_HAS_RECORD_ID = 1u << 2,
    SHO_HAS_LOGON_ID = 1u << 3,
    SHO_HAS_PROCESS_ID = 1u << 4,
    SHO_HAS_ACCESS_MASK = 1u << 5,
    SHO_HAS_HANDLE_ID = 1u << 6,
    SHO_HAS_LOGON_TYPE = 1u << 7,
    SHO_HAS_SOURCE_OFFSET = 1u << 8,
};

/*
 * One normalized event. Strings are borrowed: the producer owns them and they
 * stay valid only until its next event (collector: until the next record).
 * A consumer that keeps an event copies what it needs.
 */
struct sho_event {
    uint32_t has;                 /* enum sho_event_has bits */
    uint64_t time;                /* FILETIME ticks, UTC (System/TimeCreated) */
    const char *host;             /* computer as logged */
    const char *channel;          /* e.g. "Security" */
    const char *provider;         /* e.g. "Microsoft-Windows-Security-Auditing" */
    uint32_t event_id;            /* native event id */
    uint64_t record_id;           /* EventRecordID */
    const char *user_sid;         /* S-1-5-... */
    const char *user;             /* account name */
    const char *domain;           /* account domain */
    uint64_t logon_id;            /* session id, joins to 4624 TargetLogonId */
    uint32_t actions;             /* enum sho_action bits */
    enum sho_outcome outcome;     /* success / failure / unknown */
    const char *object_type;      /* "File", "Key", "SAM_USER", ... */
    const char *path;             /* object path as logged (UNC for 5140/5145) */
    const char *process;          /* image path */
    uint64_t process_id;          /* numeric pid */
    const char *client_ip;        /* remote address for share and logon events */
    const char *share;            /* share name without its \\*\ prefix */
    const char *share_local_path; /* share's local path as logged */
    uint64_t access_mask;         /* raw AccessMask */
    uint64_t handle_id;           /* raw HandleId */
    uint32_t logon_type;          /* 4624 LogonType */
    const char *source;           /* input file the record came from */
    int64_t source_offset;        /* byte offset of the record in `source` */
    const char *ref;              /* archive reference; NULL before archiving */
};

/* Zero every field: all strings NULL, `has` empty. */
void sho_event_clear(struct sho_event *ev);

/*
 * The string members of an event by number, for code that treats them alike
 * (the columnar codec, handing events between threads), in this order: host,
 * channel, provider, user_sid, user, domain, object_type, path, process,
 * client_ip, share, share_local_path, source, ref. A new string member is
 * added here (before `ref`) and nowhere else.
 */
#define SHO_EVENT_STRINGS 14

/* String member `i` (< SHO_EVENT_STRINGS) of `ev`. */
const char *sho_event_string(const struct sho_event *ev, size_t i);

/* Set string member `i` (< SHO_EVENT_STRINGS) of `ev` to `s` (borrowed). */
void sho_event_set_string(struct sho_event *ev, size_t i, const char *s);

/* ---- rendering ------------------------------------------------------------------ */

enum sho_event_format {
    SHO_FORMAT_JSONL = 0,
    SHO_FORMAT_CSV = 1,
    SHO_FORMAT_TABLE = 2,
};

/* Parse "jsonl", "json", "csv" or "table". Returns 0 or SHO_EINVAL. */
SHO_NODISCARD int sho_event_format_parse(const char *name, enum sho_event_format *out);

struct sho_event_writer;

enum sho_event_writer_flags {
    SHO_WRITER_REF = 1u << 0,       /* add the `ref` key / column */
    SHO_WRITER_EXCEL = 1u << 1,     /* CSV for Excel: UTF-8 BOM and CRLF */
    SHO_WRITER_NO_HEADER = 1u << 2, /* CSV: the caller writes the header line (and BOM) */
};

/* The CSV columns / JSON keys of an event with `flags` (SHO_WRITER_REF adds `ref`): their
 * count, and the name of column `index` ("time", ...; NULL past the end). Static strings. */
size_t sho_event_field_count(unsigned flags);
const char *sho_event_field_name(size_t index);

/*
 * A writer of events to `out` (borrowed; the caller closes it after
 * sho_event_writer_free). CSV writes its header line at the first event or at
 * finish, whichever comes first. Caller frees with sho_event_writer_free.
 */
struct sho_event_writer *sho_event_writer_new(FILE *out, enum sho_event_format format,
                                              unsigned flags);

/* Render one event. Returns 0, or SHO_EIO when `out` fails (err names "<stdout>"). */
SHO_NODISCARD int sho_event_writer_put(struct sho_event_writer *w, const struct sho_event *ev,
                                       struct sho_err *err);

/* Flush what is buffered (the table buffers rows to align them). Returns 0 or SHO_EIO. */
SHO_NODISCARD int sho_event_writer_finish(struct sho_event_writer *w, struct sho_err *err);

void sho_event_writer_free(struct sho_event_writer *w);

/*
 * Append `ev` as one JSON object (no newline) to `b`. Returns 0 or SHO_ELIMIT.
 * Exposed for tests and for stages that embed events in larger documents.
 */
SHO_NODISCARD int sho_event_to_json(const struct sho_event *ev, unsigned flags, struct sho_buf *b);

/* Append the JSON string literal of `s` (quoted, escaped; bad UTF-8 becomes U+FFFD). */
SHO_NODISCARD int sho_json_append_string(struct sho_buf *b, const char *s);

/* ---- binary codec --------------------------------------------------------------- */

/*
 * The archive's first encoding of one event (EVENTS payload version 1,
 * docs/archive-format.md): a u32 length, fixed-width numbers, then each string
 * as u32 length (0xFFFFFFFF for NULL) and bytes. `ref` is not encoded: it is
 * where the event lies, not what it is. The archive writes the columnar batch
 * below since version 2 and still reads frames of this one.
 */

/* Append the encoding of `ev` to `b`. Returns 0 or SHO_ELIMIT. */
SHO_NODISCARD int sho_event_encode(const struct sho_event *ev, struct sho_buf *b);

/*
 * Decode the event at `data` (`len` bytes available) into `ev`; its strings
 * are copied into `strings` (reset first), so they stay valid until the next
 * decode into the same buffer. *used gets the bytes consumed. Returns 0, or
 * SHO_ECORRUPT when the bytes are not a well-formed event (nothing is read
 * past `len`), or SHO_ELIMIT when `strings` is full.
 */
SHO_NODISCARD int sho_event_decode(const uint8_t *data, size_t len, struct sho_event *ev,
                                   struct sho_buf *strings, size_t *used);

/* ---- columnar batch codec ------------------------------------------------------- */

/*
 * A batch of events in the archive's columnar encoding (EVENTS payload
 * version 2, docs/archive-format.md): each field's values together, numbers
 * as varints (times, record ids and source offsets as differences from the
 * event before), strings as indices into the batch's table of distinct
 * values. It is filled either by adding events or by decoding bytes, and read
 * back by index; decoding what was encoded gives every field back.
 */
struct sho_event_batch;

/*
 * An empty batch whose encoding may take at most `max_len` bytes (adding past
 * that fails; decoding longer string tables fails). Caller frees with
 * sho_event_batch_free.
 */
struct sho_event_batch *sho_event_batch_new(size_t max_len);

/* Forget every event (memory is kept for the next batch). */
void sho_event_batch_reset(struct sho_event_batch *b);

/*
 * Add a copy of `ev` (`ref` is not kept). Returns 0, or SHO_ELIMIT when the
 * encoding would pass the batch's limit; the batch is then unchanged.
 */
SHO_NODISCARD int sho_event_batch_add(struct sho_event_batch *b, const struct sho_event *ev);

/* Events in the batch. */
size_t sho_event_batch_count(const struct sho_event_batch *b);

/* An upper bound of the length of the batch's encoding, in bytes. */
size_t sho_event_batch_bound(const struct sho_event_batch *b);

/* Append the batch's encoding to `out`. Returns 0, or SHO_ELIMIT (`out` unchanged). */
SHO_NODISCARD int sho_event_batch_encode(const struct sho_event_batch *b, struct sho_buf *out);

/*
 * Replace the batch's events by those encoded at `data` (`len` bytes
 * available); *used gets the bytes consumed. Returns 0, SHO_ECORRUPT when
 * the bytes are not a well-formed batch (nothing is read past `len`), or
 * SHO_ELIMIT when its strings pass the batch's limit; on error the batch is
 * left empty.
 */
SHO_NODISCARD int sho_event_batch_decode(struct sho_event_batch *b, const uint8_t *data, size_t len,
                                         size_t *used);

/*
 * Event `index` (less than the count) into `ev`. Its strings are borrowed
 * from the batch: valid until the next add, decode, reset or free.
 */
void sho_event_batch_get(const struct sho_event_batch *b, size_t index, struct sho_event *ev);

void sho_event_batch_free(struct sho_event_batch *b);

/*
 * The identity of an event, for deduplication: SHA-256 over host, channel,
 * provider, event id, record id and time, as 32 bytes. Two collections of the
 * same record (the same log exported twice) give the same key; a log cleared
 * and restarted at record id 1 gives new keys because the times differ.
 * `sha256` computes a digest (the archive passes its provider).
 */
void sho_event_key(const struct sho_event *ev,
                   void (*sha256)(const void *data, size_t len, uint8_t out[32]), uint8_t out[32]);

#endif /* SHOSEKI_EVENT_H */
