/*
 * test_report_gaps: `report gaps` and `report health` on an archive built to
 * order: record ids kept per source (a hole inside one export, a log that
 * wrapped between two exports, ids restarting after a clear), a silence, a
 * host with logons only and a host with failures only. Every finding is
 * checked by kind, host and count, and nothing else may appear.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "shoseki/archive.h"
#include "shoseki/query.h"

#define FT_MAY1   133589952000000000ULL /* 2024-05-01T00:00:00Z */
#define TICKS_MIN (60ULL * 10000000ULL)

static char data_dir[64];

static void source(struct sho_archive *a, int n)
{
    char path[128];
    FILE *f;
    struct sho_err err;

    (void)snprintf(path, sizeof(path), "%s/export-%d.evtx", data_dir, n);
    f = fopen(path, "w");
    assert_non_null(f);
    (void)fprintf(f, "export %d\n", n); /* distinct bytes: a new source each */
    assert_int_equal(fclose(f), 0);
    sho_err_clear(&err);
    assert_int_equal(sho_archive_source_begin(a, path, "evtx", NULL, &err), 0);
}

static void records(struct sho_archive *a, const char *host, uint64_t lo, uint64_t hi,
                    uint64_t minute)
{
    uint64_t id;

    for (id = lo; id <= hi; id++) {
        sho_archive_source_record(a, host, "Security", id, FT_MAY1 + (minute + id) * TICKS_MIN);
    }
}

static void event(struct sho_archive *a, const char *host, uint64_t rec, uint64_t minute,
                  uint32_t actions, enum sho_outcome outcome, const char *path)
{
    struct sho_event ev;
    struct sho_err err;

    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_EVENT_ID;
    ev.time = FT_MAY1 + minute * TICKS_MIN;
    ev.record_id = rec;
    ev.event_id = path != NULL ? 4663 : 4624;
    ev.host = host;
    ev.channel = "Security";
    ev.user_sid = "S-1-5-21-1-2-3-1001";
    ev.user = "tanaka";
    ev.domain = "CORP";
    ev.actions = actions;
    ev.outcome = outcome;
    ev.path = path;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
}

static void end(struct sho_archive *a)
{
    struct sho_err err;

    sho_err_clear(&err);
    assert_int_equal(sho_archive_source_end(a, NULL, &err), 0);
}

/* FS01: export 1 holds 1-100, export 2 holds 101-150 and 160-200 (151-159 never came),
 * export 3 holds 500-600 (201-499 overwritten before it was made); its events are
 * logons only, three days apart. FS02: ids 1-10, then 1-5 again after a clear (no
 * gap), and only failed file reads. */
static int setup(void **state)
{
    struct sho_archive_opts opts;
    struct sho_archive *a = NULL;
    struct sho_err err;

    (void)state;
    (void)snprintf(data_dir, sizeof(data_dir), "/tmp/shoseki-test-gaps-XXXXXX");
    assert_non_null(mkdtemp(data_dir));
    memset(&opts, 0, sizeof(opts));
    opts.flags = SHO_ARCHIVE_WRITE;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_open(data_dir, &opts, &a, &err), 0);
    source(a, 1);
    records(a, "FS01", 1, 100, 0);
    event(a, "FS01", 1, 1, SHO_ACT_LOGON, SHO_OUTCOME_SUCCESS, NULL);
    end(a);
    source(a, 2);
    records(a, "FS01", 101, 150, 0);
    records(a, "FS01", 160, 200, 0);
    event(a, "FS01", 101, 3 * 24 * 60 + 101, SHO_ACT_LOGON, SHO_OUTCOME_SUCCESS, NULL);
    end(a);
    source(a, 3);
    records(a, "FS01", 500, 600, 0);
    end(a);
    source(a, 4);
    records(a, "FS02", 1, 10, 0);
    records(a, "FS02", 1, 5, 20); /* after a clear: the same ids, later */
    event(a, "FS02", 3, 3, SHO_ACT_READ, SHO_OUTCOME_FAILURE, "D:\\hr\\a.xlsx");
    event(a, "FS02", 4, 4, SHO_ACT_READ, SHO_OUTCOME_FAILURE, "D:\\hr\\b.xlsx");
    end(a);
    sho_archive_close(a);
    assert_int_equal(sho_index_refresh(data_dir, 0, NULL, NULL, &err), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int ignore(void *ctx, const struct sho_index_row *row)
{
    (void)ctx;
    (void)row;
    return 0;
}

/* Run report `kind` (with --quiet `quiet` unless NULL) and return its CSV output (caller
 * frees). */
static char *report(const char *kind, const char *quiet, int want_rc)
{
    char line[256], *argv[16], *save = NULL, *w;
    int argc = 0;
    struct sho_query_tap tap;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    (void)snprintf(line, sizeof(line), "report %s --data %s --tz UTC --no-refresh%s%s", kind,
                   data_dir, quiet != NULL ? " --quiet " : "", quiet != NULL ? quiet : "");
    for (w = strtok_r(line, " ", &save); w != NULL && argc < 15; w = strtok_r(NULL, " ", &save)) {
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    memset(&tap, 0, sizeof(tap));
    tap.fn = ignore;
    tap.out = f;
    assert_int_equal(sho_query_select(argc, argv, &tap), want_rc);
    assert_int_equal(fclose(f), 0);
    return out;
}

static unsigned lines_with(const char *text, const char *needle)
{
    unsigned n = 0;
    const char *p = text;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static void gaps_found_and_nothing_else(void **state)
{
    char *out = report("gaps", "24h", SHO_EXIT_OK);

    (void)state;
    assert_int_equal(lines_with(out, "\nrecord-gap,"), 2);
    assert_non_null(strstr(out, "record-gap,FS01,Security,"));
    assert_non_null(strstr(out, ",9,records 151-159 missing,"));
    assert_non_null(strstr(out, ",299,records 201-499 missing,"));
    /* FS02's ids restarted after a clear: that is no gap */
    assert_null(strstr(out, "record-gap,FS02"));
    /* FS01 said nothing for three days; FS02 fell silent three days before FS01 did */
    assert_int_equal(lines_with(out, "\nsilence,FS01,Security,"), 1);
    assert_int_equal(lines_with(out, "\nstopped,FS02,"), 1);
    assert_int_equal(lines_with(out, "\n"), 5); /* the header and four findings */
    free(out);
    /* with a week of quiet allowed, neither is a finding */
    out = report("gaps", "1w", SHO_EXIT_OK);
    assert_int_equal(lines_with(out, "\nsilence"), 0);
    assert_int_equal(lines_with(out, "\nstopped"), 0);
    free(out);
}

static void health_findings(void **state)
{
    char *out = report("health", NULL, SHO_EXIT_OK);

    (void)state;
    assert_int_equal(lines_with(out, "\nno-object-access,FS01,"), 1);
    assert_int_equal(lines_with(out, "\nonly-failures,FS02,"), 1);
    assert_non_null(strstr(out, "wrapped,FS01,Security,"));
    assert_non_null(strstr(out, "records 201-499 were overwritten"));
    assert_int_equal(lines_with(out, "\n"), 4);
    free(out);
}

static void quiet_is_checked(void **state)
{
    char *out;

    (void)state;
    out = report("gaps", "24", SHO_EXIT_USAGE);
    free(out);
    out = report("gaps", "0h", SHO_EXIT_USAGE);
    free(out);
    out = report("health", "3d", SHO_EXIT_USAGE); /* --quiet is for gaps */
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gaps_found_and_nothing_else),
        cmocka_unit_test(health_findings),
        cmocka_unit_test(quiet_is_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
