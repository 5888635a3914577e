#ifndef SHOSEKI_QUERY_H
#define SHOSEKI_QUERY_H

/*
 * query: the searches people run (`who`, `what`, `timeline`), the times they
 * type (ISO 8601 in a chosen zone, `today`, `-7d`) and the rows they get back
 * (an aligned table on a terminal, RFC 4180 CSV or JSON lines otherwise),
 * each carrying the event's archive reference. Reads the index (indexer),
 * which it brings up to date first.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "shoseki/common.h"
#include "shoseki/indexer.h"

/* ---- time zones and times ------------------------------------------------------- */

/* The zone times are read and shown in. */
struct sho_tz {
    struct sho_tzone zone; /* owned: release with sho_tz_release */
    bool is_utc;           /* shown with "Z" */
};

/*
 * Parse a zone: NULL, "" or "local" (the machine's local zone: $TZ, else
 * /etc/localtime), "UTC" / "Z", "+09:00" / "-0530", or a name from the
 * system's zoneinfo database ("Asia/Tokyo"). Returns 0 or SHO_EINVAL with err
 * saying why. Any number of zones can be in use at once.
 */
SHO_NODISCARD int sho_tz_parse(const char *spec, struct sho_tz *tz, struct sho_err *err);

void sho_tz_release(struct sho_tz *tz);

/* Minutes east of UTC in `tz` at FILETIME `ft`. */
int sho_tz_offset(const struct sho_tz *tz, uint64_t ft);

/* Format `ft` as ISO 8601 in `tz` with an explicit offset, 7 fractional digits. */
size_t sho_tz_format(const struct sho_tz *tz, uint64_t ft, char out[SHO_TIME_ISO_MAX]);

enum sho_time_edge {
    SHO_TIME_START = 0, /* a date alone means its first instant (--since) */
    SHO_TIME_END = 1,   /* a date alone means the instant after its last (--until) */
};

/*
 * Parse a time a person typed: "2024-05-01", "2024-05-01T09:30[:15[.123]]"
 * (space for T accepted), with an optional "Z" or "±hh:mm"; otherwise read in
 * `tz`. Also "now", "today", "yesterday" (midnight in `tz`) and "-7d",
 * "-12h", "-30m", "-2w" before `now` (FILETIME). Returns 0 or SHO_EINVAL.
 */
SHO_NODISCARD int sho_time_parse_user(const char *s, const struct sho_tz *tz, uint64_t now,
                                      enum sho_time_edge edge, uint64_t *out, struct sho_err *err);

/* The current time as FILETIME. */
uint64_t sho_time_now(void);

/* ---- commands ------------------------------------------------------------------- */

int sho_cmd_who(int argc, char **argv);
int sho_cmd_what(int argc, char **argv);
int sho_cmd_timeline(int argc, char **argv);
int sho_cmd_scope(int argc, char **argv);
int sho_cmd_report(int argc, char **argv);

#endif /* SHOSEKI_QUERY_H */
