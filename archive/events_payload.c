/*
 * events_payload: the payload of EVENTS frames (docs/archive-format.md,
 * "EVENTS"), read by the reader, the verifier and the writer's cache
 * catch-up, written by the writer. Two versions:
 *   1  sha256[32], u32 count, count * {key[16], event of sho_event_encode};
 *   2  sha256[32], u32 0xFFFFFFFF, u32 version, then one columnar batch
 *      (event/event_batch.c) and no keys.
 * A version 1 count can never be 0xFFFFFFFF (each entry takes more than 16
 * bytes and a payload at most 64 MiB), so the marker tells the versions apart.
 * Version 2 drops the keys (16 bytes of hash per event, which no compressor
 * can shrink) because every field they cover is stored exactly: a reader
 * recomputes them with sho_event_key.
 */
#include <string.h>

#include "archive_priv.h"

#define EVENTS_V1_HEAD (SHO_HASH_LEN + 4)
#define EVENTS_V2_HEAD (SHO_HASH_LEN + 8)

void arc_events_init(struct arc_events *r)
{
    memset(r, 0, sizeof(*r));
    sho_buf_init(&r->strings, (size_t)ARC_PAYLOAD_MAX);
    r->batch = sho_event_batch_new((size_t)ARC_PAYLOAD_MAX);
}

void arc_events_release(struct arc_events *r)
{
    sho_buf_release(&r->strings);
    sho_event_batch_free(r->batch);
    memset(r, 0, sizeof(*r));
}

int arc_events_load(struct arc_events *r, const uint8_t *p, size_t len)
{
    size_t used = 0;

    r->p = p;
    r->len = len;
    r->next = 0;
    r->count = 0;
    r->version = 0;
    if (len < EVENTS_V1_HEAD) {
        return SHO_ECORRUPT;
    }
    if (sho_le32(p + SHO_HASH_LEN) != ARC_EVENTS_MARKER) {
        r->version = 1;
        r->count = sho_le32(p + SHO_HASH_LEN);
        r->pos = EVENTS_V1_HEAD;
        return 0;
    }
    if (len < EVENTS_V2_HEAD || sho_le32(p + SHO_HASH_LEN + 4) != ARC_EVENTS_VERSION ||
        sho_event_batch_decode(r->batch, p + EVENTS_V2_HEAD, len - EVENTS_V2_HEAD, &used) != 0 ||
        used != len - EVENTS_V2_HEAD) {
        return SHO_ECORRUPT;
    }
    r->version = ARC_EVENTS_VERSION;
    r->count = (uint32_t)sho_event_batch_count(r->batch);
    return 0;
}

static int events_next_v1(struct arc_events *r, struct sho_event *ev)
{
    size_t used = 0;

    if (r->next == r->count) {
        return r->pos == r->len ? 0 : SHO_ECORRUPT; /* bytes after the last event */
    }
    if (r->pos + ARC_EVENT_KEY_LEN > r->len ||
        sho_event_decode(r->p + r->pos + ARC_EVENT_KEY_LEN, r->len - r->pos - ARC_EVENT_KEY_LEN, ev,
                         &r->strings, &used) != 0) {
        return SHO_ECORRUPT;
    }
    r->pos += ARC_EVENT_KEY_LEN + used; /* the stored key: recomputed by whoever needs it */
    r->next++;
    return 1;
}

int arc_events_next(struct arc_events *r, struct sho_event *ev)
{
    if (r->version == 1) {
        return events_next_v1(r, ev);
    }
    if (r->next >= r->count) {
        return 0;
    }
    sho_event_batch_get(r->batch, r->next++, ev);
    return 1;
}

int arc_events_build(const uint8_t sha[SHO_HASH_LEN], const struct sho_event_batch *b,
                     struct sho_buf *out)
{
    uint8_t head[EVENTS_V2_HEAD];

    memcpy(head, sha, SHO_HASH_LEN);
    sho_put_le32(head + SHO_HASH_LEN, ARC_EVENTS_MARKER);
    sho_put_le32(head + SHO_HASH_LEN + 4, ARC_EVENTS_VERSION);
    sho_buf_reset(out);
    if (sho_buf_append(out, head, sizeof(head)) != 0 || sho_event_batch_encode(b, out) != 0) {
        return SHO_ELIMIT;
    }
    return 0;
}

int sho_archive_frame_events_shape(const uint8_t *payload, size_t len, uint32_t *count,
                                   bool *shared)
{
    uint64_t n = 0;
    size_t pos = EVENTS_V2_HEAD;

    *count = 0;
    *shared = false;
    if (len < EVENTS_V1_HEAD) {
        return SHO_ECORRUPT;
    }
    if (sho_le32(payload + SHO_HASH_LEN) != ARC_EVENTS_MARKER) {
        *count = sho_le32(payload + SHO_HASH_LEN);
        return 0;
    }
    if (len < EVENTS_V2_HEAD || sho_le32(payload + SHO_HASH_LEN + 4) != ARC_EVENTS_VERSION ||
        sho_varint_get(payload, len, &pos, &n) != 0 || n > UINT32_MAX) {
        return SHO_ECORRUPT;
    }
    *count = (uint32_t)n;
    *shared = true;
    return 0;
}
