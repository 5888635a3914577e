#ifndef SHOSEKI_EVTX_VALUE_H
#define SHOSEKI_EVTX_VALUE_H

/*
 * evtx_value (private to collector/): the typed values of EVTX binary XML
 * (substitution values and value tokens) turned into UTF-8 text, written the
 * way libevtx 20181227 renders them in its XML, so that our decoder and the
 * libevtx path fill a winrec with the same strings. Text is not escaped:
 * escaping is the XML renderer's business.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

/* Value types (libyal EVTX documentation, "Value types"; MS-EVEN6 2.2.12). */
enum evtx_vtype {
    EVTX_V_NULL = 0x00,
    EVTX_V_STRING = 0x01, /* UTF-16LE */
    EVTX_V_ANSI = 0x02,
    EVTX_V_INT8 = 0x03,
    EVTX_V_UINT8 = 0x04,
    EVTX_V_INT16 = 0x05,
    EVTX_V_UINT16 = 0x06,
    EVTX_V_INT32 = 0x07,
    EVTX_V_UINT32 = 0x08,
    EVTX_V_INT64 = 0x09,
    EVTX_V_UINT64 = 0x0a,
    EVTX_V_REAL32 = 0x0b,
    EVTX_V_REAL64 = 0x0c,
    EVTX_V_BOOL = 0x0d,
    EVTX_V_BINARY = 0x0e,
    EVTX_V_GUID = 0x0f,
    EVTX_V_SIZET = 0x10,
    EVTX_V_FILETIME = 0x11,
    EVTX_V_SYSTIME = 0x12,
    EVTX_V_SID = 0x13,
    EVTX_V_HEX32 = 0x14,
    EVTX_V_HEX64 = 0x15,
    EVTX_V_BINXML = 0x21,
    EVTX_V_ARRAY = 0x80, /* flag: an array of the type in the low bits */
};

/*
 * Append UTF-16LE text (`units` code units at `p`, stopping at the first
 * NUL) to `out` as UTF-8; an unpaired surrogate becomes U+FFFD. Returns 0 or
 * SHO_ELIMIT when `out` is full.
 */
SHO_NODISCARD int evtx_utf16_append(struct sho_buf *out, const uint8_t *p, size_t units);

/* evtx_utf16_append that also says whether a C0 control character was copied. */
SHO_NODISCARD int evtx_utf16_append_ctl(struct sho_buf *out, const uint8_t *p, size_t units,
                                        bool *ctl);

/*
 * Append the text of the value of `type` held in the `len` bytes at `p`.
 * A value whose size does not fit its type is rendered as hexadecimal bytes
 * rather than rejected (libevtx renders what it can). Binary XML values are
 * not text: the caller decodes them. Returns 0 or SHO_ELIMIT.
 */
SHO_NODISCARD int evtx_value_append(struct sho_buf *out, uint8_t type, const uint8_t *p,
                                    size_t len);

/*
 * The value as an unsigned integer when `type` is an integer type of the
 * right size (negative ones are reported as not numbers). Returns 1 with
 * *out set, else 0.
 */
int evtx_value_u64(uint8_t type, const uint8_t *p, size_t len, uint64_t *out);

#endif /* SHOSEKI_EVTX_VALUE_H */
