#ifndef SHOSEKI_EVTX_LIBEVTX_H
#define SHOSEKI_EVTX_LIBEVTX_H

/*
 * evtx_libevtx (private to collector/): the one adapter to libevtx. It opens a
 * file, walks its records (then the records libevtx recovers from slack
 * space) and hands out each record's XML rendering and file offset. libevtx's
 * error objects are translated to struct sho_err here and nowhere else.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

struct evtx_lib;

/* What libevtx can say about a record without rendering it. */
struct evtx_lib_meta {
    bool has_record_id;    /* record_id holds a value */
    uint64_t record_id;    /* record header identifier */
    bool has_event_id;     /* event_id holds a value */
    uint32_t event_id;     /* EventID */
    bool has_written_time; /* written_time holds a value */
    uint64_t written_time; /* record header FILETIME */
};

/* Open `path`. Returns 0, or SHO_ECORRUPT/SHO_EIO with err naming the file. */
SHO_NODISCARD int evtx_lib_open(const char *path, struct evtx_lib **out, struct sho_err *err);

/* Records in the file and recovered records, as libevtx counts them. */
void evtx_lib_counts(const struct evtx_lib *e, int *records, int *recovered);

/* True when the file header's dirty flag is set (not closed cleanly). */
bool evtx_lib_is_dirty(const struct evtx_lib *e);

/*
 * Load record `index` (of the recovered ones when `recovered`). On success
 * *offset is the record's byte offset in the file and *xml / *xml_len its
 * UTF-8 XML, borrowed until the next call on `e`. On failure returns
 * SHO_ECORRUPT with err located at the record (offset -1 when libevtx could
 * not say) and fills what it could of `meta`.
 */
SHO_NODISCARD int evtx_lib_record(struct evtx_lib *e, int index, bool recovered, int64_t *offset,
                                  const char **xml, size_t *xml_len, struct evtx_lib_meta *meta,
                                  struct sho_err *err);

void evtx_lib_close(struct evtx_lib *e);

#endif /* SHOSEKI_EVTX_LIBEVTX_H */
