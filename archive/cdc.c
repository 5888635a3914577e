/*
 * cdc: content-defined chunking of original files into blocks, with a gear
 * rolling hash (as in FastCDC): a cut falls where the hash of the last bytes
 * has its low ARC_CDC_BITS bits zero, so the same content gives the same
 * blocks wherever it sits. That is what lets tonight's copy of a rolling
 * Security log share all unchanged stretches with last night's. The gear
 * table is generated from a fixed seed: block boundaries are part of the
 * format and must never change between versions. EVTX files are cut at their
 * own chunk boundaries instead (arc_evtx_cut), which is exact for them.
 */
#include "archive_priv.h"

#define ARC_CDC_BITS 14 /* average block about 16 KiB past the minimum */

static uint64_t cdc_gear(uint8_t byte)
{
    /* splitmix64 of the byte value: a fixed, well-mixed table without a table. */
    uint64_t z = (uint64_t)byte * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

size_t arc_cdc_cut(const uint8_t *data, size_t len, bool is_last)
{
    const uint64_t mask = ((uint64_t)1 << ARC_CDC_BITS) - 1;
    uint64_t h = 0;
    size_t i;

    if (len <= ARC_CDC_MIN) {
        return is_last ? len : 0;
    }
    for (i = ARC_CDC_MIN; i < len && i < ARC_CDC_MAX; i++) {
        h = (h << 1) + cdc_gear(data[i]);
        /* Test the high bits: the low bits of a shifted sum see too few bytes. */
        if (((h >> (64 - ARC_CDC_BITS)) & mask) == 0) {
            return i + 1;
        }
    }
    if (i == ARC_CDC_MAX) {
        return ARC_CDC_MAX;
    }
    return is_last ? len : 0;
}

size_t arc_evtx_cut(uint64_t pos, size_t len, bool is_last)
{
    const uint64_t header = 4096, chunk = 65536;
    uint64_t next;

    if (pos < header) {
        next = header;
    } else {
        next = header + ((pos - header) / chunk + 1) * chunk;
    }
    if (len >= next - pos) {
        return (size_t)(next - pos);
    }
    return is_last ? len : 0;
}

int arc_blocks_parse(const uint8_t *p, size_t len, struct arc_block_table *t)
{
    uint64_t sum = 0;
    size_t head;
    uint32_t i;

    if (len < 4) {
        return SHO_ECORRUPT;
    }
    t->count = sho_le32(p);
    if (t->count == 0 || t->count > (len - 4) / ARC_BLOCK_ENTRY) {
        return SHO_ECORRUPT;
    }
    head = 4 + (size_t)t->count * ARC_BLOCK_ENTRY;
    t->entries = p + 4;
    t->data = p + head;
    t->data_len = len - head;
    for (i = 0; i < t->count; i++) {
        sum += sho_le32(t->entries + (size_t)i * ARC_BLOCK_ENTRY + SHO_HASH_LEN);
    }
    return sum == t->data_len ? 0 : SHO_ECORRUPT;
}
