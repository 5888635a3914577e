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

/* ---- selections ----------------------------------------------------------------- */

/*
 * What a selection ran against, filled in by sho_query_select once the
 * command has opened the index: for a pack's README or a report's header.
 */
struct sho_query_info {
    char data_dir[4096]; /* the data directory (DIR of --data) */
    char tz[128];        /* the zone times were read and shown in: "Asia/Tokyo", "+09:00", ... */
    char policy[4096];   /* the policy file read, "" when none (scope and report) */
};

/*
 * Where a selection's events go. `fn` is called once for every event the
 * command selects (a search's rows; the events scope counts, hop 2 too; the
 * events behind each report row, failed attempts and mass-access bursts
 * included), with the index row (strings borrowed for the call); it returns
 * 0 to go on, anything else to stop the command, which then exits with
 * SHO_EXIT_SYSTEM without a message of its own (the tap says why). The
 * command's own result is written to `out` as it would be to standard output
 * (in the --format its options say; default CSV).
 */
struct sho_query_tap {
    int (*fn)(void *ctx, const struct sho_index_row *row);
    void *ctx;
    FILE *out;                  /* borrowed, not NULL */
    struct sho_query_info info; /* filled in */
};

/*
 * Run the search or report command argv[0] ("who", "what", "timeline",
 * "scope" or "report") with its own options and arguments argv[1..] (the
 * same as on the command line), passing its events to `tap`. Returns the
 * command's exit status (SHO_EXIT_OK with events, SHO_EXIT_SKIPPED without,
 * SHO_EXIT_USAGE for a bad selection after saying why on stderr, ...).
 */
int sho_query_select(int argc, char **argv, struct sho_query_tap *tap);

/* ---- commands ------------------------------------------------------------------- */

int sho_cmd_who(int argc, char **argv);
int sho_cmd_what(int argc, char **argv);
int sho_cmd_timeline(int argc, char **argv);
int sho_cmd_scope(int argc, char **argv);
int sho_cmd_report(int argc, char **argv);
/* `shoseki record KIND`: disposal, takeout, return, purpose, list (docs/records.md). */
int sho_cmd_record(int argc, char **argv);

#endif /* SHOSEKI_QUERY_H */
