/*
 * hash: sho_hash64, the in-memory hash of the hot paths (template cache,
 * handle table): eight bytes a step with a multiply and a shift, the tail
 * byte by byte (FNV-1a).
 */
#include <string.h>

#include "shoseki/common.h"

uint64_t sho_hash64(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = seed;

    for (; len >= 8; p += 8, len -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    for (; len > 0; p++, len--) {
        h = (h ^ *p) * 0x100000001b3ULL;
    }
    return h;
}
