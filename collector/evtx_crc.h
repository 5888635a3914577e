#ifndef SHOSEKI_EVTX_CRC_H
#define SHOSEKI_EVTX_CRC_H

/*
 * evtx_crc (private to collector/): CRC-32 (IEEE 802.3, reflected, as zlib
 * computes it), which EVTX uses for its file header, chunk headers and chunk
 * records. Every byte of a collected log is checked, so the sum is computed
 * with carry-less multiplication (PCLMULQDQ) where the CPU has it and with
 * slicing-by-8 tables otherwise; both give the same result.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evtx_crc {
    uint32_t t[8][256]; /* slicing-by-8 tables */
    bool has_clmul;     /* the CPU can fold with PCLMULQDQ */
};

/* Fill the tables and detect the CPU. */
void evtx_crc_init(struct evtx_crc *c);

/* CRC-32 of `len` bytes at `p`, continuing from `crc` (0 to start). */
uint32_t evtx_crc32(const struct evtx_crc *c, uint32_t crc, const void *p, size_t len);

/* The same with the tables only (for tests that compare both paths). */
uint32_t evtx_crc32_table(const struct evtx_crc *c, uint32_t crc, const void *p, size_t len);

#endif /* SHOSEKI_EVTX_CRC_H */
