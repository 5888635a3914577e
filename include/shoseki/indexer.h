#ifndef SHOSEKI_INDEXER_H
#define SHOSEKI_INDEXER_H

/*
 * indexer: the search index, a cache of the archive in SQLite
 * (DATA/index.sqlite). `sho_index_update` reads the archive frames not yet
 * indexed and adds their events; deleting the file and updating again gives
 * the same answers. Searches read it through `sho_index_search` and
 * `sho_index_summary`, which know the schema so that no other module does
 * (docs/decisions.md, "The index").
 *
 * One writer at a time (DATA/index.lock); readers are never blocked: the
 * database is in WAL mode and each batch of events is one transaction.
 */

#include <stdbool.h>
#include <stdint.h>

#include "shoseki/archive.h"
#include "shoseki/common.h"
#include "shoseki/event.h"

struct sho_index;

enum sho_index_flags {
    SHO_INDEX_WRITE = 1u << 0,   /* open for updating (creates the file, 0600) */
    SHO_INDEX_REBUILD = 1u << 1, /* with WRITE: delete what exists and start from nothing */
    SHO_INDEX_WAIT = 1u << 2,    /* with WRITE: wait for another indexer instead of failing */
};

/* ---- lifecycle ------------------------------------------------------------------ */

/*
 * Open the index of data directory `dir`. Reading needs the file to exist
 * (SHO_EINVAL "no index" otherwise, which callers answer by updating first).
 * Writing takes the indexer lock: SHO_ELIMIT when another indexer holds it
 * (unless SHO_INDEX_WAIT). Caller closes with sho_index_close.
 */
SHO_NODISCARD int sho_index_open(const char *dir, unsigned flags, struct sho_index **out,
                                 struct sho_err *err);

void sho_index_close(struct sho_index *ix);

/* ---- updating ------------------------------------------------------------------- */

struct sho_index_opts {
    uint64_t batch_events; /* events per transaction; 0 = default (262144) */
    uint64_t cache_bytes;  /* memory for id caches and SQLite pages; 0 = default (512 MiB) */
};

struct sho_index_stats {
    uint64_t frames;      /* EVENTS frames read now */
    uint64_t events;      /* events added now */
    uint64_t total;       /* events in the index afterwards */
    uint64_t batches;     /* transactions committed */
    bool rebuilt;         /* the index did not match the archive and was rebuilt */
    bool indexes_created; /* the secondary indexes were built in bulk at the end */
};

/*
 * Bring the index up to date with archive `a` (opened for reading): index
 * the frames after the last one indexed, one transaction per batch, each
 * recording where it ends, so a killed run resumes where it stopped and
 * nothing is indexed twice. An index that does not match the archive (the
 * archive was replaced) is rebuilt, saying so in `stats`. `opts` and `stats`
 * may be NULL. Returns 0 or a negative code with err set.
 */
SHO_NODISCARD int sho_index_update(struct sho_index *ix, struct sho_archive *a,
                                   const struct sho_index_opts *opts, struct sho_index_stats *stats,
                                   struct sho_err *err);

/*
 * Open the index of `dir` for writing (with `flags` of enum sho_index_flags)
 * and the archive for reading, and update. Returns 0, 1 when another indexer
 * holds the lock and neither WAIT nor REBUILD was asked (nothing done: its
 * batches will show up), or a negative code: SHO_EINVAL when `dir` has no
 * archive (nothing is created then).
 */
SHO_NODISCARD int sho_index_refresh(const char *dir, unsigned flags,
                                    const struct sho_index_opts *opts,
                                    struct sho_index_stats *stats, struct sho_err *err);

/* ---- searching ------------------------------------------------------------------ */

enum sho_index_select {
    SHO_SELECT_ALL = 0,   /* every event (timeline) */
    SHO_SELECT_PATH = 1,  /* events on the file `text` (compared as a normalized path) */
    SHO_SELECT_LIKE = 2,  /* events on files whose path contains `text` (any case) */
    SHO_SELECT_REGEX = 3, /* events on files whose path matches PCRE2 `text` */
    SHO_SELECT_PERSON = 4 /* events by person `text`: a name, DOMAIN\name or a SID */
};

/* One hop further from the selection, within the query's window. */
enum sho_index_hop {
    SHO_HOP_NONE = 0,
    SHO_HOP_FILES = 1,  /* from persons: the events on every file they touched */
    SHO_HOP_PERSONS = 2 /* from files: the events of every person who touched them */
};

struct sho_index_query {
    enum sho_index_select select;
    enum sho_index_hop hop;   /* SHO_HOP_NONE, or one hop from the selection */
    const char *text;         /* what select needs; borrowed */
    uint64_t since;           /* FILETIME, inclusive; 0 = open */
    uint64_t until;           /* FILETIME, exclusive; 0 = open */
    uint32_t actions;         /* enum sho_action bits: any of them; 0 = all */
    enum sho_outcome outcome; /* SHO_OUTCOME_UNKNOWN = any */
    const char *host;         /* computer name, or its first label; NULL = any */
    const char *client_ip;    /* NULL = any */
    uint64_t limit;           /* rows at most; 0 = all */
};

/* One event as the index holds it. Strings borrowed during the callback. */
struct sho_index_row {
    uint64_t time;            /* FILETIME */
    const char *host;         /* computer */
    const char *user_sid;     /* person's SID, or NULL */
    const char *user;         /* person's latest name seen */
    const char *domain;       /* and its domain */
    const char *path;         /* file path as logged, or NULL */
    const char *object_type;  /* "File", ... */
    const char *process;      /* image path */
    const char *client_ip;    /* remote address */
    const char *share;        /* share name */
    const char *channel;      /* log channel */
    uint32_t event_id;        /* native event id */
    uint32_t actions;         /* enum sho_action bits */
    enum sho_outcome outcome; /* success / failure / unknown */
    char ref[32];             /* archive reference "SEQ:INDEX" */
};

/*
 * Call `fn` for each event selected by `q`, in time order. `fn` returns 0 to
 * go on. Returns 0, `fn`'s value, SHO_EINVAL for a bad selection (err says
 * why: an invalid regular expression, ...) or another negative code.
 */
SHO_NODISCARD int sho_index_search(struct sho_index *ix, const struct sho_index_query *q,
                                   int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx,
                                   struct sho_err *err);

/* One group of `sho_index_summary`: a person or a file. Strings borrowed. */
struct sho_index_group {
    const char *user_sid, *user, *domain; /* by person */
    const char *path;                     /* by file */
    uint64_t first, last;                 /* FILETIME of the first and last event */
    uint64_t count;                       /* events */
    uint32_t actions;                     /* every action seen */
};

/* One logon session (by host and logon id) with file activity in a window. Strings borrowed. */
struct sho_index_session {
    const char *host;
    uint64_t logon_id;
    const char *user_sid, *user, *domain; /* who logged on (or the session's first person) */
    uint64_t logon_time, logoff_time;     /* FILETIME, 0 when not in the archive */
    uint32_t logon_type;                  /* 4624 LogonType, 0 unknown */
    const char *client_ip;                /* the logon's address, or NULL */
    uint64_t events, files;               /* events in the window, distinct files among them */
    uint64_t first, last;                 /* FILETIME of the first and last of those events */
    uint32_t actions;                     /* every action seen */
};

/*
 * Call `fn` for each logon session with at least one file event among the
 * events `q` selects, in order of its first such event. System sessions
 * (logon ids up to 0x3e7) are not sessions. Returns as sho_index_search.
 */
SHO_NODISCARD int sho_index_sessions(struct sho_index *ix, const struct sho_index_query *q,
                                     int (*fn)(void *ctx, const struct sho_index_session *s),
                                     void *ctx, struct sho_err *err);

enum sho_index_group_by {
    SHO_GROUP_PERSON = 0,
    SHO_GROUP_FILE = 1,
};

/*
 * Like sho_index_search, but one row per person or per file (ordered by
 * first event), counting the selected events. `q->limit` limits groups.
 */
SHO_NODISCARD int sho_index_summary(struct sho_index *ix, const struct sho_index_query *q,
                                    enum sho_index_group_by by,
                                    int (*fn)(void *ctx, const struct sho_index_group *g),
                                    void *ctx, struct sho_err *err);

/* ---- paths ---------------------------------------------------------------------- */

/*
 * The normalized form of a logged path, used for matching: `\\?\` and `\??\`
 * prefixes dropped (`\\?\UNC\` becomes `\\`), `/` turned into `\`, repeated
 * separators and a trailing one removed, ASCII letters lower-cased. Writes at
 * most `out_len` bytes with the NUL; returns the full length.
 */
size_t sho_index_path_norm(const char *path, char *out, size_t out_len);

/* ---- regular expressions ------------------------------------------------------- */

/* A compiled PCRE2 expression (UTF, JIT, match limits): the project's one PCRE2 adapter. */
struct sho_regex;

/* Compile `pattern`. Returns 0 or SHO_EINVAL with the offset and reason in err. */
SHO_NODISCARD int sho_regex_new(const char *pattern, struct sho_regex **out, struct sho_err *err);

/* 1 when `text` matches, 0 when not (or when the match limit is reached). */
int sho_regex_match(struct sho_regex *re, const char *text);

void sho_regex_free(struct sho_regex *re);

/* ---- commands ------------------------------------------------------------------- */

int sho_cmd_index(int argc, char **argv);

#endif /* SHOSEKI_INDEXER_H */
