/*
 * main: global options and the subcommand table, nothing else. Each command
 * lives in its module as cmd_<name>.c and returns the process exit code.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "shoseki/archive.h"
#include "shoseki/clickhouse.h"
#include "shoseki/collector.h"
#include "shoseki/common.h"
#include "shoseki/evidence.h"
#include "shoseki/indexer.h"
#include "shoseki/query.h"

#ifndef SHOSEKI_VERSION
#define SHOSEKI_VERSION "0.0.0-dev"
#endif

struct cmd_entry {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct cmd_entry commands[] = {
    { "collect", sho_cmd_collect, "store event logs and their file-access events in the archive" },
    { "verify", sho_evidence_cmd_verify,
      "check the archive's hash chain (print its head hash), or an evidence pack" },
    { "sources", sho_cmd_sources, "list the collected source files" },
    { "extract", sho_cmd_extract, "write a collected file back out, byte for byte" },
    { "cat", sho_cmd_cat, "print the original record of one stored event" },
    { "export", sho_cmd_export, "stream the stored events as JSON lines" },
    { "stats", sho_cmd_stats, "input and archive sizes, events" },
    { "index", sho_cmd_index, "bring the search index up to date with the archive" },
    { "who", sho_cmd_who, "everyone who touched a file (or files matching a text)" },
    { "what", sho_cmd_what, "everything a person touched" },
    { "timeline", sho_cmd_timeline, "every event in time order" },
    { "scope", sho_cmd_scope, "leak scope: files, persons and hosts reached from a selection" },
    { "ship", sho_cmd_ship, "send the archive's events to a ClickHouse table (scale-out)" },
    { "report", sho_cmd_report, "compliance reports: handlers, after-hours, failed, ..." },
    { "evidence", sho_cmd_evidence, "an evidence pack of a selection, for auditors" },
    { "record", sho_cmd_record, "enter a disposal, take-out, return or purpose; list them" },
    { "help", cmd_help, "show help for shoseki or for one command" },
};

static const char main_usage_head[] =
    "usage: shoseki [-q | -v[v]] [--version] [--help] COMMAND [ARGS]\n"
    "\n"
    "shoseki keeps a provable record of who touched which file.\n"
    "\n"
    "commands:\n";

static const char main_usage_tail[] =
    "\n"
    "global options:\n"
    "  -q, --quiet      errors only\n"
    "  -v, --verbose    more detail on stderr (-vv for debug)\n"
    "      --version    print the version and exit\n"
    "  -h, --help       show this help\n"
    "\n"
    "exit status: 0 ok, 1 done but records skipped, 2 usage error, 3 input\n"
    "unusable, 4 verification failed, 5 system or internal error.\n"
    "'shoseki help COMMAND' shows a command's options.\n";

static void main_usage(FILE *out)
{
    size_t i;

    (void)fputs(main_usage_head, out);
    for (i = 0; i < SHO_ARRAY_COUNT(commands); i++) {
        (void)fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    (void)fputs(main_usage_tail, out);
}

static const struct cmd_entry *main_find(const char *name)
{
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(commands); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    const struct cmd_entry *cmd;
    char help_flag[] = "--help";
    char *sub_argv[3];

    if (argc < 2) {
        main_usage(stdout);
        return SHO_EXIT_OK;
    }
    cmd = main_find(argv[1]);
    if (cmd == NULL || cmd->fn == cmd_help) {
        if (cmd == NULL) {
            (void)fprintf(stderr, "shoseki help: unknown command '%s'\n", argv[1]);
            return SHO_EXIT_USAGE;
        }
        main_usage(stdout);
        return SHO_EXIT_OK;
    }
    sub_argv[0] = argv[1];
    sub_argv[1] = help_flag;
    sub_argv[2] = NULL;
    return cmd->fn(2, sub_argv);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_entry *cmd;
    struct sigaction ign;
    int level = SHO_LOG_WARN;
    int c;

    /* A file size limit (ulimit -f) must fail the write (EFBIG), which is reported in one line
     * naming the file like a full disk, rather than kill the process mid-write. */
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    (void)sigaction(SIGXFSZ, &ign, NULL);
    sho_archive_sqlite_setup();
    opterr = 0;
    /* getopt keeps global state; options are parsed before any thread starts. */
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "+qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            level = SHO_LOG_ERROR;
            break;
        case 'v':
            level = level < SHO_LOG_DEBUG ? level + 1 : SHO_LOG_DEBUG;
            break;
        case 'V':
            (void)printf("shoseki %s\n", SHOSEKI_VERSION);
            return SHO_EXIT_OK;
        case 'h':
            main_usage(stdout);
            return SHO_EXIT_OK;
        default:
            (void)fprintf(stderr, "shoseki: unknown option '%s'\n", argv[optind - 1]);
            main_usage(stderr);
            return SHO_EXIT_USAGE;
        }
    }
    sho_log_set_level((enum sho_log_level)level);
    if (optind >= argc) {
        main_usage(stderr);
        return SHO_EXIT_USAGE;
    }
    cmd = main_find(argv[optind]);
    if (cmd == NULL) {
        (void)fprintf(stderr, "shoseki: '%s' is not a command; see 'shoseki --help'\n",
                      argv[optind]);
        return SHO_EXIT_USAGE;
    }
    return cmd->fn(argc - optind, argv + optind);
}
