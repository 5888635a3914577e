/*
 * Fuzz target: the text parsers of command lines and logs: ISO 8601 times
 * (with the invariant that what parses, formats and parses back to the same
 * FILETIME), numbers with every flag combination, and AccessList tokens.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access_mask.h"
#include "shoseki/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = sho_xstrndup((const char *)data, size);
    char iso[SHO_TIME_ISO_MAX];
    uint64_t ft, back, v;
    unsigned flags;

    if (sho_time_parse_iso(s, strlen(s), &ft) == 0) {
        size_t n = sho_time_format_iso(ft, iso);
        if (sho_time_parse_iso(iso, n, &back) != 0 || back != ft) {
            abort(); /* formatting must give back a time that parses to the same instant */
        }
    }
    for (flags = 0; flags < 4; flags++) {
        (void)sho_parse_u64n(s, strlen(s), UINT64_MAX, flags, &v);
    }
    (void)access_list_mask(s);
    free(s);
    return 0;
}
