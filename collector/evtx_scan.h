#ifndef SHOSEKI_EVTX_SCAN_H
#define SHOSEKI_EVTX_SCAN_H

/*
 * evtx_scan (private to collector/): walks the structure of an .evtx file
 * (file header, 64 KiB chunks, the records chained inside each chunk) without
 * decoding any record, to learn where each record starts. libevtx 20181227
 * reports 0 as every record's offset, and evidence must point at its bytes.
 * The scan moves forward only, one chunk in memory, so it runs in bounded
 * memory beside the decoder that walks the same file in the same order.
 */

#include <stdint.h>

#include "shoseki/common.h"

#define EVTX_FILE_HEADER_SIZE  4096
#define EVTX_CHUNK_SIZE        65536
#define EVTX_CHUNK_HEADER_SIZE 512
#define EVTX_RECORD_MIN_SIZE   28 /* header (24) + trailing size copy (4) */

struct evtx_scan;

/* Scan the file at `path`. Returns 0 or SHO_EIO with err naming the file. */
SHO_NODISCARD int evtx_scan_open(const char *path, struct evtx_scan **out, struct sho_err *err);
void evtx_scan_close(struct evtx_scan *s);

/*
 * The byte offset of the record whose header identifier is `record_id`,
 * searching forward from the last record found (at most a bounded number of
 * chunks ahead). Returns 1 with *offset set, or 0 when not found, in which
 * case the scan position is kept for the next lookup.
 */
int evtx_scan_find(struct evtx_scan *s, uint64_t record_id, int64_t *offset);

/*
 * Called for each well-formed record of the chain that a lookup stepped over
 * (the decoder never asked for it) and, by evtx_scan_drain, for each one
 * after the last record found: records present in the file that the decoder
 * did not return.
 */
typedef void (*evtx_scan_skip_fn)(void *ctx, int64_t offset, uint64_t record_id);
void evtx_scan_on_skip(struct evtx_scan *s, evtx_scan_skip_fn fn, void *ctx);

/* Report every record from the current position to the end of the file as skipped. */
void evtx_scan_drain(struct evtx_scan *s);

/*
 * The record after the last one found or stepped over, in file order: for a
 * record the decoder could not read, this is where it lies. Returns 1 with
 * *offset and *record_id set and moves past it, or 0 at the end of the file.
 */
int evtx_scan_next(struct evtx_scan *s, int64_t *offset, uint64_t *record_id);

/*
 * Check the container against its file header: call `fn` once for every
 * chunk the header counts whose signature is wrong, and once if the file
 * ends before the last counted chunk (then stops). Records in such chunks
 * cannot be read by any decoder, so each is a located problem. Returns the
 * number of problems found.
 */
int evtx_scan_check(struct evtx_scan *s, void (*fn)(void *ctx, int64_t offset, const char *what),
                    void *ctx);

/*
 * Validate one chunk image of EVTX_CHUNK_SIZE bytes: returns the number of
 * well-formed records chained from its header, or -1 when `chunk` is not a
 * chunk. Calls `fn` for each record (offset within the chunk, id, size) when
 * `fn` is not NULL. Exposed for tests and the fuzz target.
 */
int evtx_scan_chunk(const uint8_t *chunk,
                    void (*fn)(void *ctx, uint32_t off, uint64_t id, uint32_t size), void *ctx);

#endif /* SHOSEKI_EVTX_SCAN_H */
