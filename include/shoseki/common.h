#ifndef SHOSEKI_COMMON_H
#define SHOSEKI_COMMON_H

/*
 * common: the domain-free toolbox every module uses. Error reporting through
 * `struct sho_err`, level-based logging to stderr, aborting allocators, bounded
 * growable buffers, FILETIME <-> ISO 8601 conversion, checked number parsing and
 * little-endian readers. Nothing in here knows about events, logs or archives.
 *
 * Ownership rule for the whole project: a function that returns a pointer says
 * in its comment whether it is borrowed (valid until some later call) or
 * transferred (caller frees with the named function).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SHO_NODISCARD         __attribute__((warn_unused_result))
#define SHO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SHO_NODISCARD
#define SHO_PRINTF(fmt, args)
#endif

#define SHO_ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- error codes ---------------------------------------------------------------- */

enum sho_errcode {
    SHO_OK = 0,
    SHO_EIO = -1,      /* the operating system refused a read or write */
    SHO_ECORRUPT = -2, /* input is damaged or not in the expected format */
    SHO_ENOMEM = -3,   /* an allocation failed (only where we do not abort) */
    SHO_EINVAL = -4,   /* a caller or user passed a bad argument */
    SHO_ELIMIT = -5,   /* a configured size or count limit was reached */
    SHO_ESQL = -6,     /* SQLite reported an error */
    SHO_ETAMPER = -7,  /* a hash or chain check failed */
};

/* Process exit codes; only cli/ and cmd_*.c choose them. */
enum sho_exit {
    SHO_EXIT_OK = 0,      /* everything asked for was done */
    SHO_EXIT_SKIPPED = 1, /* done, but some records or files could not be read */
    SHO_EXIT_USAGE = 2,   /* bad command line */
    SHO_EXIT_INPUT = 3,   /* no input could be used at all */
    SHO_EXIT_VERIFY = 4,  /* verification failed */
    SHO_EXIT_SYSTEM = 5,  /* system or internal error */
};

#define SHO_ERR_PATH_MAX 512
#define SHO_ERR_MSG_MAX  512

/*
 * A located, printable error. Functions that can fail take `struct sho_err *err`
 * as their last parameter, fill it on failure and leave it untouched on success.
 * `err` may be NULL everywhere.
 */
struct sho_err {
    int code;                    /* enum sho_errcode, 0 when unset */
    char path[SHO_ERR_PATH_MAX]; /* file the problem is in, "" when none */
    int64_t offset;              /* byte offset in that file, -1 when unknown */
    char msg[SHO_ERR_MSG_MAX];   /* one line, lower-case first word, no full stop */
};

/* Reset `err` to "no error". */
void sho_err_clear(struct sho_err *err);

/*
 * Fill `err` (if not NULL) and return `code`, so that callers can write
 * `return sho_err_set(err, SHO_ECORRUPT, path, off, "bad magic");`.
 * `path` may be NULL, `offset` -1 when unknown.
 */
int sho_err_set(struct sho_err *err, int code, const char *path, int64_t offset, const char *fmt,
                ...) SHO_PRINTF(5, 6);

/* Render `err` as one line: "'path':offset: msg" (parts omitted when unknown). */
void sho_err_format(const struct sho_err *err, char *out, size_t out_len);

/* A short English name for an error code ("corrupt input", ...). Static string. */
const char *sho_err_name(int code);

/* ---- logging -------------------------------------------------------------------- */

enum sho_log_level {
    SHO_LOG_ERROR = 0,
    SHO_LOG_WARN = 1,
    SHO_LOG_INFO = 2,
    SHO_LOG_DEBUG = 3,
};

/* Set the process-wide threshold (default SHO_LOG_WARN); see docs/decisions.md. */
void sho_log_set_level(enum sho_log_level level);
enum sho_log_level sho_log_get_level(void);

/* Print "shoseki: <level>: message" to stderr when `level` passes the threshold. */
void sho_log(enum sho_log_level level, const char *fmt, ...) SHO_PRINTF(2, 3);

/* Log a filled `err` at `level` in its one-line form. */
void sho_log_err(enum sho_log_level level, const struct sho_err *err);

/* ---- allocation ----------------------------------------------------------------- */

/* Allocate or abort with a message; never return NULL. */
void *sho_xmalloc(size_t size);
void *sho_xcalloc(size_t count, size_t size);
void *sho_xrealloc(void *ptr, size_t size);
char *sho_xstrdup(const char *s);
char *sho_xstrndup(const char *s, size_t len);

/* Report that `size` bytes could not be had and abort: for allocators of other kinds (mmap). */
_Noreturn void sho_xalloc_die(size_t size);

/* ---- bounded buffers ------------------------------------------------------------ */

/*
 * A growable byte buffer with a hard cap. Growth driven by input always goes
 * through one of these, so a hostile length cannot make us allocate without
 * bound: past `limit` bytes, appends fail with SHO_ELIMIT and leave the buffer
 * unchanged. `data` is always NUL-terminated when `cap` > 0.
 */
struct sho_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;   /* bytes in use, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* most bytes `len` may reach */
};

void sho_buf_init(struct sho_buf *b, size_t limit);
void sho_buf_release(struct sho_buf *b);
/* Forget the contents but keep the allocation. */
void sho_buf_reset(struct sho_buf *b);
SHO_NODISCARD int sho_buf_reserve(struct sho_buf *b, size_t extra);
SHO_NODISCARD int sho_buf_append(struct sho_buf *b, const void *data, size_t len);
SHO_NODISCARD int sho_buf_appends(struct sho_buf *b, const char *s);
SHO_NODISCARD int sho_buf_putc(struct sho_buf *b, char c);
SHO_NODISCARD int sho_buf_appendf(struct sho_buf *b, const char *fmt, ...) SHO_PRINTF(2, 3);

/*
 * Append the whole file at `path` (a configuration file: small) to `b`.
 * Returns 0, SHO_EIO (cannot open or read), or SHO_ELIMIT past the buffer's
 * limit; err names the file.
 */
SHO_NODISCARD int sho_buf_read_file(struct sho_buf *b, const char *path, struct sho_err *err);

/* ---- time ----------------------------------------------------------------------- */

/* FILETIME ticks (100 ns since 1601-01-01 UTC) at the Unix epoch. */
#define SHO_FILETIME_UNIX_EPOCH 116444736000000000ULL
#define SHO_TICKS_PER_SECOND    10000000ULL
/* Room for "YYYY-MM-DDThh:mm:ss.fffffff+hh:mm" and a NUL. */
#define SHO_TIME_ISO_MAX 40

/*
 * Format FILETIME `ft` as "2019-04-27T19:31:15.3550630Z" (7 fractional digits,
 * UTC) into `out`. Returns the length written.
 */
size_t sho_time_format_iso(uint64_t ft, char out[SHO_TIME_ISO_MAX]);

/*
 * Parse ISO 8601 "YYYY-MM-DD[T ]hh:mm:ss[.f{1,9}][Z|±hh:mm]" into FILETIME.
 * A time without a zone is taken as UTC; digits past 7 are truncated.
 * Returns 0 or SHO_EINVAL.
 */
SHO_NODISCARD int sho_time_parse_iso(const char *s, size_t len, uint64_t *ft);

/* Days since 1970-01-01 of a proleptic Gregorian date, and the reverse. */
int64_t sho_time_days_from_civil(int64_t y, unsigned m, unsigned d);
void sho_time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* ---- time zones ----------------------------------------------------------------- */

/*
 * A time zone: UTC, a fixed offset ("+09:00", "-0530") or an IANA name read
 * from the system's TZif files (/usr/share/zoneinfo/NAME; TZDIR overrides),
 * whose transitions give daylight saving time. Loaded once, used without
 * global state (no setenv("TZ"), mktime or localtime), so several zones can
 * be in use at once.
 */
#define SHO_TZONE_MAX_TRANSITIONS 4096

struct sho_tzone {
    int32_t fixed;   /* offset in seconds east of UTC when there are no transitions */
    int64_t *at;     /* owned: transition times (Unix seconds), ascending */
    int32_t *offset; /* owned: offset in force from at[i] */
    size_t count;    /* transitions */
    int32_t before;  /* offset before the first transition */
    char name[64];   /* as given, for messages */
};

/* Load zone `spec` ("UTC", "Z", "+09:00", "Asia/Tokyo"; NULL or "" means UTC).
 * Returns 0 or SHO_EINVAL. Caller releases with sho_tzone_release. */
SHO_NODISCARD int sho_tzone_load(struct sho_tzone *z, const char *spec, struct sho_err *err);

/* Load the machine's local zone: $TZ when set, else /etc/localtime, else UTC. */
SHO_NODISCARD int sho_tzone_load_local(struct sho_tzone *z, struct sho_err *err);

/* Parse TZif bytes (RFC 8536, as read from a zoneinfo file) into `z`. Returns 0 or
 * SHO_ECORRUPT; either way the caller releases with sho_tzone_release. For the loaders above,
 * tests and fuzzing. */
SHO_NODISCARD int sho_tzone_parse(struct sho_tzone *z, const uint8_t *p, size_t len);

void sho_tzone_release(struct sho_tzone *z);

/* Seconds east of UTC in force at Unix time `t`. */
int32_t sho_tzone_offset(const struct sho_tzone *z, int64_t t);

/*
 * Unix seconds of local wall-clock time `local` (seconds since 1970-01-01 as
 * if the wall clock were UTC). In a DST gap or overlap the earlier offset wins.
 */
int64_t sho_tzone_to_utc(const struct sho_tzone *z, int64_t local);

/* ---- numbers -------------------------------------------------------------------- */

enum sho_parse_flags {
    SHO_PARSE_HEX = 1u << 0,    /* accept a 0x prefix (hex) */
    SHO_PARSE_SUFFIX = 1u << 1, /* accept K, M, G, T binary suffixes */
};

/*
 * Parse all of `s` as an unsigned decimal (or 0x hex with SHO_PARSE_HEX) no
 * larger than `max`. Leading/trailing blanks, signs and junk are rejected.
 * Returns 0 or SHO_EINVAL.
 */
SHO_NODISCARD int sho_parse_u64(const char *s, uint64_t max, unsigned flags, uint64_t *out);

/* Like sho_parse_u64 on the first `len` bytes of `s` (need not be NUL-terminated). */
SHO_NODISCARD int sho_parse_u64n(const char *s, size_t len, uint64_t max, unsigned flags,
                                 uint64_t *out);

/*
 * The decimal digits of `v` at `out` (room for 21 bytes), NUL-terminated, without printf:
 * every event's numbers come through here. Returns the number of digits.
 */
size_t sho_fmt_dec(char *out, uint64_t v);

/* ---- hashing -------------------------------------------------------------------- */

/*
 * A fast, non-cryptographic 64-bit hash of `len` bytes, eight bytes a step,
 * continuing from `seed` (chain calls to hash several pieces). For in-memory
 * tables only: its values are never stored.
 */
uint64_t sho_hash64(const void *data, size_t len, uint64_t seed);

/* ---- little-endian readers ------------------------------------------------------ */

static inline uint16_t sho_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t sho_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t sho_le64(const uint8_t *p)
{
    return (uint64_t)sho_le32(p) | ((uint64_t)sho_le32(p + 4) << 32);
}

/* ---- little-endian writers ------------------------------------------------------ */

static inline void sho_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void sho_put_le64(uint8_t *p, uint64_t v)
{
    sho_put_le32(p, (uint32_t)v);
    sho_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* ---- varints (common/varint.c) ------------------------------------------------- */

#define SHO_VARINT_MAX 10 /* bytes of the longest LEB128 varint of 64 bits */

/* Write `v` as an LEB128 varint at `out` (room for SHO_VARINT_MAX). Returns its bytes. */
size_t sho_varint_put(uint8_t *out, uint64_t v);

/*
 * Read a minimal LEB128 varint of at most 10 bytes from `p` (`len` bytes) at
 * `*pos`, advancing it. Returns 0 or SHO_ECORRUPT (cut short, too long, not minimal).
 */
SHO_NODISCARD int sho_varint_get(const uint8_t *p, size_t len, size_t *pos, uint64_t *v);

/* ---- strings -------------------------------------------------------------------- */

/* Compare ASCII case-insensitively; bytes >= 0x80 compare exactly. */
int sho_str_casecmp(const char *a, const char *b);

/* The text for errno value `errnum` in `buf` (thread-safe strerror). Returns `buf`. */
const char *sho_errno_text(int errnum, char *buf, size_t buf_len);

/* Copy `src` into `dst` of size `dst_len`, truncating; always NUL-terminates. */
size_t sho_str_copy(char *dst, size_t dst_len, const char *src);

/* ---- text output ---------------------------------------------------------------- */

/* Terminal columns taken by UTF-8 `s`: wide East Asian characters count 2. */
size_t sho_str_width(const char *s);

enum sho_csv_flags {
    SHO_CSV_NEUTRALIZE = 1u << 0, /* prefix ' to cells starting with = + - @ (Excel) */
};

/*
 * Append `s` (NULL or "" write nothing) to `b` as one RFC 4180 CSV cell,
 * quoted when it holds a comma, quote, line break or edge blank. Returns 0
 * or SHO_ELIMIT.
 */
SHO_NODISCARD int sho_csv_cell(struct sho_buf *b, const char *s, unsigned flags);

#endif /* SHOSEKI_COMMON_H */
