/*
 * norm_pack: a prepared record (normalize.h) with its strings as offsets into
 * a batch's arena, so a decoding thread can hand it to the thread that
 * finishes it; the event's string members are reached by number
 * (sho_event_string).
 */
#include <stddef.h>
#include <string.h>

#include "normalize.h"

int norm_pack(const struct norm_prepared *p, const char *rec, size_t rec_len, size_t rec_base,
              struct sho_buf *arena, struct norm_packed *out)
{
    size_t i;

    out->p = *p;
    for (i = 0; i < NORM_PACK_STRINGS; i++) {
        const char *s = sho_event_string(&p->ev, i);
        size_t at;
        sho_event_set_string(&out->p.ev, i, NULL);
        if (s == NULL) {
            out->str[i] = NORM_PACK_NONE;
            continue;
        }
        /* compared as addresses: the arena is one object, s may lie outside it */
        if (rec != NULL && (uintptr_t)s >= (uintptr_t)rec &&
            (uintptr_t)s < (uintptr_t)rec + rec_len) {
            at = rec_base + (size_t)((uintptr_t)s - (uintptr_t)rec);
        } else {
            at = arena->len;
            if (sho_buf_append(arena, s, strlen(s) + 1) != 0) {
                return SHO_ELIMIT;
            }
        }
        if (at >= NORM_PACK_NONE) {
            return SHO_ELIMIT;
        }
        out->str[i] = (uint32_t)at;
    }
    return 0;
}

void norm_unpack(const struct norm_packed *in, const char *arena, struct norm_prepared *out)
{
    size_t i;

    *out = in->p;
    for (i = 0; i < NORM_PACK_STRINGS; i++) {
        sho_event_set_string(&out->ev, i, in->str[i] == NORM_PACK_NONE ? NULL : arena + in->str[i]);
    }
}
