/*
 * cmd_verify: `shoseki verify`. Walks the whole archive, checks every frame's
 * hash and the chain, and prints what was checked and the head hash that an
 * auditor writes down; --expect-head proves nothing up to that hash changed.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "shoseki/archive.h"

static const char verify_usage[] =
    "usage: shoseki verify [--data DIR] [--expect-head HASH]\n"
    "       shoseki verify --pack DIR|ZIP [--data DIR] [--expect-manifest HASH]\n"
    "\n"
    "Check the archive: every frame's SHA-256, the hash chain, frame and segment\n"
    "numbering, each source's blocks. Prints the counts and the head hash (the\n"
    "hash of the last frame). With --expect-head, that hash must be in the chain:\n"
    "nothing up to it has changed since it was written down.\n"
    "\n"
    "options:\n"
    "  -d, --data DIR          data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "  -e, --expect-head HASH  a head hash written down earlier\n"
    "      --pack DIR|ZIP      check an evidence pack instead (see `verify --pack --help`)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 intact, 2 usage error, 4 verification failed (the first problem is\n"
    "printed with segment file, offset and frame), 5 system error.\n";

int sho_cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "data", required_argument, NULL, 'd' },
        { "expect-head", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *data = NULL, *expect_hex = NULL;
    uint8_t expect[SHO_HASH_LEN];
    struct sho_verify_report r;
    struct sho_archive *a = NULL;
    struct sho_err err;
    char head[SHO_HASH_HEX];
    int c, rc;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+d:e:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'e':
            expect_hex = optarg;
            break;
        case 'h':
            (void)fputs(verify_usage, stdout);
            return SHO_EXIT_OK;
        default:
            (void)fprintf(stderr, "shoseki verify: unknown option '%s'\n", argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "shoseki verify: unexpected argument '%s'\n", argv[optind]);
        return SHO_EXIT_USAGE;
    }
    if (expect_hex != NULL && sho_hash_parse(expect_hex, expect) != 0) {
        (void)fprintf(stderr, "shoseki verify: --expect-head wants 64 hex digits\n");
        return SHO_EXIT_USAGE;
    }
    sho_err_clear(&err);
    rc = sho_archive_open(sho_archive_data_dir(data), NULL, &a, &err);
    if (rc == 0) {
        rc = sho_archive_verify(a, expect_hex != NULL ? expect : NULL, &r, &err);
    }
    sho_archive_close(a);
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        if (rc == SHO_ETAMPER || rc == SHO_ECORRUPT) {
            (void)printf("verify: FAILED\n");
            return SHO_EXIT_VERIFY;
        }
        return SHO_EXIT_SYSTEM;
    }
    sho_hash_hex(r.head, head);
    (void)printf("verify: intact: %llu frames in %llu segments, %llu sources, %llu events, "
                 "%llu blocks\n",
                 (unsigned long long)r.frames, (unsigned long long)r.segments,
                 (unsigned long long)r.sources, (unsigned long long)r.events,
                 (unsigned long long)r.blocks);
    if (r.tails_set_aside != 0) {
        (void)printf("verify: %llu unfinished frames left by interrupted writes lie outside the "
                     "chain\n",
                     (unsigned long long)r.tails_set_aside);
    }
    if (r.sources_unfinished != 0) {
        (void)printf("verify: %llu sources have events but their collection did not finish; "
                     "collect them again to complete them\n",
                     (unsigned long long)r.sources_unfinished);
    }
    if (expect_hex != NULL) {
        (void)printf("verify: expected head found in the chain\n");
    }
    (void)printf("head: %s\n", r.has_head ? head : "(empty archive)");
    return SHO_EXIT_OK;
}
