/*
 * bench_gen: `shoseki-bench gen`: an archive of N file-access events for the
 * index benchmark, written through the archive's public API exactly as
 * collect writes one. The events follow a year of a file server's life: P
 * persons (a fifth with Japanese names) each with their own client address,
 * F files on H servers under department folders (Japanese names among them),
 * skewed popularity (a few files and people account for most accesses),
 * working hours, reads far more often than writes and deletions. Each day is
 * one source: a text file of one line per event (kept in a scratch
 * directory), so every event points at its original line like any text
 * source. Deterministic for a seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_tool.h"

struct gen {
    uint64_t rng;
    uint64_t persons, files, hosts, days, events;
};

static uint64_t gen_next(struct gen *g)
{
    /* splitmix64: small, fast, good enough for a workload */
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A skewed pick in [0, n): the square of a uniform draw favours low numbers. */
static uint64_t gen_skewed(struct gen *g, uint64_t n)
{
    double u = (double)(gen_next(g) >> 11) / 9007199254740992.0;
    uint64_t v = (uint64_t)(u * u * (double)n);
    return v < n ? v : n - 1;
}

struct draw {
    uint64_t person, file, r;
    bool failed;
};

static int gen_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

static const char *const depts[] = { "jinji",    "soumu",  "keiri",  "eigyo",
                                     "kaihatsu", "人事部", "総務部", "経理部" };
static const char *const kinds[] = { "xlsx", "docx", "pdf", "csv", "txt", "pptx" };
static const char *const jnames[] = {
    "山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"
};

/* The path of file `f` as logged: UNC for share events, drive path for 4663. */
void bench_path(uint64_t hosts, uint64_t f, bool unc, char *out, size_t len)
{
    uint64_t host = f % hosts;
    const char *dept = depts[(f / hosts) % SHO_ARRAY_COUNT(depts)];
    uint64_t project = (f / 97) % 400;

    if (unc) {
        (void)snprintf(out, len, "\\\\FS%02llu.corp.example.jp\\%s\\project%03llu\\%s_%07llu.%s",
                       (unsigned long long)host + 1, dept, (unsigned long long)project,
                       f % 5 == 0 ? "個人番号" : "file", (unsigned long long)f,
                       kinds[f % SHO_ARRAY_COUNT(kinds)]);
    } else {
        (void)snprintf(out, len, "D:\\shares\\%s\\project%03llu\\%s_%07llu.%s", dept,
                       (unsigned long long)project, f % 5 == 0 ? "個人番号" : "file",
                       (unsigned long long)f, kinds[f % SHO_ARRAY_COUNT(kinds)]);
    }
}

void bench_user(uint64_t p, char *out, size_t len)
{
    if (p % 5 == 0) {
        (void)snprintf(out, len, "%s%llu", jnames[(p / 5) % SHO_ARRAY_COUNT(jnames)],
                       (unsigned long long)p);
    } else {
        (void)snprintf(out, len, "user%05llu", (unsigned long long)p);
    }
}

static int gen_day(struct gen *g, struct sho_archive *a, const char *scratch, uint64_t day,
                   uint64_t count, uint64_t *stored)
{
    char path[4096], fpath[1024], user[64], sid[96], ip[32], host[64];
    struct sho_archive_source_stats st;
    struct sho_err err;
    uint64_t *times, i;
    FILE *f;
    int rc;
    /* 2025-01-01T00:00:00Z + day */
    uint64_t day_start = 133801632000000000ULL + day * 86400ULL * SHO_TICKS_PER_SECOND;
    struct draw *draws;
    long *offsets;

    (void)snprintf(path, sizeof(path), "%s/day-%04llu.log", scratch, (unsigned long long)day);
    f = fopen(path, "w");
    if (f == NULL) {
        (void)fprintf(stderr, "bench gen: cannot write '%s'\n", path);
        return 1;
    }
    times = sho_xmalloc((count + 1) * sizeof(*times));
    for (i = 0; i < count; i++) {
        /* working hours mostly: 08:00-20:00 JST is 23:00-11:00 UTC */
        uint64_t sec = (gen_next(g) % 10 < 9) ? (23 * 3600 + gen_next(g) % (12 * 3600)) % 86400
                                              : gen_next(g) % 86400;
        times[i] = day_start + sec * SHO_TICKS_PER_SECOND + gen_next(g) % SHO_TICKS_PER_SECOND;
    }
    qsort(times, count, sizeof(*times), gen_cmp);
    offsets = sho_xcalloc(count + 1, sizeof(*offsets));
    draws = sho_xcalloc(count + 1, sizeof(*draws));
    /* first the original, then the events pointing into it */
    for (i = 0; i < count; i++) {
        struct draw *d = &draws[i];
        d->person = gen_skewed(g, g->persons);
        d->file = gen_skewed(g, g->files);
        d->r = gen_next(g) % 100;
        d->failed = gen_next(g) % 50 == 0;
        offsets[i] = ftell(f);
        (void)fprintf(f, "%llu %llu %llu %llu %d\n", (unsigned long long)times[i],
                      (unsigned long long)d->person, (unsigned long long)d->file,
                      (unsigned long long)d->r, d->failed ? 1 : 0);
    }
    if (fclose(f) != 0) {
        return 1;
    }
    sho_err_clear(&err);
    rc = sho_archive_source_begin(a, path, "bench", NULL, &err);
    for (i = 0; rc >= 0 && i < count; i++) {
        struct sho_event ev;
        uint64_t p = draws[i].person;
        uint64_t file = draws[i].file;
        uint64_t r = draws[i].r;
        bool share = r % 2 == 0;
        sho_event_clear(&ev);
        bench_user(p, user, sizeof(user));
        (void)snprintf(sid, sizeof(sid), "S-1-5-21-1004336348-1177238915-682003330-%llu",
                       (unsigned long long)(1000 + p));
        (void)snprintf(ip, sizeof(ip), "10.%llu.%llu.%llu", (unsigned long long)(p >> 16) & 255,
                       (unsigned long long)(p >> 8) & 255, (unsigned long long)p & 255);
        (void)snprintf(host, sizeof(host), "FS%02llu.corp.example.jp",
                       (unsigned long long)(file % g->hosts) + 1);
        bench_path(g->hosts, file, share, fpath, sizeof(fpath));
        ev.has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID | SHO_HAS_SOURCE_OFFSET;
        ev.time = times[i];
        ev.host = host;
        ev.channel = "Security";
        ev.provider = "Microsoft-Windows-Security-Auditing";
        ev.event_id = share ? 5145 : 4663;
        ev.record_id = day * 1000000 + i + 1;
        ev.user_sid = sid;
        ev.user = user;
        ev.domain = "CORP";
        ev.actions = r < 70   ? SHO_ACT_READ
                     : r < 85 ? SHO_ACT_WRITE
                     : r < 90 ? SHO_ACT_CREATE
                     : r < 94 ? SHO_ACT_DELETE
                     : r < 97 ? SHO_ACT_RENAME
                              : SHO_ACT_READ_ATTR;
        ev.outcome = draws[i].failed ? SHO_OUTCOME_FAILURE : SHO_OUTCOME_SUCCESS;
        ev.object_type = "File";
        ev.path = fpath;
        ev.client_ip = share ? ip : NULL;
        ev.share = share ? depts[(file / g->hosts) % SHO_ARRAY_COUNT(depts)] : NULL;
        ev.process = share ? NULL : "C:\\Windows\\explorer.exe";
        ev.source = path;
        ev.source_offset = offsets[i];
        rc = sho_archive_event_put(a, &ev, &err);
    }
    if (rc >= 0) {
        rc = sho_archive_source_end(a, &st, &err);
        *stored += st.events_stored;
    }
    free(times);
    free(draws);
    free(offsets);
    if (rc < 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return 1;
    }
    return 0;
}

int bench_gen(int argc, char **argv)
{
    struct gen g;
    struct sho_archive_opts opts;
    struct sho_archive *a = NULL;
    struct sho_err err;
    const char *data, *scratch;
    uint64_t day, stored = 0, seed;

    if (argc != 8) {
        (void)fprintf(stderr, "usage: shoseki-bench gen DATA SCRATCH EVENTS PERSONS FILES HOSTS "
                              "SEED\n");
        return 2;
    }
    memset(&g, 0, sizeof(g));
    data = argv[1];
    scratch = argv[2];
    if (sho_parse_u64(argv[3], UINT64_MAX, SHO_PARSE_SUFFIX, &g.events) != 0 ||
        sho_parse_u64(argv[4], UINT32_MAX, SHO_PARSE_SUFFIX, &g.persons) != 0 ||
        sho_parse_u64(argv[5], UINT32_MAX, SHO_PARSE_SUFFIX, &g.files) != 0 ||
        sho_parse_u64(argv[6], 99, 0, &g.hosts) != 0 ||
        sho_parse_u64(argv[7], UINT64_MAX, 0, &seed) != 0 || g.persons == 0 || g.files == 0 ||
        g.hosts == 0) {
        (void)fprintf(stderr, "bench gen: bad numbers\n");
        return 2;
    }
    g.rng = seed;
    g.days = 365;
    if (mkdir(scratch, 0700) != 0 && errno != EEXIST) {
        (void)fprintf(stderr, "bench gen: cannot create '%s'\n", scratch);
        return 1;
    }
    memset(&opts, 0, sizeof(opts));
    opts.flags = SHO_ARCHIVE_WRITE;
    sho_err_clear(&err);
    if (sho_archive_open(data, &opts, &a, &err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &err);
        return 1;
    }
    for (day = 0; day < g.days; day++) {
        uint64_t count = g.events / g.days + (day < g.events % g.days ? 1 : 0);
        if (count > 0 && gen_day(&g, a, scratch, day, count, &stored) != 0) {
            sho_archive_close(a);
            return 1;
        }
    }
    sho_archive_close(a);
    (void)printf("bench gen: %llu events stored\n", (unsigned long long)stored);
    return 0;
}
