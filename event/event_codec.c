/*
 * event_codec: the archive's binary encoding of a normalized event, and the
 * event's identity key. Layout (little-endian), after a u32 total length:
 *   u32 has, u64 time, u32 event_id, u64 record_id, u64 logon_id,
 *   u32 actions, u32 outcome, u64 process_id, u64 access_mask, u64 handle_id,
 *   u32 logon_type, i64 source_offset,
 *   then 13 strings in field order, each u32 length (0xFFFFFFFF = absent) + bytes.
 * Fixed widths keep the decoder trivial to check; zstd removes the zeros.
 * Invariant of the decoder: every length is checked against the bytes left.
 */
#include <string.h>

#include "shoseki/event.h"

#define CODEC_FIXED_LEN (4 + 8 + 4 + 8 + 8 + 4 + 4 + 8 + 8 + 8 + 4 + 8)
#define CODEC_NULL      0xFFFFFFFFu
#define CODEC_STRINGS   13

/* The string fields, in encoding order. */
static void codec_strings(const struct sho_event *ev, const char *out[CODEC_STRINGS])
{
    out[0] = ev->host;
    out[1] = ev->channel;
    out[2] = ev->provider;
    out[3] = ev->user_sid;
    out[4] = ev->user;
    out[5] = ev->domain;
    out[6] = ev->object_type;
    out[7] = ev->path;
    out[8] = ev->process;
    out[9] = ev->client_ip;
    out[10] = ev->share;
    out[11] = ev->share_local_path;
    out[12] = ev->source;
}

int sho_event_encode(const struct sho_event *ev, struct sho_buf *b)
{
    const char *strs[CODEC_STRINGS];
    uint8_t fixed[4 + CODEC_FIXED_LEN];
    size_t start = b->len, total = CODEC_FIXED_LEN, i;
    uint8_t *p = fixed + 4;
    int rc;

    codec_strings(ev, strs);
    for (i = 0; i < CODEC_STRINGS; i++) {
        total += 4 + (strs[i] != NULL ? strlen(strs[i]) : 0);
    }
    if (total > UINT32_MAX - 4) {
        return SHO_ELIMIT;
    }
    sho_put_le32(fixed, (uint32_t)total);
    sho_put_le32(p, ev->has);
    sho_put_le64(p + 4, ev->time);
    sho_put_le32(p + 12, ev->event_id);
    sho_put_le64(p + 16, ev->record_id);
    sho_put_le64(p + 24, ev->logon_id);
    sho_put_le32(p + 32, ev->actions);
    sho_put_le32(p + 36, (uint32_t)ev->outcome);
    sho_put_le64(p + 40, ev->process_id);
    sho_put_le64(p + 48, ev->access_mask);
    sho_put_le64(p + 56, ev->handle_id);
    sho_put_le32(p + 64, ev->logon_type);
    sho_put_le64(p + 68, (uint64_t)ev->source_offset);
    rc = sho_buf_append(b, fixed, sizeof(fixed));
    for (i = 0; rc == 0 && i < CODEC_STRINGS; i++) {
        uint8_t len[4];
        size_t n = strs[i] != NULL ? strlen(strs[i]) : 0;
        sho_put_le32(len, strs[i] != NULL ? (uint32_t)n : CODEC_NULL);
        rc = sho_buf_append(b, len, 4);
        if (rc == 0 && n != 0) {
            rc = sho_buf_append(b, strs[i], n);
        }
    }
    if (rc != 0) {
        b->len = start;
        if (b->data != NULL) {
            b->data[start] = '\0';
        }
    }
    return rc;
}

static void codec_fixed(const uint8_t *p, struct sho_event *ev)
{
    ev->has = sho_le32(p);
    ev->time = sho_le64(p + 4);
    ev->event_id = sho_le32(p + 12);
    ev->record_id = sho_le64(p + 16);
    ev->logon_id = sho_le64(p + 24);
    ev->actions = sho_le32(p + 32);
    ev->outcome = sho_le32(p + 36) <= SHO_OUTCOME_FAILURE ? (enum sho_outcome)sho_le32(p + 36)
                                                          : SHO_OUTCOME_UNKNOWN;
    ev->process_id = sho_le64(p + 40);
    ev->access_mask = sho_le64(p + 48);
    ev->handle_id = sho_le64(p + 56);
    ev->logon_type = sho_le32(p + 64);
    ev->source_offset = (int64_t)sho_le64(p + 68);
}

int sho_event_decode(const uint8_t *data, size_t len, struct sho_event *ev, struct sho_buf *strings,
                     size_t *used)
{
    size_t offs[CODEC_STRINGS];
    bool present[CODEC_STRINGS];
    const char **slots[CODEC_STRINGS];
    size_t total, pos, i;

    if (len < 4) {
        return SHO_ECORRUPT;
    }
    total = sho_le32(data);
    if (total < CODEC_FIXED_LEN || total > len - 4) {
        return SHO_ECORRUPT;
    }
    sho_event_clear(ev);
    codec_fixed(data + 4, ev);
    sho_buf_reset(strings);
    pos = 4 + CODEC_FIXED_LEN;
    for (i = 0; i < CODEC_STRINGS; i++) {
        uint32_t n;
        if (pos + 4 > 4 + total) {
            return SHO_ECORRUPT;
        }
        n = sho_le32(data + pos);
        pos += 4;
        present[i] = n != CODEC_NULL;
        offs[i] = strings->len;
        if (!present[i]) {
            continue;
        }
        if (n > 4 + total - pos || memchr(data + pos, '\0', n) != NULL) {
            return SHO_ECORRUPT;
        }
        if (sho_buf_append(strings, data + pos, n) != 0 || sho_buf_putc(strings, '\0') != 0) {
            return SHO_ELIMIT;
        }
        pos += n;
    }
    if (pos != 4 + total) {
        return SHO_ECORRUPT;
    }
    slots[0] = &ev->host;
    slots[1] = &ev->channel;
    slots[2] = &ev->provider;
    slots[3] = &ev->user_sid;
    slots[4] = &ev->user;
    slots[5] = &ev->domain;
    slots[6] = &ev->object_type;
    slots[7] = &ev->path;
    slots[8] = &ev->process;
    slots[9] = &ev->client_ip;
    slots[10] = &ev->share;
    slots[11] = &ev->share_local_path;
    slots[12] = &ev->source;
    for (i = 0; i < CODEC_STRINGS; i++) {
        /* An empty string that was stored still needs a valid pointer. */
        *slots[i] = present[i] ? (strings->data != NULL ? strings->data + offs[i] : "") : NULL;
    }
    *used = pos;
    return 0;
}

/* The key's bytes for a short event into `p` (`cap` bytes); 0 when they do not fit. */
static size_t event_key_small(const struct sho_event *ev, uint8_t *p, size_t cap)
{
    const char *parts[3] = { ev->host, ev->channel, ev->provider };
    size_t i, n[3], pos = 0;

    for (i = 0; i < 3; i++) {
        n[i] = parts[i] != NULL ? strlen(parts[i]) : 0;
        pos += 4 + n[i];
    }
    if (pos + 24 > cap) {
        return 0;
    }
    pos = 0;
    for (i = 0; i < 3; i++) {
        sho_put_le32(p + pos, parts[i] != NULL ? (uint32_t)n[i] : CODEC_NULL);
        memcpy(p + pos + 4, parts[i] != NULL ? parts[i] : "", n[i]);
        pos += 4 + n[i];
    }
    sho_put_le32(p + pos, ev->event_id);
    sho_put_le32(p + pos + 4, ev->has & (SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID));
    sho_put_le64(p + pos + 8, ev->record_id);
    sho_put_le64(p + pos + 16, ev->time);
    return pos + 24;
}

void sho_event_key(const struct sho_event *ev,
                   void (*sha256)(const void *data, size_t len, uint8_t out[32]), uint8_t out[32])
{
    uint8_t small[512]; /* the usual event: its key's bytes without an allocation */
    size_t small_len = event_key_small(ev, small, sizeof(small));
    struct sho_buf b;
    uint8_t num[24];
    const char *parts[3] = { ev->host, ev->channel, ev->provider };
    size_t i;
    int rc = 0;

    if (small_len != 0) {
        sha256(small, small_len, out);
        return;
    }
    /* Length-prefixed so ("ab","c") and ("a","bc") differ. */
    sho_buf_init(&b, (size_t)1 << 20);
    for (i = 0; i < 3; i++) {
        uint8_t len[4];
        size_t n = parts[i] != NULL ? strlen(parts[i]) : 0;
        sho_put_le32(len, parts[i] != NULL ? (uint32_t)n : CODEC_NULL);
        rc |= sho_buf_append(&b, len, 4);
        if (n != 0) {
            rc |= sho_buf_append(&b, parts[i], n);
        }
    }
    sho_put_le32(num, ev->event_id);
    sho_put_le32(num + 4, ev->has & (SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID));
    sho_put_le64(num + 8, ev->record_id);
    sho_put_le64(num + 16, ev->time);
    rc |= sho_buf_append(&b, num, sizeof(num));
    /* A host or channel past 1 MiB keys on its prefix: no real log comes near that. */
    (void)rc;
    sha256(b.data != NULL ? b.data : "", b.len, out);
    sho_buf_release(&b);
}
