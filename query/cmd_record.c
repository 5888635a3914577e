/*
 * cmd_record: `shoseki record KIND`, entering what no log holds (the records
 * module, docs/records.md): `disposal` with its vendor's certificate,
 * `takeout` and `return` of documents and media, `purpose` declared for a
 * person's work on a class, and `list` to read them back. Each record is
 * checked (dates, the policy's classes, the files, the records it names),
 * then stored in the archive under the writer lock; nothing is edited, a
 * correction is a new record with --corrects. It lives in query/ because it
 * reads times and the policy as the reports do.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record_priv.h"

static const char record_usage[] =
    "usage: shoseki record KIND [OPTIONS]\n"
    "\n"
    "kinds and their options:\n"
    "  disposal  --vendor NAME --certificate FILE --covers PATH-or-PATTERN [--date D]\n"
    "            [--max-certificate SIZE (default 50M)]\n"
    "  takeout   --person P --item TEXT --purpose TEXT [--media TEXT] [--out T] [--returned T]\n"
    "  return    --takeout ID [--returned T] [--person P]\n"
    "  purpose   --person P --class CLASS --purpose TEXT --from T --until T\n"
    "  list      [--format F] [--excel]: every record, corrections and returns applied\n"
    "\n"
    "every kind that stores:\n"
    "      --note TEXT      a remark\n"
    "      --corrects ID    this record replaces record ID (kept, marked superseded)\n"
    "      --entered-by P   who enters it (default: the OS user)\n"
    "      --tz ZONE        zone of the times given and shown (default: the policy's,\n"
    "                       else local)\n"
    "      --policy FILE    the policy with the classes (default DIR/policy.conf)\n"
    "  -d, --data DIR       data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "\n"
    "P is what `what` takes: a name, DOMAIN\\name or a SID. T is a time as --since takes\n"
    "it. Prints the record's id. Exit: 0 stored, 2 usage or a bad value, 3 a file\n"
    "unusable (missing, too large), 5 system error.\n";

/* Which options each kind takes (the option's letter). */
static const char *const kind_opts[] = {
    [REC_DISPOSAL] = "vcCDM", [REC_TAKEOUT] = "pitmoR", [REC_RETURN] = "TRp",
    [REC_PURPOSE] = "pKtFu",  [REC_LIST] = "fx",
};

static const char *const kind_words[] = {
    [REC_DISPOSAL] = "disposal", [REC_TAKEOUT] = "takeout", [REC_RETURN] = "return",
    [REC_PURPOSE] = "purpose",   [REC_LIST] = "list",
};

static int rec_opt(struct rec_opts *o, int c, const char *arg)
{
    const char **slot[128] = { NULL };

    slot['d'] = &o->data, slot['z'] = &o->tz_spec, slot['P'] = &o->policy;
    slot['e'] = &o->entered_by, slot['n'] = &o->note, slot['X'] = &o->corrects;
    slot['v'] = &o->vendor, slot['c'] = &o->certificate, slot['C'] = &o->covers;
    slot['D'] = &o->date, slot['M'] = &o->max_cert, slot['p'] = &o->person;
    slot['i'] = &o->item, slot['t'] = &o->purpose, slot['m'] = &o->media;
    slot['o'] = &o->out, slot['R'] = &o->returned, slot['T'] = &o->takeout;
    slot['K'] = &o->cls, slot['F'] = &o->from, slot['u'] = &o->until, slot['f'] = &o->format;
    if (c == 'x') {
        o->excel = true;
        return 0;
    }
    if (c <= 0 || c >= 128 || slot[c] == NULL) {
        return SHO_EXIT_USAGE;
    }
    if (strchr("dzPenX", c) == NULL && strchr(kind_opts[o->kind], c) == NULL) {
        return SHO_EXIT_USAGE;
    }
    *slot[c] = arg;
    return 0;
}

static int rec_parse(struct rec_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "tz", required_argument, NULL, 'z' },
        { "policy", required_argument, NULL, 'P' },
        { "entered-by", required_argument, NULL, 'e' },
        { "note", required_argument, NULL, 'n' },
        { "corrects", required_argument, NULL, 'X' },
        { "vendor", required_argument, NULL, 'v' },
        { "certificate", required_argument, NULL, 'c' },
        { "covers", required_argument, NULL, 'C' },
        { "date", required_argument, NULL, 'D' },
        { "max-certificate", required_argument, NULL, 'M' },
        { "person", required_argument, NULL, 'p' },
        { "item", required_argument, NULL, 'i' },
        { "purpose", required_argument, NULL, 't' },
        { "media", required_argument, NULL, 'm' },
        { "out", required_argument, NULL, 'o' },
        { "returned", required_argument, NULL, 'R' },
        { "takeout", required_argument, NULL, 'T' },
        { "class", required_argument, NULL, 'K' },
        { "from", required_argument, NULL, 'F' },
        { "until", required_argument, NULL, 'u' },
        { "format", required_argument, NULL, 'f' },
        { "excel", no_argument, NULL, 'x' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    size_t k;
    int c, li;

    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        (void)fputs(record_usage, stdout);
        return -1;
    }
    if (argc < 2 || argv[1][0] == '-') {
        (void)fputs("usage: shoseki record disposal|takeout|return|purpose|list [OPTIONS]\n",
                    stderr);
        return SHO_EXIT_USAGE;
    }
    for (k = 0; k < SHO_ARRAY_COUNT(kind_words) && strcmp(kind_words[k], argv[1]) != 0; k++) {
    }
    if (k == SHO_ARRAY_COUNT(kind_words)) {
        (void)fprintf(stderr, "shoseki record: unknown kind '%s' (see --help)\n", argv[1]);
        return SHO_EXIT_USAGE;
    }
    o->kind = (enum rec_kind)k;
    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((li = -1, c = getopt_long(argc - 1, argv + 1, "d:h", longopts, &li)) != -1) {
        if (c == 'h') {
            (void)fputs(record_usage, stdout);
            return -1;
        }
        if (c != '?' && c != ':' && rec_opt(o, c, optarg) != 0) {
            (void)fprintf(stderr, "shoseki record %s: --%s is not an option of this kind\n",
                          argv[1], li >= 0 ? longopts[li].name : "data");
            return SHO_EXIT_USAGE;
        }
        if (c == '?' || c == ':') {
            (void)fprintf(stderr, "shoseki record %s: unknown option or missing value '%s'\n",
                          argv[1], argv[optind]);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        (void)fprintf(stderr, "shoseki record %s: unexpected argument '%s'\n", argv[1],
                      argv[optind + 1]);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

/* The OS user's name, or "uid N". */
static void rec_os_user(char *out, size_t len)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
        sho_str_copy(out, len, res->pw_name);
    } else {
        (void)snprintf(out, len, "uid %u", (unsigned)geteuid());
    }
}

/* The policy (classes, zone) and the zone of times. Returns 0 or an exit status (said). */
static int rec_policy(struct rec_opts *o)
{
    const char *dir = sho_archive_data_dir(o->data);
    size_t n = strlen(dir) + 16;
    char *path = sho_xmalloc(n);
    int rc;

    (void)snprintf(path, n, "%s/policy.conf", dir);
    rc = qp_load(o->policy != NULL ? o->policy : path, o->policy != NULL, &o->pol, &o->err);
    free(path);
    if (rc != 0) {
        (void)fprintf(stderr, "shoseki record %s: %s: %s\n", o->word, o->err.path, o->err.msg);
        return SHO_EXIT_USAGE;
    }
    if (sho_tz_parse(o->tz_spec != NULL ? o->tz_spec : o->pol.timezone, &o->tz, &o->err) != 0) {
        (void)fprintf(stderr, "shoseki record %s: %s\n", o->word, o->err.msg);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

int sho_cmd_record(int argc, char **argv)
{
    struct rec_opts o;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = rec_parse(&o, argc, argv);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    o.word = kind_words[o.kind];
    rc = rec_policy(&o);
    if (rc != 0) {
        qp_release(&o.pol);
        return rc;
    }
    if (o.entered_by == NULL) {
        rec_os_user(o.os_user, sizeof(o.os_user));
        o.entered_by = o.os_user;
    }
    if (gethostname(o.host, sizeof(o.host) - 1) != 0) {
        sho_str_copy(o.host, sizeof(o.host), "localhost");
    }
    rc = o.kind == REC_LIST ? rec_list(&o) : rec_enter(&o);
    sho_tz_release(&o.tz);
    qp_release(&o.pol);
    return rc;
}
