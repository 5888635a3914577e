#ifndef SHOSEKI_EVIDENCE_PRIV_H
#define SHOSEKI_EVIDENCE_PRIV_H

/*
 * The evidence module's insides. A pack is made in passes over small per-event
 * keys (struct ev_item: a reference and a few interned ids, about 56 bytes an
 * event), never over whole events: the selection collects the keys, one walk
 * of the archive writes events.csv in archive order, one extraction per
 * source file writes originals/, and the summaries are counted from the keys.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "shoseki/archive.h"
#include "shoseki/common.h"
#include "shoseki/evidence.h"
#include "shoseki/indexer.h"
#include "shoseki/query.h"

#define EV_NONE UINT32_MAX /* no interned id */

/* ---- interned strings (ev_items.c) ---------------------------------------------- */

/* A set of strings, each with an id (its position) and an optional companion. */
struct ev_strtab {
    char **keys;     /* owned, by id */
    char **aux;      /* owned companion text by id (NULL when none) */
    size_t count;    /* ids handed out */
    size_t cap;      /* room in keys/aux */
    uint32_t *slots; /* open addressing: id + 1, 0 empty */
    size_t slot_count;
};

void ev_strtab_init(struct ev_strtab *t);
void ev_strtab_release(struct ev_strtab *t);

/* The id of `key`, added (with a copy of `aux`, may be NULL) when new. */
uint32_t ev_strtab_intern(struct ev_strtab *t, const char *key, const char *aux);

/* The id of `key`, or EV_NONE. */
uint32_t ev_strtab_find(const struct ev_strtab *t, const char *key);

/* Ids ordered by their key's bytes (caller frees). */
uint32_t *ev_strtab_sorted(const struct ev_strtab *t);

/* ---- the pack being made -------------------------------------------------------- */

/* One selected event. */
struct ev_item {
    uint64_t seq;     /* frame of its reference */
    uint64_t time;    /* FILETIME */
    int64_t offset;   /* record offset in its source file, -1 unknown */
    uint32_t index;   /* position in the frame */
    uint32_t person;  /* id in persons, EV_NONE */
    uint32_t file;    /* id in files, EV_NONE */
    uint32_t source;  /* id in sources (hex SHA-256), EV_NONE until the events pass */
    uint32_t actions; /* enum sho_action bits */
    bool found;       /* the events pass found it in the archive */
};

enum ev_lang { EV_LANG_EN = 0, EV_LANG_JA = 1 };

struct ev_opts {
    const char *out;       /* what to create: a directory, or with zip a file */
    const char *case_name; /* may be NULL */
    bool excel;            /* BOM, CRLF, formula-like cells neutralized */
    bool zip;              /* one zip file instead of a directory */
    enum ev_lang lang;     /* language of README and column headers */
    int argc;              /* the whole command line, for README */
    char **argv;
};

/* A source file of the pack's events, as its SOURCE frame records it. */
struct ev_source {
    bool known;                         /* found among the archive's sources */
    char *name, *kind, *host, *channel; /* owned, NULL when unknown */
    uint64_t size;                      /* bytes */
    uint64_t seq;                       /* its SOURCE frame */
    uint64_t events;                    /* events of the pack from it */
};

struct ev_pack {
    struct ev_opts o;
    char dir[4096];                /* the directory being filled */
    int dirfd;                     /* open on `dir`, -1 */
    struct ev_item *items;         /* owned */
    size_t count, cap;             /* items */
    struct ev_strtab persons;      /* key: SID or DOMAIN\name; aux: "sid\x1f" "domain\x1f" "user" */
    struct ev_strtab files;        /* key: path as logged */
    struct ev_strtab sources;      /* key: hex SHA-256; aux: its kind once loaded */
    struct ev_strtab certificates; /* key: hex SHA-256 of a disposal's certificate */
    struct ev_source *srcinfo;     /* owned, by source id, after ev_sources_load */
    struct sho_frame_info *frames; /* owned: the frames chain.txt lists, in seq order */
    size_t frame_count, frame_cap;
    struct sho_frame_info head; /* the last frame of the archive at pack time */
    bool has_head;
    struct sho_query_info info; /* what the selection ran against */
    struct sho_tz tz;           /* its zone, for the summaries */
    bool tz_loaded;
    uint64_t events_missing;    /* selected but not found in the archive */
    uint64_t originals_missing; /* events whose original record could not be shown */
    uint64_t originals;         /* originals/ files written */
    int select_rc;              /* the selection's exit status */
};

/* ---- items (ev_items.c) ----------------------------------------------------------- */

/* The tap of the selection: keep the keys of one event. */
int ev_items_take(void *ctx, const struct sho_index_row *row);

/* Sort by reference and drop repeats (a selection may hand an event over twice). */
void ev_items_sort(struct ev_pack *p);

/* ---- the pack directory (ev_dir.c) ------------------------------------------------- */

/* Create `name` (a fixed name of ours, "originals/2-17.xml") 0600 in the pack, never following
 * a link nor replacing a file. Returns a stream or NULL with err set. */
FILE *ev_create(struct ev_pack *p, const char *name, struct sho_err *err);

/* Close a stream made by ev_create; SHO_EIO when a write failed. (Only the manifest is
 * flushed to disk: ev_manifest_write says why.) */
SHO_NODISCARD int ev_close(FILE *f, const char *name, struct sho_err *err);

/* Write one CSV row of `n` cells (NULL: empty) to `f`, as the pack's options say. */
SHO_NODISCARD int ev_csv_row(const struct ev_pack *p, FILE *f, const char *const *cells, size_t n,
                             struct sho_err *err);

/* The BOM when --excel (at the start of every CSV). */
SHO_NODISCARD int ev_csv_start(const struct ev_pack *p, FILE *f, struct sho_err *err);

/* Remove the pack's directory `dir` and what we wrote in it (failed packs, zip work dirs). */
void ev_remove_tree(const char *dir);

/* Write MANIFEST.sha256 over every file now in the pack; its own hash to `sha`. */
SHO_NODISCARD int ev_manifest_write(struct ev_pack *p, char sha[SHO_HASH_HEX], struct sho_err *err);

/* "2024-04-02T02:00:00.0000000+09:00" in the pack's zone. */
void ev_time_text(const struct ev_pack *p, uint64_t ft, char out[SHO_TIME_ISO_MAX]);

/* Action names space-separated into `out`. */
void ev_actions_text(uint32_t actions, char *out, size_t out_len);

/* ---- passes (ev_events.c, ev_originals.c, ev_tables.c, ev_readme.c) --------------- */

/* Walk the archive: events.csv, the frames of chain.txt, the head, each event's source. */
SHO_NODISCARD int ev_events_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err);

/* The certificates of the disposal records among the events, added to the sources (before
 * ev_sources_load); then written to certificates/SHA256.bin (after). */
SHO_NODISCARD int ev_certificates_note(struct ev_pack *p, struct sho_archive *a,
                                       struct sho_err *err);
SHO_NODISCARD int ev_certificates_write(struct ev_pack *p, struct sho_archive *a,
                                        struct sho_err *err);

/* originals/: one file per event from its source file rebuilt out of the archive. */
SHO_NODISCARD int ev_originals_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err);

/* What the archive records of each source of the pack's events (before originals). */
SHO_NODISCARD int ev_sources_load(struct ev_pack *p, struct sho_archive *a, struct sho_err *err);

/* persons.csv, files.csv, sources.csv and chain.txt. */
SHO_NODISCARD int ev_tables_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err);

/* README.txt. `now` is the creation time (FILETIME). */
SHO_NODISCARD int ev_readme_write(struct ev_pack *p, uint64_t now, struct sho_err *err);

/* ---- zip (ev_zip.c) ------------------------------------------------------------------- */

/* Write every file of the finished pack directory `dir` into a new zip file `out`. */
SHO_NODISCARD int ev_zip_write(const char *dir, const char *out, struct sho_err *err);

/* The SHA-256 of the whole file at `path` (a zip pack's own bytes), as hex. */
SHO_NODISCARD int ev_file_sha256(const char *path, char hex[SHO_HASH_HEX], struct sho_err *err);

/* ---- verification (ev_verify.c, ev_zip.c) -------------------------------------------- */

/* What a pack holds, however it is stored: every file but the manifest with its hash. */
struct ev_listing {
    char **names;                    /* owned, relative paths */
    uint8_t (*hashes)[SHO_HASH_LEN]; /* owned */
    size_t count, cap;
    struct sho_buf manifest; /* MANIFEST.sha256's bytes */
    struct sho_buf chain;    /* chain.txt's bytes */
    bool has_manifest;
};

void ev_listing_init(struct ev_listing *l);
void ev_listing_release(struct ev_listing *l);
/* Add a file (copy of `name`). */
void ev_listing_add(struct ev_listing *l, const char *name, const uint8_t hash[SHO_HASH_LEN]);

/* Order the listing by name (bytes). */
void ev_listing_sort(struct ev_listing *l);

/* List a pack directory: every file hashed, the manifest and chain.txt kept (ev_dir.c). */
SHO_NODISCARD int ev_dir_list(const char *dir, struct ev_listing *l, struct sho_err *err);

/* Is `name` a path a pack may hold ("README.txt", "originals/2-17.xml")? */
bool ev_name_ok(const char *name);

/* List a zip pack (ev_zip.c). */
SHO_NODISCARD int ev_zip_list(const char *path, struct ev_listing *l, struct sho_err *err);

#define EV_MANIFEST   "MANIFEST.sha256"
#define EV_CHAIN      "chain.txt"
#define EV_ORIGINALS  "originals"
#define EV_TEXT_LIMIT ((size_t)256 * 1024 * 1024) /* manifest or chain.txt read for a check */

#endif /* SHOSEKI_EVIDENCE_PRIV_H */
