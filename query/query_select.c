/*
 * query_select: a search or report run for another command (an evidence
 * pack, an HTML report) rather than for a terminal: the same command line,
 * its events handed over one by one, its printed result to a chosen stream.
 */
#include <stdio.h>
#include <string.h>

#include "query_priv.h"

void qs_info(struct sho_query_tap *tap, const char *dir, const struct sho_tz *tz,
             const char *policy)
{
    if (tap == NULL) {
        return;
    }
    (void)snprintf(tap->info.data_dir, sizeof(tap->info.data_dir), "%s", dir);
    (void)snprintf(tap->info.tz, sizeof(tap->info.tz), "%s",
                   tz->zone.name[0] != '\0' ? tz->zone.name : "local");
    (void)snprintf(tap->info.policy, sizeof(tap->info.policy), "%s", policy != NULL ? policy : "");
}

int sho_query_select(int argc, char **argv, struct sho_query_tap *tap)
{
    static const char *const names[] = { "who", "what", "timeline" };
    size_t i;

    memset(&tap->info, 0, sizeof(tap->info));
    if (argc < 1) {
        (void)fputs("shoseki: which selection? who, what, timeline, scope or report\n", stderr);
        return SHO_EXIT_USAGE;
    }
    for (i = 0; i < SHO_ARRAY_COUNT(names); i++) {
        if (strcmp(argv[0], names[i]) == 0) {
            return qr_run((enum qr_command)i, argc, argv, tap);
        }
    }
    if (strcmp(argv[0], "scope") == 0) {
        return qs_scope(argc, argv, tap);
    }
    if (strcmp(argv[0], "report") == 0) {
        return qs_report(argc, argv, tap);
    }
    (void)fprintf(stderr,
                  "shoseki: '%s' is not a selection: who, what, timeline, scope or report\n",
                  argv[0]);
    return SHO_EXIT_USAGE;
}
