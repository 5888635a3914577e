/*
 * norm_pack: a prepared record (normalize.h) with its strings as offsets into
 * a batch's arena, so a decoding thread can hand it to the thread that
 * finishes it. The string members of struct sho_event are reached through
 * one table of their offsets, so adding a string member means adding it here.
 */
#include <stddef.h>
#include <string.h>

#include "normalize.h"

static const size_t pack_fields[NORM_PACK_STRINGS] = {
    offsetof(struct sho_event, host),        offsetof(struct sho_event, channel),
    offsetof(struct sho_event, provider),    offsetof(struct sho_event, user_sid),
    offsetof(struct sho_event, user),        offsetof(struct sho_event, domain),
    offsetof(struct sho_event, object_type), offsetof(struct sho_event, path),
    offsetof(struct sho_event, process),     offsetof(struct sho_event, client_ip),
    offsetof(struct sho_event, share),       offsetof(struct sho_event, share_local_path),
    offsetof(struct sho_event, source),      offsetof(struct sho_event, ref),
};

static const char *pack_get(const struct sho_event *ev, size_t i)
{
    const char *s;

    memcpy(&s, (const char *)ev + pack_fields[i], sizeof(s));
    return s;
}

static void pack_set(struct sho_event *ev, size_t i, const char *s)
{
    memcpy((char *)ev + pack_fields[i], &s, sizeof(s));
}

int norm_pack(const struct norm_prepared *p, const char *rec, size_t rec_len, size_t rec_base,
              struct sho_buf *arena, struct norm_packed *out)
{
    size_t i;

    out->p = *p;
    for (i = 0; i < NORM_PACK_STRINGS; i++) {
        const char *s = pack_get(&p->ev, i);
        size_t at;
        pack_set(&out->p.ev, i, NULL);
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
        pack_set(&out->ev, i, in->str[i] == NORM_PACK_NONE ? NULL : arena + in->str[i]);
    }
}
