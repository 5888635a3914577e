/*
 * Fuzz target: TZif time zone files (common/tzone.c, RFC 8536), read for
 * --tz NAME, the policy's zone and the machine's /etc/localtime (a file the
 * environment chooses: TZ, TZDIR). Contracts checked beyond sanitizer
 * reports: an accepted file has ascending transitions and offsets within 26
 * hours, so every offset it answers is within 26 hours, and converting a
 * wall-clock time to UTC moves it by at most that, for times from the year
 * 1601 to 9999 (what searches and logs can name).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "shoseki/common.h"

#define MAX_OFFSET   (26 * 3600)
#define SECONDS_1601 (-11644473600LL)
#define SECONDS_9999 253402300799LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_time(const struct sho_tzone *z, int64_t t)
{
    int32_t off = sho_tzone_offset(z, t);
    int64_t utc = sho_tzone_to_utc(z, t);

    if (off < -MAX_OFFSET || off > MAX_OFFSET || utc < t - MAX_OFFSET || utc > t + MAX_OFFSET) {
        fuzz_fail("time %" PRId64 ": offset %" PRId32 ", to UTC %" PRId64, t, off, utc);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sho_tzone z;
    size_t i;

    memset(&z, 0, sizeof(z));
    if (sho_tzone_parse(&z, data, size) == 0) {
        if (z.count > SHO_TZONE_MAX_TRANSITIONS) {
            fuzz_fail("%zu transitions accepted", z.count);
        }
        for (i = 0; i < z.count; i++) {
            if (i > 0 && z.at[i] <= z.at[i - 1]) {
                fuzz_fail("transition %zu at %" PRId64 " is not after %" PRId64, i, z.at[i],
                          z.at[i - 1]);
            }
            if (z.at[i] > SECONDS_1601 && z.at[i] < SECONDS_9999) {
                check_time(&z, z.at[i] - 1);
                check_time(&z, z.at[i]);
            }
        }
        check_time(&z, SECONDS_1601 + MAX_OFFSET);
        check_time(&z, 0);
        check_time(&z, SECONDS_9999 - MAX_OFFSET);
    }
    sho_tzone_release(&z);
    return 0;
}
