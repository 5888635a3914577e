#ifndef SHOSEKI_TEXTSRC_H
#define SHOSEKI_TEXTSRC_H

/*
 * textsrc (private to collector/): what the text-source readers share — the
 * reader object behind struct sho_textsrc, the per-file state, and the
 * helpers that locate and count problems. Each format lives in its own file:
 * auditd.c, samba_audit.c, xml_export.c, csv_source.c.
 */

#include <stdbool.h>
#include <stdint.h>

#include "evtx_xml.h"
#include "normalize.h"
#include "shoseki/collector.h"
#include "text_lines.h"
#include "uid_map.h"
#include "winrec.h"

/* ---- Samba full_audit prefix (samba_audit.c) ------------------------------------------ */

#define SAMBA_PREFIX_DEFAULT "%u|%I|%m|%S"
#define SAMBA_SPEC_MAX       32 /* pieces of a prefix spec */

/* One piece of a prefix: literal text, or a %X variable. */
struct samba_piece {
    char var;   /* 'u', 'I', ...; 0 for literal text */
    char *text; /* literal text (owned), NULL for a variable */
    size_t len;
};

struct samba_spec {
    struct samba_piece piece[SAMBA_SPEC_MAX];
    size_t count;
};

/* Parse a full_audit:prefix spec (NULL: the default). Returns 0 or SHO_EINVAL. */
SHO_NODISCARD int samba_spec_parse(struct samba_spec *spec, const char *text, struct sho_err *err);
void samba_spec_release(struct samba_spec *spec);

/* ---- CSV map (csv_map.c) ----------------------------------------------------------------- */

struct csv_map;

/*
 * Read the --csv-map file at `path` (docs/sources.md). Returns 0, or
 * SHO_EINVAL / SHO_EIO with err naming the map file and its line. Caller
 * frees with csv_map_free.
 */
SHO_NODISCARD int csv_map_load(const char *path, struct csv_map **out, struct sho_err *err);
void csv_map_free(struct csv_map *m);

/* ---- record ids of records that carry none (collect_text.c) -------------------------------- */

#define TEXTSRC_SEEN_MAX  64 /* identical records told apart within one second */
#define TEXTSRC_HASH_SEED UINT64_C(0xcbf29ce484222325)
#define TEXTSRC_ID_MASK   ((UINT64_C(1) << 53) - 1) /* exact in JSON doubles */

struct textsrc_ids {
    uint64_t second;                 /* time of the records in `seen` */
    uint64_t seen[TEXTSRC_SEEN_MAX]; /* hashes of the records logged in that second */
    size_t seen_count;
};

/* FNV-1a of `len` bytes of `s`, continuing from `h` (TEXTSRC_HASH_SEED to start). */
uint64_t textsrc_hash(const char *s, size_t len, uint64_t h);

/*
 * A record id for a record that has none: its hash `h`, plus how many
 * identical records came before it in the same second. The same record in
 * two overlapping copies of a log gets the same id (the archive stores it
 * once); two identical operations in one second stay two events.
 */
uint64_t textsrc_record_id(struct textsrc_ids *ids, uint64_t h, uint64_t time);

/* ---- the reader -------------------------------------------------------------------------- */

struct sho_textsrc {
    struct sho_textsrc_opts opts;  /* strings borrowed only during sho_textsrc_new */
    char *host;                    /* owned copy of opts.host */
    struct uid_map *names;         /* owned, may be NULL */
    struct samba_spec samba;       /* owned */
    struct sho_tzone zone;         /* owned */
    struct csv_map *csv;           /* owned, may be NULL */
    struct normalizer *normalizer; /* owned: XML exports and CSV exports of Windows events */
    struct evtx_xml *xml;          /* owned */
    struct winrec rec;             /* owned */
};

/* One file being read. */
struct textsrc_file {
    struct sho_textsrc *t;               /* borrowed */
    const char *path;                    /* borrowed */
    const struct sho_collect_sink *sink; /* borrowed */
    struct sho_collect_stats *st;        /* borrowed */
    int64_t mtime;                       /* the file's modification time (Unix seconds) */
};

/*
 * Report a problem at `offset`, line `line` ("line N: msg"); when `is_skip`
 * count it as a record skipped for `reason`.
 */
void textsrc_problem(struct textsrc_file *f, enum sho_skip_reason reason, bool is_skip,
                     int64_t offset, uint64_t line, const char *msg);

/* Hand an event to the sink (source and a missing host filled). Returns 0 or the sink's code. */
SHO_NODISCARD int textsrc_event(struct textsrc_file *f, struct sho_event *ev, struct sho_err *err);

/* Report an over-long line or one holding NUL; returns true when `l` is not usable. */
bool textsrc_line_bad(struct textsrc_file *f, const struct text_line *l);

SHO_NODISCARD int textsrc_read_samba(struct textsrc_file *f, struct text_lines *lines,
                                     struct sho_err *err);
SHO_NODISCARD int textsrc_read_xml(struct textsrc_file *f, struct text_lines *lines,
                                   struct sho_err *err);
/*
 * Read a CSV export from `fd` (borrowed), or when `fd` < 0 from the `mem_len`
 * bytes at `mem` (tests, fuzz targets), with the reader's CSV map (or, without
 * one, the built-in map of PowerShell Get-WinEvent exports when the header is
 * theirs). Returns 0, SHO_EINVAL when the map does not fit the file (err names
 * the map file and line), SHO_EIO, or the sink's code.
 */
SHO_NODISCARD int textsrc_read_csv(struct textsrc_file *f, int fd, const void *mem, size_t mem_len,
                                   struct sho_err *err);

/*
 * For `cat`: call `fn` with each original line of the CSV record starting at
 * byte `offset` of `fd` (UTF-16 lines are shown as UTF-8). Returns 1 found,
 * 0 not, or a negative code.
 */
SHO_NODISCARD int csv_record_lines(int fd, int64_t offset,
                                   int (*fn)(void *ctx, int64_t offset, const char *text,
                                             size_t len),
                                   void *ctx, struct sho_err *err);

/* Is the first record of `text` (the start of a file, UTF-8) a Get-WinEvent export header? */
bool csv_is_winevent_header(const char *text, size_t len);

/* Does `text` (one line) look like a Samba full_audit syslog line under `spec`? */
bool samba_is_line(const struct samba_spec *spec, const char *text, size_t len);

#endif /* SHOSEKI_TEXTSRC_H */
