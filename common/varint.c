/*
 * varint: LEB128 unsigned varints, the one encoding of small integers that
 * the event batches and the index's postings lists share.
 */
#include "shoseki/common.h"

size_t sho_varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int sho_varint_get(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    unsigned i;

    for (i = 0; i < SHO_VARINT_MAX && *pos < len; i++) {
        uint8_t byte = p[(*pos)++];
        if (i == SHO_VARINT_MAX - 1 && byte > 1) {
            return SHO_ECORRUPT; /* past 64 bits */
        }
        r |= (uint64_t)(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            if (byte == 0 && i != 0) {
                return SHO_ECORRUPT; /* not minimal */
            }
            *v = r;
            return 0;
        }
    }
    return SHO_ECORRUPT;
}
