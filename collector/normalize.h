#ifndef SHOSEKI_NORMALIZE_H
#define SHOSEKI_NORMALIZE_H

/*
 * normalize (private to collector/): one decoded Windows record (winrec) ->
 * one normalized event, or nothing when the record is not one shoseki keeps.
 * It carries state across records (the handle table for 4660/4658 paths), so
 * one normalizer sees a host's records in their order.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * until the next call on either. Same as normalizer_prepare then
 * normalizer_finish on one normalizer.
 */
int normalizer_run(struct normalizer *n, const struct winrec *r, struct sho_event *ev);

/*
 * Normalizing in two halves, so the per-record work can run on decoding
 * threads: normalizer_prepare needs only the record (any thread, each with
 * its own normalizer; the handle table is not touched), normalizer_finish
 * does what depends on the records before it (the handle table: remember an
 * opened handle, resolve a closed or deleted one's path, forget a rebooted
 * host's handles) and the keep/drop filter, in record order on one
 * normalizer.
 */
enum norm_op {
    NORM_OP_NONE = 0,    /* nothing depends on earlier records */
    NORM_OP_PUT = 1,     /* remember ev.path / ev.object_type under the handle */
    NORM_OP_RESOLVE = 2, /* 4658 / 4660: path and type from the handle table */
    NORM_OP_RESET = 3,   /* 4608: the host restarted, forget its handles */
};

/* What kind of record a provider table recognised, which decides the filter. */
enum norm_class {
    NORM_NONE = 0,      /* not a record shoseki interprets */
    NORM_OBJECT = 1,    /* an access to an object: kept when the object is file-system */
    NORM_SESSION = 2,   /* logon, logoff: always kept */
    NORM_INTEGRITY = 3, /* log cleared, audit policy, shares, devices: always kept */
};

/* A record normalized as far as it can be without the records before it. */
struct norm_prepared {
    struct sho_event ev;  /* strings borrowed from the record, the normalizer or static */
    uint8_t cls;          /* enum norm_class */
    uint8_t op;           /* enum norm_op */
    bool server_security; /* RESOLVE: ObjectServer "Security" (file system or registry) */
};

/* The first half: fill `p` from `r`. Strings as for normalizer_run. */
void normalizer_prepare(struct normalizer *n, const struct winrec *r, struct norm_prepared *p);

/*
 * The second half, in record order: apply p->op to `n`'s handle table and
 * decide the filter. Returns 1 when p->ev is to be emitted (it may now
 * borrow strings from `n`, valid until its next call), 0 when filtered out.
 */
int normalizer_finish(struct normalizer *n, struct norm_prepared *p);

/*
 * A prepared record on its way from a decoding thread to the one that
 * finishes it: its strings become offsets into the string arena of the
 * batch it travels in (norm_pack.c).
 */
#define NORM_PACK_STRINGS SHO_EVENT_STRINGS
#define NORM_PACK_NONE    UINT32_MAX /* offset meaning NULL */

struct norm_packed {
    struct norm_prepared p;          /* string pointers not used */
    uint32_t str[NORM_PACK_STRINGS]; /* arena offsets, NORM_PACK_NONE for NULL */
};

/*
 * Pack `p`. A string inside `rec` (the record's own arena, `rec_len` bytes,
 * already copied to offset `rec_base` of `arena`) becomes its offset there;
 * any other (built by the normalizer, or static) is appended to `arena`.
 * Returns 0 or SHO_ELIMIT when `arena` is full.
 */
SHO_NODISCARD int norm_pack(const struct norm_prepared *p, const char *rec, size_t rec_len,
                            size_t rec_base, struct sho_buf *arena, struct norm_packed *out);

/* Unpack `in` against the arena's bytes: strings borrowed from `arena`. */
void norm_unpack(const struct norm_packed *in, const char *arena, struct norm_prepared *out);

#endif /* SHOSEKI_NORMALIZE_H */
