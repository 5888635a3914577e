/*
 * cmd_evidence: `shoseki evidence --out DIR [--case NAME] [--excel] [--lang
 * ja|en] [--zip] SELECTION`. The selection is any search or report command
 * line (who, what, timeline, scope, report KIND), run through
 * sho_query_select: its printed result becomes result.csv and the events it
 * selects the rest of the pack. The pack directory is created 0700 and must
 * not exist; with --zip it is made in a scratch directory beside OUT and
 * written as one zip file OUT. MANIFEST.sha256 is written last, so a pack
 * whose making failed never verifies.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence_priv.h"

static const char evidence_usage[] =
    "usage: shoseki evidence --out DIR [--case NAME] [--excel] [--lang ja|en] [--zip]\n"
    "                        who|what|timeline|scope|report ... (the selection)\n"
    "\n"
    "Make an evidence pack of the events a search or report selects: README.txt,\n"
    "result.csv (the selection's own result), events.csv (every field and archive\n"
    "reference), persons.csv, files.csv, sources.csv (SHA-256 at collection),\n"
    "originals/ (each event's original record), chain.txt (archive frames and head)\n"
    "and MANIFEST.sha256 (what `sha256sum -c` and `shoseki verify --pack` check).\n"
    "The selection takes its own options (--data, --tz, --since, ...).\n"
    "\n"
    "options:\n"
    "  -o, --out DIR     the pack to create (0700; must not exist); with --zip a file\n"
    "      --case NAME   the case the pack is for, shown in README.txt\n"
    "      --excel       CSV for Excel: UTF-8 BOM, CRLF, formula-like cells neutralized\n"
    "      --lang ja|en  language of README.txt and CSV column headers (default en)\n"
    "      --zip         write one zip file instead of a directory\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 pack made, 1 made but some events or original records were\n"
    "missing (README says which), 2 usage error, 3 input unusable, 5 system error.\n";

static int evidence_parse(int argc, char **argv, struct ev_opts *o)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "case", required_argument, NULL, 'c' },
        { "excel", no_argument, NULL, 'x' },
        { "lang", required_argument, NULL, 'l' },
        { "zip", no_argument, NULL, 'z' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
        if (c == 'o') {
            o->out = optarg;
        } else if (c == 'c') {
            o->case_name = optarg;
        } else if (c == 'x') {
            o->excel = true;
        } else if (c == 'z') {
            o->zip = true;
        } else if (c == 'l' && (strcmp(optarg, "ja") == 0 || strcmp(optarg, "en") == 0)) {
            o->lang = strcmp(optarg, "ja") == 0 ? EV_LANG_JA : EV_LANG_EN;
        } else if (c == 'h') {
            (void)fputs(evidence_usage, stdout);
            return -1;
        } else {
            (void)fprintf(stderr, "shoseki evidence: %s '%s'\n",
                          c == 'l' ? "--lang wants ja or en, not" : "unknown option",
                          c == 'l' ? optarg : argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
    }
    if (o->out == NULL || optind >= argc) {
        (void)fputs(o->out == NULL ? "shoseki evidence: --out DIR is required\n"
                                   : "shoseki evidence: which selection? who, what, timeline, "
                                     "scope or report\n",
                    stderr);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

/* Make the directory to fill: OUT itself, or with --zip a scratch directory beside it. */
static int evidence_mkdir(struct ev_pack *p, struct sho_err *err)
{
    struct stat st;
    char etext[128];

    if (lstat(p->o.out, &st) == 0) {
        return sho_err_set(err, SHO_EINVAL, p->o.out, -1,
                           "exists already: a pack is never written over");
    }
    if (p->o.zip) {
        (void)snprintf(p->dir, sizeof(p->dir), "%s.partial-XXXXXX", p->o.out);
        if (mkdtemp(p->dir) == NULL) {
            return sho_err_set(err, SHO_EIO, p->dir, -1, "cannot create: %s",
                               sho_errno_text(errno, etext, sizeof(etext)));
        }
    } else {
        (void)snprintf(p->dir, sizeof(p->dir), "%s", p->o.out);
        if (mkdir(p->dir, 0700) != 0) {
            return sho_err_set(err, errno == EEXIST ? SHO_EINVAL : SHO_EIO, p->dir, -1,
                               "cannot create: %s", sho_errno_text(errno, etext, sizeof(etext)));
        }
    }
    p->dirfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (p->dirfd < 0) {
        return sho_err_set(err, SHO_EIO, p->dir, -1, "cannot open the new directory");
    }
    return 0;
}

/* Run the selection: result.csv, and the keys of its events. */
static int evidence_select(struct ev_pack *p, int argc, char **argv, struct sho_err *err)
{
    char **sel = sho_xcalloc((size_t)argc + 2, sizeof(*sel));
    char excel[] = "--excel";
    struct sho_query_tap tap;
    FILE *f = ev_create(p, "result.csv", err);
    int n = 0, i, rc;

    if (f == NULL) {
        free(sel);
        return -SHO_EXIT_SYSTEM;
    }
    sel[n++] = argv[0];
    if (p->o.excel) {
        sel[n++] = excel;
    }
    for (i = 1; i < argc; i++) {
        sel[n++] = argv[i];
    }
    memset(&tap, 0, sizeof(tap));
    tap.fn = ev_items_take;
    tap.ctx = p;
    tap.out = f;
    rc = sho_query_select(n, sel, &tap);
    p->info = tap.info;
    free(sel);
    if (ev_close(f, "result.csv", err) != 0 && rc <= SHO_EXIT_SKIPPED) {
        return -SHO_EXIT_SYSTEM;
    }
    return rc;
}

/* "local" says too little in a README read years later: name the zone it was. */
static void evidence_local_zone(struct ev_pack *p)
{
    const char *tz = getenv("TZ"); /* NOLINT(concurrency-mt-unsafe): single-threaded */
    char link[512];
    const char *name = NULL, *at;
    ssize_t n;

    if (strcmp(p->info.tz, "local") != 0) {
        return;
    }
    if (tz != NULL && tz[0] != '\0') {
        name = tz[0] == ':' ? tz + 1 : tz;
    } else if ((n = readlink("/etc/localtime", link, sizeof(link) - 1)) > 0) {
        link[n] = '\0';
        at = strstr(link, "zoneinfo/");
        name = at != NULL ? at + strlen("zoneinfo/") : link;
    }
    if (name != NULL && strlen(name) < sizeof(p->info.tz) - sizeof("local ()")) {
        char named[sizeof(p->info.tz)];
        (void)snprintf(named, sizeof(named), "local (%s)", name);
        (void)snprintf(p->info.tz, sizeof(p->info.tz), "%s", named);
    }
}

/* Everything after the selection, archive open. */
static int evidence_fill(struct ev_pack *p, char sha[SHO_HASH_HEX], struct sho_err *err)
{
    struct sho_archive *a = NULL;
    int rc;

    ev_items_sort(p);
    p->tz_loaded = sho_tz_parse(p->info.tz, &p->tz, NULL) == 0;
    evidence_local_zone(p);
    rc = sho_archive_open(p->info.data_dir, NULL, &a, err);
    if (rc == 0) {
        rc = ev_events_write(p, a, err);
    }
    if (rc == 0) {
        rc = ev_certificates_note(p, a, err);
    }
    if (rc == 0) {
        rc = ev_sources_load(p, a, err);
    }
    if (rc == 0) {
        rc = ev_originals_write(p, a, err);
    }
    if (rc == 0) {
        rc = ev_certificates_write(p, a, err);
    }
    if (rc == 0) {
        rc = ev_tables_write(p, a, err);
    }
    sho_archive_close(a);
    if (rc == 0) {
        rc = ev_readme_write(p, sho_time_now(), err);
    }
    if (rc == 0) {
        rc = ev_manifest_write(p, sha, err);
    }
    return rc;
}

static void evidence_release(struct ev_pack *p)
{
    size_t i;

    for (i = 0; p->srcinfo != NULL && i < p->sources.count; i++) {
        free(p->srcinfo[i].name);
        free(p->srcinfo[i].kind);
        free(p->srcinfo[i].host);
        free(p->srcinfo[i].channel);
    }
    free(p->srcinfo);
    free(p->items);
    free(p->frames);
    ev_strtab_release(&p->persons);
    ev_strtab_release(&p->files);
    ev_strtab_release(&p->sources);
    ev_strtab_release(&p->certificates);
    if (p->tz_loaded) {
        sho_tz_release(&p->tz);
    }
    if (p->dirfd >= 0) {
        (void)close(p->dirfd);
    }
}

static void evidence_report(const struct ev_pack *p, const char *sha)
{
    char zip[SHO_HASH_HEX];
    uint64_t found = 0;
    size_t i;

    for (i = 0; i < p->count; i++) {
        found += p->items[i].found ? 1 : 0;
    }
    (void)printf("evidence: %llu events, %zu persons, %zu files, %zu source files, "
                 "%llu original records in '%s'\n",
                 (unsigned long long)found, p->persons.count, p->files.count, p->sources.count,
                 (unsigned long long)(p->originals - p->originals_missing), p->o.out);
    if (found != p->count) {
        sho_log(SHO_LOG_WARN, "evidence: %llu selected events were not found in the archive",
                (unsigned long long)(p->count - found));
    }
    if (p->originals_missing != 0) {
        sho_log(SHO_LOG_WARN,
                "evidence: %llu original records could not be shown (originals/*.missing.txt "
                "says why)",
                (unsigned long long)p->originals_missing);
    }
    (void)printf("manifest: %s\n", sha);
    if (p->o.zip && ev_file_sha256(p->o.out, zip, NULL) == 0) {
        (void)printf("zip: %s\n", zip);
    }
}

int sho_cmd_evidence(int argc, char **argv)
{
    struct ev_pack p;
    struct sho_err err;
    char sha[SHO_HASH_HEX] = "";
    int rc;

    memset(&p, 0, sizeof(p));
    p.dirfd = -1;
    p.o.argc = argc;
    p.o.argv = argv;
    rc = evidence_parse(argc, argv, &p.o);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    ev_strtab_init(&p.persons);
    ev_strtab_init(&p.files);
    ev_strtab_init(&p.sources);
    ev_strtab_init(&p.certificates);
    sho_err_clear(&err);
    rc = evidence_mkdir(&p, &err);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        evidence_release(&p);
        return rc == SHO_EINVAL ? SHO_EXIT_USAGE : SHO_EXIT_SYSTEM;
    }
    p.select_rc = evidence_select(&p, argc - optind, argv + optind, &err);
    if (p.select_rc < 0 || p.select_rc > SHO_EXIT_SKIPPED) {
        /* Nothing to keep: the selection was refused or failed (it said why). */
        if (p.select_rc < 0) {
            sho_log_err(SHO_LOG_ERROR, &err);
        }
        evidence_release(&p);
        ev_remove_tree(p.dir);
        return p.select_rc < 0 ? -p.select_rc : p.select_rc;
    }
    rc = evidence_fill(&p, sha, &err);
    if (rc == 0 && p.o.zip) {
        rc = ev_zip_write(p.dir, p.o.out, &err);
    }
    if (p.o.zip) {
        ev_remove_tree(p.dir);
    }
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        if (!p.o.zip) {
            sho_log(SHO_LOG_ERROR, "evidence: '%s' is incomplete (no manifest): remove it",
                    p.o.out);
        }
        evidence_release(&p);
        return rc == SHO_ETAMPER ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    evidence_report(&p, sha);
    rc = p.count == 0 || p.originals_missing != 0 ? SHO_EXIT_SKIPPED : SHO_EXIT_OK;
    for (size_t i = 0; i < p.count; i++) {
        rc = p.items[i].found ? rc : SHO_EXIT_SKIPPED;
    }
    evidence_release(&p);
    return rc;
}
