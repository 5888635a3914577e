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

/* ---- CSV map (csv_source.c) ------------------------------------------------------------- */

struct csv_map;

SHO_NODISCARD int csv_map_load(const char *path, struct csv_map **out, struct sho_err *err);
void csv_map_free(struct csv_map *m);

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
SHO_NODISCARD int textsrc_read_csv(struct textsrc_file *f, int fd, struct sho_err *err);

/* Does `text` (one line) look like a Samba full_audit syslog line under `spec`? */
bool samba_is_line(const struct samba_spec *spec, const char *text, size_t len);

#endif /* SHOSEKI_TEXTSRC_H */
