#ifndef SHOSEKI_NORMALIZE_H
#define SHOSEKI_NORMALIZE_H

/*
 * normalize (private to collector/): one decoded Windows record (winrec) ->
 * one normalized event, or nothing when the record is not one shoseki keeps.
 * It carries state across records (the handle table for 4660/4658 paths), so
 * one normalizer sees a host's records in their order.
 */

#include <stddef.h>

#include "shoseki/event.h"
#include "winrec.h"

enum normalize_flags {
    NORMALIZE_ALL_OBJECTS = 1u << 0, /* keep registry, process, SAM, ... objects */
    NORMALIZE_ALL_EVENTS = 1u << 1,  /* keep every record, at least its System fields */
};

struct normalizer;

/* A normalizer remembering at most `handle_max` open handles. Free with normalizer_free. */
struct normalizer *normalizer_new(unsigned flags, size_t handle_max);
void normalizer_free(struct normalizer *n);

/*
 * Fill `ev` (cleared first) from `r`. Returns 1 when the event is to be
 * emitted, 0 when the record is filtered out. The caller sets `source` and
 * `source_offset`. Strings in `ev` are borrowed from `r` and `n` and valid
 * until the next call on either.
 */
int normalizer_run(struct normalizer *n, const struct winrec *r, struct sho_event *ev);

#endif /* SHOSEKI_NORMALIZE_H */
