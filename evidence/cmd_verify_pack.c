/*
 * cmd_verify_pack: `shoseki verify --pack DIR|ZIP [--data DIR]`. `verify`
 * without --pack is the archive check (archive/cmd_verify.c); this module sits
 * above the archive, so the command dispatches here first. Prints what was
 * checked and the manifest's own SHA-256, to compare with the one printed
 * when the pack was made.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "evidence_priv.h"

static const char verify_pack_usage[] =
    "usage: shoseki verify --pack DIR|ZIP [--data DIR] [--expect-manifest HASH]\n"
    "\n"
    "Check an evidence pack: every file's SHA-256 against MANIFEST.sha256, and no\n"
    "file added or removed. With --data, also that every archive frame chain.txt\n"
    "lists, and the head, are in that archive's intact hash chain. With\n"
    "--expect-manifest, that the manifest is the one `evidence` printed the hash of.\n"
    "\n"
    "Exit status: 0 intact, 2 usage error, 3 no such pack, 4 verification failed\n"
    "(the first difference is printed), 5 system error.\n";

/* Is --pack among the options (before any operand)? */
static bool has_pack(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pack") == 0 || strncmp(argv[i], "--pack=", 7) == 0) {
            return true;
        }
    }
    return false;
}

static int verify_pack_parse(int argc, char **argv, const char **pack, const char **data,
                             const char **expect)
{
    static const struct option longopts[] = {
        { "pack", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },
        { "expect-manifest", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
        if (c == 'p') {
            *pack = optarg;
        } else if (c == 'd') {
            *data = optarg;
        } else if (c == 'm') {
            *expect = optarg;
        } else if (c == 'h') {
            (void)fputs(verify_pack_usage, stdout);
            return -1;
        } else {
            (void)fprintf(stderr, "shoseki verify: unknown option '%s' (with --pack)\n",
                          argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "shoseki verify: unexpected argument '%s'\n", argv[optind]);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

int sho_evidence_cmd_verify(int argc, char **argv)
{
    const char *pack = NULL, *data = NULL, *expect = NULL;
    struct sho_evidence_check r;
    struct sho_err err;
    int rc;

    if (!has_pack(argc, argv)) {
        return sho_cmd_verify(argc, argv);
    }
    rc = verify_pack_parse(argc, argv, &pack, &data, &expect);
    if (rc != 0) {
        return rc < 0 ? SHO_EXIT_OK : rc;
    }
    sho_err_clear(&err);
    rc = sho_evidence_verify(pack, data, &r, &err);
    if (rc == 0 && expect != NULL && strcmp(expect, r.manifest_sha) != 0) {
        rc = sho_err_set(&err, SHO_ETAMPER, EV_MANIFEST, -1,
                         "its SHA-256 is %s, not the one expected", r.manifest_sha);
    }
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        if (rc == SHO_ETAMPER || rc == SHO_ECORRUPT) {
            (void)printf("verify: FAILED\n");
            return SHO_EXIT_VERIFY;
        }
        return strcmp(err.msg, "no such pack") == 0 ? SHO_EXIT_INPUT : SHO_EXIT_SYSTEM;
    }
    (void)printf("verify: pack intact: %llu files match MANIFEST.sha256\n",
                 (unsigned long long)r.files);
    if (r.chain_checked) {
        (void)printf("verify: the head and %llu frames of chain.txt are in the archive's chain\n",
                     (unsigned long long)r.frames);
    }
    (void)printf("head: %s\nmanifest: %s\n", r.head, r.manifest_sha);
    if (r.zip_sha[0] != '\0') {
        (void)printf("zip: %s\n", r.zip_sha);
    }
    return SHO_EXIT_OK;
}
