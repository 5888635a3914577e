#ifndef SHOSEKI_CLICKHOUSE_H
#define SHOSEKI_CLICKHOUSE_H

/*
 * clickhouse: the archive's events in a ClickHouse table, for more events
 * than one SQLite index holds. `sho_ch_ship` sends the events not yet sent
 * over ClickHouse's HTTP interface (libcurl, TabSeparated, gzip), one batch
 * of whole EVENTS frames at a time, with a checkpoint under DATA; a batch
 * sent twice (a retry after a failure) is collapsed by the table, a
 * ReplacingMergeTree keyed on the event's archive reference, and by the
 * searches. `sho_ch_search` answers the index's queries (struct
 * sho_index_query) with the same rows (struct sho_index_row), so the search
 * commands print them with the same writers (docs/scale-out.md).
 *
 * Credentials travel in the HTTP Authorization header, never in a URL, and
 * are never printed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "shoseki/common.h"
#include "shoseki/indexer.h"

#define SHO_CH_NODES_MAX 16

/* Where the events are: one or more servers (HTTP base URLs) and a table. */
struct sho_ch_target {
    const char *urls[SHO_CH_NODES_MAX]; /* "http://host:port", borrowed; [0] takes queries */
    unsigned url_count;
    const char *table;    /* table name (letters, digits, '_') */
    const char *cluster;  /* with --create: a Distributed table over this cluster; NULL = none */
    const char *user;     /* NULL = ClickHouse's default user */
    const char *password; /* NULL = none; borrowed, never printed */
};

/*
 * Open "clickhouse://HOST:PORT/TABLE" (the search commands' --backend): a
 * target with one server. The user and the password come from
 * $SHOSEKI_CLICKHOUSE_USER and the file named by
 * $SHOSEKI_CLICKHOUSE_PASSWORD_FILE. Returns 0 or SHO_EINVAL / SHO_EIO with
 * err saying why. Caller closes with sho_ch_backend_close.
 */
SHO_NODISCARD int sho_ch_backend_open(const char *spec, struct sho_ch_target **out,
                                      struct sho_err *err);

/* Release a target of sho_ch_backend_open (its password wiped). NULL does nothing. */
void sho_ch_backend_close(struct sho_ch_target *t);

/* ---- shipping ------------------------------------------------------------------- */

struct sho_ch_ship_opts {
    bool create;           /* create the table(s) first (IF NOT EXISTS) */
    uint64_t batch_events; /* events per batch at least (whole frames); 0 = default (200000) */
};

struct sho_ch_ship_stats {
    uint64_t frames;  /* EVENTS frames sent now */
    uint64_t events;  /* events sent now */
    uint64_t batches; /* batches sent now */
    uint64_t bytes;   /* compressed bytes sent */
};

/*
 * Send the events of the archive in data directory `dir` not yet sent to
 * `t` (after the checkpoint DATA/ship-<hash of target>.pos, 0600, rewritten
 * atomically after each batch). Returns 0, or a negative code with err set:
 * SHO_EIO for a server that cannot be reached or refuses (err holds its
 * message), SHO_ETAMPER / SHO_ECORRUPT from the archive, SHO_EINVAL when the
 * checkpoint does not belong to this archive.
 */
SHO_NODISCARD int sho_ch_ship(const char *dir, const struct sho_ch_target *t,
                              const struct sho_ch_ship_opts *opts, struct sho_ch_ship_stats *stats,
                              struct sho_err *err);

/* ---- searching ------------------------------------------------------------------ */

/*
 * Like sho_index_search on the table of `t`: the same selection, filters,
 * order (time, then archive reference) and rows. `q->hop` is supported;
 * regular expressions are PCRE2, matched here on the distinct paths.
 * Returns 0, `fn`'s value, SHO_EINVAL for a bad selection or SHO_EIO when a
 * server fails (a search never answers from part of the shards).
 */
SHO_NODISCARD int sho_ch_search(const struct sho_ch_target *t, const struct sho_index_query *q,
                                int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx,
                                struct sho_err *err);

/* ---- commands ------------------------------------------------------------------- */

int sho_cmd_ship(int argc, char **argv);

#endif /* SHOSEKI_CLICKHOUSE_H */
