/*
 * evtx_crc: CRC-32 for the EVTX reader (see evtx_crc.h).
 *
 * Folding method: Gopal et al., "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ Instruction" (Intel, 2009), for the bit-reflected IEEE
 * polynomial 0x104C11DB7. Four 128-bit lanes fold 64 bytes at a time, fold
 * into one lane, then 16 bytes at a time; the last 128 bits are reduced to
 * 64, then 32 bits, and a Barrett reduction gives the CRC. The fold
 * constants are x^(k) mod P for the distances used (reflected, shifted by
 * one), as published with the method. Bytes that do not fill a 16-byte block
 * go through the tables. The vector path is compiled for x86-64 only, with
 * the target attribute, and chosen at run time.
 */
#include "evtx_crc.h"

#include <string.h>

#include "shoseki/common.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define EVTX_CRC_CLMUL 1
#include <emmintrin.h>
#include <wmmintrin.h>
#endif

#define CRC_POLY_REFLECTED 0xEDB88320u
#define CRC_CLMUL_MIN      64 /* bytes below which the tables are faster */

void evtx_crc_init(struct evtx_crc *c)
{
    uint32_t i, k, v;

    for (i = 0; i < 256; i++) {
        v = i;
        for (k = 0; k < 8; k++) {
            v = (v >> 1) ^ (CRC_POLY_REFLECTED & (0u - (v & 1u)));
        }
        c->t[0][i] = v;
    }
    for (i = 0; i < 256; i++) {
        for (k = 1; k < 8; k++) {
            c->t[k][i] = (c->t[k - 1][i] >> 8) ^ c->t[0][c->t[k - 1][i] & 0xFF];
        }
    }
#ifdef EVTX_CRC_CLMUL
    c->has_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
#else
    c->has_clmul = false;
#endif
}

/* The raw (not inverted) register update. */
static uint32_t crc_tables(const struct evtx_crc *c, uint32_t crc, const uint8_t *p, size_t len)
{
    while (len >= 8) {
        uint32_t a = crc ^ sho_le32(p), b = sho_le32(p + 4);
        crc = c->t[7][a & 0xFF] ^ c->t[6][(a >> 8) & 0xFF] ^ c->t[5][(a >> 16) & 0xFF] ^
              c->t[4][a >> 24] ^ c->t[3][b & 0xFF] ^ c->t[2][(b >> 8) & 0xFF] ^
              c->t[1][(b >> 16) & 0xFF] ^ c->t[0][b >> 24];
        p += 8;
        len -= 8;
    }
    while (len-- > 0) {
        crc = (crc >> 8) ^ c->t[0][(crc ^ *p++) & 0xFF];
    }
    return crc;
}

#ifdef EVTX_CRC_CLMUL
static __attribute__((target("pclmul,sse2"))) __m128i crc_fold(__m128i x, __m128i k, __m128i data)
{
    return _mm_xor_si128(
        _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), data);
}

/* Raw register update over `len` bytes, len >= 64 and a multiple of 16. */
static __attribute__((target("pclmul,sse2"))) uint32_t crc_clmul(uint32_t crc, const uint8_t *p,
                                                                 size_t len)
{
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
    const __m128i poly = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    __m128i t;

    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    p += 64;
    len -= 64;
    while (len >= 64) {
        x1 = crc_fold(x1, k1k2, _mm_loadu_si128((const __m128i *)(const void *)p));
        x2 = crc_fold(x2, k1k2, _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        x3 = crc_fold(x3, k1k2, _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        x4 = crc_fold(x4, k1k2, _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64;
        len -= 64;
    }
    x1 = crc_fold(x1, k3k4, x2);
    x1 = crc_fold(x1, k3k4, x3);
    x1 = crc_fold(x1, k3k4, x4);
    while (len >= 16) {
        x1 = crc_fold(x1, k3k4, _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        len -= 16;
    }
    /* 128 -> 64 bits (also appends 32 zero bits), then 64 -> 32. */
    t = _mm_clmulepi64_si128(k3k4, x1, 0x01);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
    t = _mm_srli_si128(x1, 4);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00), t);
    /* Barrett reduction. */
    t = x1;
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10);
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x00);
    x1 = _mm_xor_si128(x1, t);
    return (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(x1, 4));
}
#endif

uint32_t evtx_crc32_table(const struct evtx_crc *c, uint32_t crc, const void *p, size_t len)
{
    return ~crc_tables(c, ~crc, p, len);
}

uint32_t evtx_crc32(const struct evtx_crc *c, uint32_t crc, const void *p, size_t len)
{
    const uint8_t *b = p;
    uint32_t raw = ~crc;

#ifdef EVTX_CRC_CLMUL
    if (c->has_clmul && len >= CRC_CLMUL_MIN) {
        size_t body = len & ~(size_t)15;
        raw = crc_clmul(raw, b, body);
        b += body;
        len -= body;
    }
#endif
    return ~crc_tables(c, raw, b, len);
}
