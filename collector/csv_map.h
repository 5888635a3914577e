#ifndef SHOSEKI_CSV_MAP_H
#define SHOSEKI_CSV_MAP_H

/*
 * csv_map (private to collector/): what a --csv-map file says about a CSV
 * export (docs/sources.md): which column gives which event field, how its
 * times are written and in which zone, which of the tool's words are which
 * actions and outcomes, constants for fields the export lacks, and the
 * shape of the file (header row, delimiter, lines before the header). Also
 * the time patterns (csv_time.c), the line reader that turns UTF-8 or
 * UTF-16LE files into UTF-8 lines (csv_lines.c) and the reading of Windows
 * event messages (csv_winmsg.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"
#include "text_lines.h"
#include "winrec.h"

/* The fields a column can give, in the order of csv_field_names. */
enum csv_field {
    CSV_F_TIME,
    CSV_F_HOST,
    CSV_F_CHANNEL,
    CSV_F_PROVIDER,
    CSV_F_EVENT_ID,
    CSV_F_RECORD_ID,
    CSV_F_USER_SID,
    CSV_F_USER,
    CSV_F_DOMAIN,
    CSV_F_LOGON_ID,
    CSV_F_ACTION,
    CSV_F_OUTCOME,
    CSV_F_OBJECT_TYPE,
    CSV_F_PATH,
    CSV_F_PROCESS,
    CSV_F_PROCESS_ID,
    CSV_F_CLIENT_IP,
    CSV_F_SHARE,
    CSV_F_SHARE_LOCAL_PATH,
    CSV_F_ACCESS_MASK,
    CSV_F_HANDLE_ID,
    CSV_F_KEYWORDS,
    CSV_F_MESSAGE,
    CSV_F_COUNT
};

#define CSV_COLUMNS_MAX 1024 /* columns of one row */

/* ---- times (csv_time.c) ------------------------------------------------------------------ */

enum csv_time_kind {
    CSV_TIME_ISO = 0,      /* ISO 8601, zone optional */
    CSV_TIME_PATTERN = 1,  /* strftime-like pattern */
    CSV_TIME_EPOCH = 2,    /* Unix seconds, fraction optional */
    CSV_TIME_EPOCH_MS = 3, /* Unix milliseconds */
    CSV_TIME_FILETIME = 4, /* Windows FILETIME (100 ns since 1601) */
};

#define CSV_PATTERN_MAX      128
#define CSV_TIME_FORMATS_MAX 8

struct csv_time {
    enum csv_time_kind kind;
    char pattern[CSV_PATTERN_MAX]; /* CSV_TIME_PATTERN only */
};

/*
 * Read a time format: "iso8601", "epoch", "epoch-ms", "filetime" or a pattern
 * of %Y %m %d %H %I %M %S %f %p %b %z %T %% and literal text. Returns 0, or
 * SHO_EINVAL with `why` (at least 128 bytes) saying what is wrong.
 */
SHO_NODISCARD int csv_time_compile(struct csv_time *t, const char *spec, char *why, size_t why_len);

/*
 * Parse `s` as a time of format `t`; a time without a zone is in `zone`.
 * Returns 0 with *ft (FILETIME, UTC), or SHO_EINVAL.
 */
SHO_NODISCARD int csv_time_parse(const struct csv_time *t, const struct sho_tzone *zone,
                                 const char *s, uint64_t *ft);

/* ---- the map (csv_map.c) ------------------------------------------------------------------ */

struct csv_column {
    char *name;      /* owned header name, NULL when given by number */
    unsigned number; /* 1-based column number when `name` is NULL */
    unsigned line;   /* line of the map that named it (for messages) */
};

struct csv_word {
    char *word;      /* owned: the tool's word, compared case-insensitively */
    uint32_t value;  /* action bits, or enum sho_outcome */
    bool is_ignored; /* action "ignore": the row is not an event */
};

struct csv_map {
    char *path;                                 /* owned: the map file, for messages */
    bool has_header;                            /* the first row names the columns */
    char delimiter;                             /* ',' (default), ';', '\t', '|' */
    unsigned skip_lines;                        /* lines before the header (or data) */
    struct csv_column col[CSV_F_COUNT];         /* unnamed: name NULL and number 0 */
    char *constant[CSV_F_COUNT];                /* owned values for fields without a column */
    struct csv_time time[CSV_TIME_FORMATS_MAX]; /* formats of the time column, tried in order */
    size_t time_count;
    bool has_zone;            /* `zone` was given (else --tz) */
    struct sho_tzone zone;    /* owned */
    struct csv_word *actions; /* owned */
    size_t action_count;
    struct csv_word *outcomes; /* owned */
    size_t outcome_count;
};

/* Like csv_map_load on `len` bytes of text; `path` names it in messages (tests, fuzzing). */
SHO_NODISCARD int csv_map_parse(const char *text, size_t len, const char *path,
                                struct csv_map **out, struct sho_err *err);

/* The built-in map of PowerShell `Get-WinEvent | Export-Csv` exports. */
struct csv_map *csv_map_winevent(void);

/* The map's delimiter. */
char csv_map_delimiter(const struct csv_map *m);

/* The name of a field ("time", "user", ...). Static. */
const char *csv_field_name(enum csv_field f);

/*
 * Look up `word` (trimmed, case-insensitive) in `words`. Returns the entry,
 * or NULL.
 */
const struct csv_word *csv_word_find(const struct csv_word *words, size_t count, const char *word);

/* ---- lines of UTF-8 or UTF-16LE text (csv_lines.c) ------------------------------------------ */

struct csv_lines;

/*
 * Lines of `fd` (borrowed) from byte `start`, or when `fd` < 0 of the
 * `mem_len` bytes at `mem` (borrowed). The encoding is told from the file's
 * first bytes: a UTF-16LE byte-order mark makes every line UTF-8 converted
 * from UTF-16 (offsets stay those of the file); a UTF-8 mark is skipped.
 * Caller frees with csv_lines_free.
 */
struct csv_lines *csv_lines_new(int fd, int64_t start, const void *mem, size_t mem_len);
void csv_lines_free(struct csv_lines *r);

/* As text_lines_next. */
SHO_NODISCARD int csv_lines_next(struct csv_lines *r, struct text_line *out, struct sho_err *err);

/* ---- Windows event messages (csv_winmsg.c) ------------------------------------------------ */

/*
 * Add the "Label:<tab>Value" lines of a rendered Windows event message
 * (Get-WinEvent's Message) to `r` as the EventData fields of event
 * `event_id` they display (Subject's Account Name -> SubjectUserName, ...).
 * Returns 0 or SHO_ELIMIT.
 */
SHO_NODISCARD int csv_winmsg_fields(struct winrec *r, uint32_t event_id, const char *msg);

#endif /* SHOSEKI_CSV_MAP_H */
