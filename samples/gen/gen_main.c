/*
 * shoseki-gen: writes realistic Security and Sysmon event logs of a small
 * company's file servers, with the answers shoseki must find in them.
 *
 *   shoseki-gen --out DIR [--seed N] [--persons N] [--files N] [--hosts N]
 *               [--days N] [--events-per-day N] [--start YYYY-MM-DD]
 *               [--auditd FILE] [--samba FILE]
 *
 * Output: DIR/Security-<host>.evtx per file server, DIR/Sysmon-pc01.evtx
 * (the workstation with a USB drive), DIR/ForwardedEvents.evtx (every
 * server's logons in one file, as a Windows Event Collector gathers them)
 * and DIR/truth.json. The same seed always gives the same bytes. --auditd and
 * --samba also write the same file accesses (those that reached a file, and
 * the refused ones) as a Linux server's auditd log, with FILE.passwd naming
 * its auids, and as Samba full_audit syslog lines (gen_text.h).
 *
 * Scenarios, on top of ordinary work in business hours (09:00-18:00 JST):
 *   handler     the designated handler (person 0) works in the My Number folder;
 *   disposal    person 1 deletes old files (4663 DELETE, 4660, 4658);
 *   failures    person 2 is refused the My Number folder (4656 failure, 5145 failure);
 *   usb         person 3 copies files to a removable drive E: (Sysmon 11);
 *   compromise  the last person's account bulk-reads the My Number folder at night;
 *   cleared     the last server's Security log is cleared (1102) and a record-id gap follows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evtx_writer.h"
#include "gen_model.h"

static const char gen_usage[] =
    "usage: shoseki-gen --out DIR [--seed N] [--persons N] [--files N] [--hosts N]\n"
    "                   [--days N] [--events-per-day N] [--start YYYY-MM-DD]\n"
    "                   [--no-truth] [--auditd FILE] [--samba FILE]\n"
    "\n"
    "Write Security and Sysmon .evtx files of a small company's file servers, with\n"
    "the answers in DIR/truth.json. Defaults: seed 1, 8 persons, 24 files, 2 hosts,\n"
    "3 days, 40 accesses a day, starting 2024-04-01. --auditd and --samba also\n"
    "write the same file accesses as an auditd log (with FILE.passwd) and as Samba\n"
    "full_audit syslog lines.\n";

static int gen_parse(int argc, char **argv, struct gen_params *p, const char **out)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "seed", required_argument, NULL, 's' },
        { "persons", required_argument, NULL, 'p' },
        { "files", required_argument, NULL, 'f' },
        { "hosts", required_argument, NULL, 'H' },
        { "days", required_argument, NULL, 'd' },
        { "events-per-day", required_argument, NULL, 'e' },
        { "start", required_argument, NULL, 'S' },
        { "no-truth", no_argument, NULL, 'N' },
        { "auditd", required_argument, NULL, 'A' },
        { "samba", required_argument, NULL, 'B' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t v;
    int c;

    gen_params_default(p);
    *out = NULL;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "o:s:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            (void)fputs(gen_usage, stdout);
            return -1;
        }
        if (c == 'o') {
            *out = optarg;
            continue;
        }
        if (c == 'N') {
            p->no_truth = true;
            continue;
        }
        if (c == 'A' || c == 'B') {
            *(c == 'A' ? &p->auditd_path : &p->samba_path) = optarg;
            continue;
        }
        if (c == 'S') {
            char iso[32];
            (void)snprintf(iso, sizeof(iso), "%sT00:00:00+09:00", optarg);
            if (sho_time_parse_iso(iso, strlen(iso), &p->start) != 0) {
                (void)fprintf(stderr, "shoseki-gen: --start wants YYYY-MM-DD, not '%s'\n", optarg);
                return 2;
            }
            continue;
        }
        if (c == '?' || sho_parse_u64(optarg, 100000000, 0, &v) != 0) {
            (void)fprintf(stderr, "shoseki-gen: bad option or value near '%s'\n", argv[optind - 1]);
            return 2;
        }
        switch (c) {
        case 's':
            p->seed = v;
            break;
        case 'p':
            p->persons = (unsigned)(v < 5 ? 5 : v > GEN_MAX_PERSONS ? GEN_MAX_PERSONS : v);
            break;
        case 'f':
            p->files = (unsigned)(v < 8 ? 8 : v > GEN_MAX_FILES ? GEN_MAX_FILES : v);
            break;
        case 'H':
            p->hosts = (unsigned)(v < 1 ? 1 : v > GEN_MAX_HOSTS ? GEN_MAX_HOSTS : v);
            break;
        case 'd':
            p->days = (unsigned)(v < 2 ? 2 : v);
            break;
        default:
            p->events_per_day = (unsigned)v;
            break;
        }
    }
    if (*out == NULL) {
        (void)fputs(gen_usage, stderr);
        return 2;
    }
    return 0;
}

/* mkdir -p: `out` and the folders above it that are missing. */
static int gen_mkdirs(const char *out)
{
    char path[4096];
    size_t i, n = strlen(out);

    if (n == 0 || n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, out, n + 1);
    for (i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') {
            continue;
        }
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            return -1;
        }
        path[i] = i < n ? '/' : '\0';
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct gen_params p;
    struct sho_err err;
    const char *out;
    int rc = gen_parse(argc, argv, &p, &out);

    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    if (gen_mkdirs(out) != 0) {
        char etext[128];
        (void)fprintf(stderr, "shoseki-gen: cannot create '%s': %s\n", out,
                      sho_errno_text(errno, etext, sizeof(etext)));
        return 5;
    }
    sho_err_clear(&err);
    rc = gen_run(&p, out, &err);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return 5;
    }
    return 0;
}
