/*
 * frame: the unit of the archive. Layout (little-endian; see
 * docs/archive-format.md):
 *   0  "SHF1"      4   type u8, codec u8, reserved u16 (0)
 *   8  seq u64     16  stored_len u32   20  raw_len u32
 *   24 prev_hash[32]   56 payload[stored_len]   then hash[32]
 * hash = SHA-256 of bytes 0 .. 56+stored_len, so it covers the frame's
 * number, its content and the previous frame's hash: the chain.
 * Codec 2 payloads start with a reference to their dictionary frame (u64 seq,
 * u32 segment, u64 offset, hash[32]) followed by the zstd data.
 * Invariants of the reader: lengths are checked against ARC_PAYLOAD_MAX and
 * the file size before anything is allocated or read; the hash is checked
 * before the payload is decompressed; decompression must give raw_len bytes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "archive_priv.h"

/* Compress into `dst`; returns the compressed size, or 0 when that does not pay. */
static size_t frame_compress(uint8_t *dst, size_t cap, const void *src, size_t len, int level,
                             const struct arc_dict *dict)
{
    size_t n;

    if (dict == NULL) {
        n = ZSTD_compress(dst, cap, src, len, level);
    } else {
        ZSTD_CCtx *cctx = ZSTD_createCCtx();
        if (cctx == NULL) {
            return 0;
        }
        sho_put_le64(dst, dict->seq);
        sho_put_le32(dst + 8, dict->segment);
        sho_put_le64(dst + 12, (uint64_t)dict->offset);
        memcpy(dst + 20, dict->hash, SHO_HASH_LEN);
        n = ZSTD_compress_usingDict(cctx, dst + ARC_DICT_REF_LEN, cap - ARC_DICT_REF_LEN, src, len,
                                    dict->data, dict->len, level);
        ZSTD_freeCCtx(cctx);
        n = ZSTD_isError(n) ? n : n + ARC_DICT_REF_LEN;
    }
    return !ZSTD_isError(n) && n < len ? n : 0;
}

int arc_frame_pack(enum sho_frame_type type, const void *payload, size_t len, int zstd_level,
                   const struct arc_dict *dict, struct sho_buf *out)
{
    size_t bound = ZSTD_compressBound(len) + ARC_DICT_REF_LEN;
    size_t stored = len;
    uint8_t codec = ARC_CODEC_NONE;
    uint8_t *h;
    int rc;

    if (len > ARC_PAYLOAD_MAX) {
        return SHO_ELIMIT;
    }
    sho_buf_reset(out);
    rc = sho_buf_reserve(out, ARC_FRAME_OVERHEAD + (bound > len ? bound : len));
    if (rc != 0) {
        return rc;
    }
    h = (uint8_t *)out->data;
    if (len != 0) {
        size_t n = frame_compress(h + ARC_FRAME_HEADER, bound, payload, len, zstd_level,
                                  dict != NULL && dict->len != 0 ? dict : NULL);
        if (n != 0) {
            stored = n;
            codec = dict != NULL && dict->len != 0 ? ARC_CODEC_ZSTD_DICT : ARC_CODEC_ZSTD;
        }
    }
    if (codec == ARC_CODEC_NONE && len != 0) {
        memcpy(h + ARC_FRAME_HEADER, payload, len);
    }
    memcpy(h, ARC_FRAME_MAGIC, 4);
    h[4] = (uint8_t)type;
    h[5] = codec;
    h[6] = 0;
    h[7] = 0;
    sho_put_le32(h + 16, (uint32_t)stored);
    sho_put_le32(h + 20, (uint32_t)len);
    out->len = ARC_FRAME_HEADER + stored;
    return 0;
}

void arc_frame_seal(struct sho_buf *out, uint64_t seq, const uint8_t prev_hash[SHO_HASH_LEN],
                    uint8_t hash[SHO_HASH_LEN])
{
    uint8_t *h = (uint8_t *)out->data;
    size_t stored = out->len - ARC_FRAME_HEADER;

    sho_put_le32(h + 8, (uint32_t)seq);
    sho_put_le32(h + 12, (uint32_t)(seq >> 32));
    memcpy(h + 24, prev_hash, SHO_HASH_LEN);
    sho_sha256(h, ARC_FRAME_HEADER + stored, hash);
    memcpy(h + ARC_FRAME_HEADER + stored, hash, SHO_HASH_LEN);
    out->len = ARC_FRAME_OVERHEAD + stored;
}

int arc_frame_build(enum sho_frame_type type, uint64_t seq, const uint8_t prev_hash[SHO_HASH_LEN],
                    const void *payload, size_t len, int zstd_level, const struct arc_dict *dict,
                    struct sho_buf *out, uint8_t hash[SHO_HASH_LEN])
{
    int rc = arc_frame_pack(type, payload, len, zstd_level, dict, out);

    if (rc == 0) {
        arc_frame_seal(out, seq, prev_hash, hash);
    }
    return rc;
}

/* pread exactly `len` bytes. Returns 0, or -1 on a short read or error. */
static int frame_pread(int fd, void *buf, size_t len, int64_t offset)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)offset + (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

static int frame_decompress(const struct arc_frame_head *head, const struct sho_buf *stored,
                            struct sho_buf *raw, struct arc_dict_resolver *dicts,
                            struct sho_err *err)
{
    size_t n;

    sho_buf_reset(raw);
    if (sho_buf_reserve(raw, head->raw_len) != 0) {
        return sho_err_set(err, SHO_ELIMIT, NULL, -1, "frame payload too large");
    }
    if (head->codec == ARC_CODEC_NONE) {
        if (head->stored_len != head->raw_len) {
            return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "stored and raw lengths differ");
        }
        if (head->raw_len != 0) {
            memcpy(raw->data, stored->data, head->raw_len);
        }
    } else if (head->codec == ARC_CODEC_ZSTD) {
        n = ZSTD_decompress(raw->data, head->raw_len, stored->data, head->stored_len);
        if (ZSTD_isError(n) || n != head->raw_len) {
            return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "payload does not decompress: %s",
                               ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length");
        }
    } else {
        const uint8_t *s = (const uint8_t *)stored->data;
        struct arc_dict ref;
        ZSTD_DCtx *dctx;
        int rc;
        if (head->stored_len < ARC_DICT_REF_LEN || dicts == NULL) {
            return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "dictionary reference missing");
        }
        memset(&ref, 0, sizeof(ref));
        ref.seq = sho_le64(s);
        ref.segment = sho_le32(s + 8);
        ref.offset = (int64_t)sho_le64(s + 12);
        memcpy(ref.hash, s + 20, SHO_HASH_LEN);
        rc = arc_dict_resolve(dicts, &ref, err);
        if (rc != 0) {
            return rc;
        }
        dctx = ZSTD_createDCtx();
        if (dctx == NULL) {
            return sho_err_set(err, SHO_ENOMEM, NULL, -1, "out of memory");
        }
        n = ZSTD_decompress_usingDict(dctx, raw->data, head->raw_len, s + ARC_DICT_REF_LEN,
                                      head->stored_len - ARC_DICT_REF_LEN, ref.data, ref.len);
        ZSTD_freeDCtx(dctx);
        if (ZSTD_isError(n) || n != head->raw_len) {
            return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "payload does not decompress: %s",
                               ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length");
        }
    }
    raw->len = head->raw_len;
    raw->data[raw->len] = '\0';
    return 0;
}

int arc_frame_read(int fd, int64_t offset, int64_t size, struct arc_frame_head *head,
                   uint8_t hash[SHO_HASH_LEN], struct sho_buf *stored, struct sho_buf *raw,
                   struct arc_dict_resolver *dicts, struct sho_err *err)
{
    uint8_t h[ARC_FRAME_HEADER];
    uint8_t want[SHO_HASH_LEN];

    if (size - offset < (int64_t)ARC_FRAME_OVERHEAD) {
        return 1;
    }
    if (frame_pread(fd, h, sizeof(h), offset) != 0) {
        return sho_err_set(err, SHO_EIO, NULL, offset, "cannot read frame header");
    }
    if (memcmp(h, ARC_FRAME_MAGIC, 4) != 0) {
        return sho_err_set(err, SHO_ETAMPER, NULL, offset, "no frame signature");
    }
    head->type = h[4];
    head->codec = h[5];
    head->seq = sho_le64(h + 8);
    head->stored_len = sho_le32(h + 16);
    head->raw_len = sho_le32(h + 20);
    memcpy(head->prev_hash, h + 24, SHO_HASH_LEN);
    if (head->stored_len > ARC_PAYLOAD_MAX || head->raw_len > ARC_PAYLOAD_MAX ||
        head->codec > ARC_CODEC_ZSTD_DICT || h[6] != 0 || h[7] != 0) {
        return sho_err_set(err, SHO_ETAMPER, NULL, offset, "frame header is not valid");
    }
    if (size - offset < (int64_t)ARC_FRAME_OVERHEAD + head->stored_len) {
        return 1;
    }
    sho_buf_reset(stored);
    if (sho_buf_reserve(stored, ARC_FRAME_HEADER + (size_t)head->stored_len) != 0) {
        return sho_err_set(err, SHO_ELIMIT, NULL, offset, "frame too large");
    }
    memcpy(stored->data, h, ARC_FRAME_HEADER);
    if (frame_pread(fd, stored->data + ARC_FRAME_HEADER, head->stored_len,
                    offset + ARC_FRAME_HEADER) != 0 ||
        frame_pread(fd, hash, SHO_HASH_LEN, offset + ARC_FRAME_HEADER + head->stored_len) != 0) {
        return sho_err_set(err, SHO_EIO, NULL, offset, "cannot read frame");
    }
    sho_sha256(stored->data, ARC_FRAME_HEADER + (size_t)head->stored_len, want);
    if (memcmp(want, hash, SHO_HASH_LEN) != 0) {
        return sho_err_set(err, SHO_ETAMPER, NULL, offset,
                           "frame hash does not match its content (altered)");
    }
    /* Keep only the payload in `stored` for the decompressor. */
    memmove(stored->data, stored->data + ARC_FRAME_HEADER, head->stored_len);
    stored->len = head->stored_len;
    if (raw == NULL) {
        return 0;
    }
    return frame_decompress(head, stored, raw, dicts, err);
}
