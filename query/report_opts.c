/*
 * report_opts: what scope and every report share: the window, zone, output
 * options and the policy, and opening an up-to-date index.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_priv.h"

const char rp_common_help[] =
    "      --since T        from T on;  --until T  up to T (a date alone: that whole day)\n"
    "      --policy FILE    the policy (default DIR/policy.conf; see docs/policy.md)\n"
    "      --tz ZONE        zone for times in and out (default: the policy's, else local)\n"
    "      --format F       table, csv or jsonl (default: table on a terminal, else csv)\n"
    "      --excel          CSV for Excel: UTF-8 BOM, CRLF, formula-like cells neutralized\n"
    "  -d, --data DIR       data directory (default $SHOSEKI_DATA, else ./shoseki-data)\n"
    "      --no-refresh     answer from the index as it is\n"
    "      --backend clickhouse://HOST:PORT/TABLE\n"
    "                       (scope) answer from a ClickHouse table filled by 'shoseki ship'\n"
    "  -h, --help           show this help\n";

int rp_option(struct rp_opts *o, int c, const char *arg)
{
    switch (c) {
    case 'd':
        o->data = arg;
        return 1;
    case 'S':
        o->since = arg;
        return 1;
    case 'U':
        o->until = arg;
        return 1;
    case 'z':
        o->tz_spec = arg;
        return 1;
    case 'f':
        o->format = arg;
        return 1;
    case 'x':
        o->excel = true;
        return 1;
    case 'P':
        o->policy = arg;
        return 1;
    case 'R':
        o->no_refresh = true;
        return 1;
    case 'B':
        o->backend = arg;
        return 1;
    default:
        return 0;
    }
}

/* --backend: the ClickHouse table instead of the index (scope only: the reports need the
 * index's summaries and sessions). Returns 0 or an exit status. */
static int rp_open_backend(struct rp_opts *o, const char *cmd)
{
    struct sho_err err;

    sho_err_clear(&err);
    if (strcmp(cmd, "scope") != 0) {
        (void)fprintf(stderr, "shoseki %s: --backend is for who, what, timeline and scope\n", cmd);
        return SHO_EXIT_USAGE;
    }
    if (sho_ch_backend_open(o->backend, &o->ch, &err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return SHO_EXIT_USAGE;
    }
    return 0;
}

int rp_search(const struct rp_opts *o, const struct sho_index_query *q,
              int (*fn)(void *ctx, const struct sho_index_row *row), void *ctx, struct sho_err *err)
{
    return o->ch != NULL ? sho_ch_search(o->ch, q, fn, ctx, err)
                         : sho_index_search(o->ix, q, fn, ctx, err);
}

int rp_open(struct rp_opts *o, const char *cmd)
{
    struct sho_err err;
    const char *dir = sho_archive_data_dir(o->data);
    char *policy = NULL;
    uint64_t now = sho_time_now();
    int rc;

    sho_err_clear(&err);
    if (o->policy == NULL) {
        size_t n = strlen(dir) + 16;
        policy = sho_xmalloc(n);
        (void)snprintf(policy, n, "%s/policy.conf", dir);
    }
    rc = qp_load(o->policy != NULL ? o->policy : policy, o->policy != NULL, &o->pol, &err);
    if (rc != 0) {
        free(policy);
        (void)fprintf(stderr, "shoseki %s: %s%s%s\n", cmd, err.path,
                      err.path[0] != '\0' ? ": " : "", err.msg);
        return SHO_EXIT_USAGE;
    }
    /* Business hours are the policy's, in its zone, whatever zone the output is in. */
    if (sho_tz_parse(o->pol.timezone, &o->hours_tz, &err) != 0 ||
        sho_tz_parse(o->tz_spec != NULL ? o->tz_spec : o->pol.timezone, &o->tz, &err) != 0 ||
        (o->since != NULL &&
         sho_time_parse_user(o->since, &o->tz, now, SHO_TIME_START, &o->base.since, &err) != 0) ||
        (o->until != NULL &&
         sho_time_parse_user(o->until, &o->tz, now, SHO_TIME_END, &o->base.until, &err) != 0)) {
        (void)fprintf(stderr, "shoseki %s: %s\n", cmd, err.msg);
        free(policy);
        return SHO_EXIT_USAGE;
    }
    o->out = o->tap != NULL ? o->tap->out : stdout;
    qs_info(o->tap, dir, &o->tz, !o->pol.loaded ? NULL : (o->policy != NULL ? o->policy : policy));
    free(policy);
    if (o->format == NULL) {
        o->fmt = o->tap == NULL && isatty(STDOUT_FILENO) && !o->excel ? SHO_FORMAT_TABLE
                                                                      : SHO_FORMAT_CSV;
    } else if (sho_event_format_parse(o->format, &o->fmt) != 0 ||
               (o->excel && o->fmt != SHO_FORMAT_CSV)) {
        (void)fprintf(stderr, "shoseki %s: --format wants table, csv or jsonl (--excel: csv)\n",
                      cmd);
        return SHO_EXIT_USAGE;
    }
    if (o->backend != NULL) {
        return rp_open_backend(o, cmd);
    }
    return qs_open_index(dir, !o->no_refresh, &o->ix);
}

void rp_close(struct rp_opts *o)
{
    sho_index_close(o->ix);
    o->ix = NULL;
    sho_ch_backend_close(o->ch);
    o->ch = NULL;
    qp_release(&o->pol);
    sho_tz_release(&o->tz);
    sho_tz_release(&o->hours_tz);
}

int rp_tap(const struct rp_opts *o, const struct sho_index_row *row)
{
    return o->tap != NULL ? o->tap->fn(o->tap->ctx, row) : 0;
}
