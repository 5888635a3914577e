#ifndef SHOSEKI_CH_PRIV_H
#define SHOSEKI_CH_PRIV_H

/* The clickhouse module's insides: the HTTP adapter and the text escapes. */

#include "shoseki/clickhouse.h"

/* ---- HTTP (ch_http.c): the one libcurl and zlib adapter ----------------------------- */

/*
 * POST to node `node` of `t`: `sql` goes in the URL's query parameter when
 * `body` is given (an INSERT's data, gzip-compressed here when `gzip`), else
 * as the body. `params` ("&name=value..." or "") adds settings. Every request
 * has wait_end_of_query=1, so an error is an HTTP status, never a cut-short
 * answer. Each complete line of a successful answer goes to `line` (may be
 * NULL), without its newline; `line` returns 0 to go on. Returns 0, `line`'s
 * value, or SHO_EIO with err holding the server's first message line.
 */
SHO_NODISCARD int ch_post(const struct sho_ch_target *t, unsigned node, const char *params,
                          const char *sql, const void *body, size_t body_len, bool gzip,
                          int (*line)(void *ctx, char *text, size_t len), void *ctx,
                          uint64_t *sent_bytes, struct sho_err *err);

/* ---- text (ch_text.c) --------------------------------------------------------------- */

/* Append `s` (NULL = "") as a ClickHouse string literal in single quotes. */
SHO_NODISCARD int ch_quote(struct sho_buf *b, const char *s);

/* Append `s` (NULL = "") as one TabSeparated field. */
SHO_NODISCARD int ch_tsv(struct sho_buf *b, const char *s);

/* Split a TabSeparated line in place into at most `max` unescaped fields. Returns the count. */
size_t ch_tsv_split(char *line, size_t len, char **fields, size_t max);

/* Is `name` a plain identifier (letters, digits, '_', not starting with a digit)? */
bool ch_ident_ok(const char *name);

/* ---- addresses (ch_target.c) -------------------------------------------------------- */

/* http(s)://HOST:PORT or clickhouse://HOST:PORT[/TABLE] into an HTTP base URL and a table
 * ("" when none). Returns 0 or SHO_EINVAL (credentials in the URL are refused). */
SHO_NODISCARD int ch_url_parse(const char *spec, char *url, size_t url_len, char *table,
                               size_t table_len, struct sho_err *err);

/* The password in file `path` (its trailing newline dropped). Returns 0 or a negative code. */
SHO_NODISCARD int ch_password_read(const char *path, char *out, size_t out_len,
                                   struct sho_err *err);

/* ---- the ship checkpoint (ch_ckpt.c) ---------------------------------------------- */

#include "shoseki/archive.h"

/* DATA/ship-<hash of the target>.pos into `out`. */
void ch_ckpt_path(const char *dir, const struct sho_ch_target *t, char *out, size_t out_len);

/* Read a checkpoint (absent: pos->is_set false). Returns 0 or SHO_EIO / SHO_ECORRUPT. */
SHO_NODISCARD int ch_ckpt_load(const char *path, struct sho_archive_pos *pos, struct sho_err *err);

/* Replace the checkpoint atomically (temporary file, fsync, rename; 0600). */
SHO_NODISCARD int ch_ckpt_save(const char *path, const struct sho_ch_target *t,
                               const struct sho_archive_pos *pos, struct sho_err *err);

/* ---- the table (ch_ship.c) ---------------------------------------------------------- */

/* The event columns, in the order ship sends them and search reads them. */
#define CH_COLUMNS                                                                                 \
    "ft, host, pkey, user, domain, path, npath, channel, event_id, actions, outcome,"              \
    " object_type, process, client_ip, share, frame, idx"

#endif /* SHOSEKI_CH_PRIV_H */
