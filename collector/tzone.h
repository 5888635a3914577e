#ifndef SHOSEKI_TZONE_H
#define SHOSEKI_TZONE_H

/*
 * tzone (private to collector/): the zone of local times that text logs write
 * without one (syslog "Jan 12 10:00:01", CSV exports). A zone is UTC, a fixed
 * offset ("+09:00", "-0530"), or an IANA name read from the system's TZif
 * files (/usr/share/zoneinfo/NAME; TZDIR overrides), whose transitions give
 * daylight saving time. Read once per run, used without global state (no
 * setenv("TZ") / mktime).
 */

#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

#define TZONE_MAX_TRANSITIONS 4096

struct tzone {
    int32_t fixed;   /* offset in seconds east of UTC when there are no transitions */
    int64_t *at;     /* owned: transition times (Unix seconds), ascending */
    int32_t *offset; /* owned: offset in force from at[i] */
    size_t count;    /* transitions */
    int32_t before;  /* offset before the first transition */
    char name[64];   /* as given, for messages */
};

/* Load zone `spec` (NULL or "" means UTC). Returns 0 or SHO_EINVAL / SHO_EIO. */
SHO_NODISCARD int tzone_load(struct tzone *z, const char *spec, struct sho_err *err);
void tzone_release(struct tzone *z);

/*
 * Unix seconds of local wall-clock time `local` (seconds since 1970-01-01 as
 * if the wall clock were UTC). In a DST gap or overlap the earlier offset wins.
 */
int64_t tzone_to_utc(const struct tzone *z, int64_t local);

#endif /* SHOSEKI_TZONE_H */
