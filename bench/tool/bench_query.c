/*
 * bench_query: `shoseki-bench query DATA N PERSONS FILES HOSTS SEED`: search
 * latency measured in-process (the index opened once, as a long-lived
 * caller would; the CLI adds process start-up, measured separately by
 * bench/index.sh). Runs N searches of each kind on paths and persons the
 * generator produced, popular and rare alike, and prints p50, p95 and max
 * in milliseconds with the rows they returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_tool.h"

static double q_now(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int q_count(void *ctx, const struct sho_index_row *row)
{
    (void)row;
    (*(uint64_t *)ctx)++;
    return 0;
}

static int q_dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

static uint64_t q_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 17;
}

int bench_query(int argc, char **argv)
{
    static const char *const names[] = { "who PATH", "what PERSON (a month)", "who --like" };
    struct sho_index *ix = NULL;
    struct sho_err err;
    uint64_t n, persons, files, hosts, seed, kind, i;
    double *ms;
    char text[1024];

    if (argc != 7 || sho_parse_u64(argv[2], 1000000, 0, &n) != 0 || n == 0 ||
        sho_parse_u64(argv[3], UINT32_MAX, SHO_PARSE_SUFFIX, &persons) != 0 ||
        sho_parse_u64(argv[4], UINT32_MAX, SHO_PARSE_SUFFIX, &files) != 0 ||
        sho_parse_u64(argv[5], 99, 0, &hosts) != 0 ||
        sho_parse_u64(argv[6], UINT64_MAX, 0, &seed) != 0) {
        (void)fprintf(stderr, "usage: shoseki-bench query DATA N PERSONS FILES HOSTS SEED\n");
        return 2;
    }
    sho_err_clear(&err);
    if (sho_index_open(argv[1], 0, &ix, &err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return 1;
    }
    ms = sho_xmalloc(n * sizeof(*ms));
    for (kind = 0; kind < 3; kind++) {
        uint64_t rows = 0, max_rows = 0;
        for (i = 0; i < n; i++) {
            struct sho_index_query q;
            uint64_t got = 0;
            double t0;
            memset(&q, 0, sizeof(q));
            if (kind == 0) {
                /* half popular files, half from anywhere */
                uint64_t f = q_rand(&seed) % (i % 2 == 0 ? files / 50 + 1 : files);
                bench_path(hosts, f, q_rand(&seed) % 2 == 0, text, sizeof(text));
                q.select = SHO_SELECT_PATH;
            } else if (kind == 1) {
                uint64_t month = q_rand(&seed) % 12;
                bench_user(q_rand(&seed) % persons, text, sizeof(text));
                q.select = SHO_SELECT_PERSON;
                /* 2025-01-01 + month * 30 days */
                q.since = 133801632000000000ULL + month * 30ULL * 86400ULL * 10000000ULL;
                q.until = q.since + 30ULL * 86400ULL * 10000000ULL;
            } else {
                /* a fragment of a document number: 100 files share it */
                (void)snprintf(text, sizeof(text), "_%05llu",
                               (unsigned long long)(q_rand(&seed) % (files / 100 + 1)));
                q.select = SHO_SELECT_LIKE;
            }
            q.text = text;
            t0 = q_now();
            if (sho_index_search(ix, &q, q_count, &got, &err) != 0) {
                sho_log_err(SHO_LOG_ERROR, &err);
                free(ms);
                sho_index_close(ix);
                return 1;
            }
            ms[i] = q_now() - t0;
            rows += got;
            max_rows = got > max_rows ? got : max_rows;
        }
        qsort(ms, n, sizeof(*ms), q_dcmp);
        (void)printf("%s|%llu|%.2f|%.2f|%.2f|%.0f|%llu\n", names[kind], (unsigned long long)n,
                     ms[n / 2], ms[(n * 95) / 100], ms[n - 1], (double)rows / (double)n,
                     (unsigned long long)max_rows);
    }
    free(ms);
    sho_index_close(ix);
    return 0;
}
