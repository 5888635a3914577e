/*
 * test_query_select: selections run for another command (sho_query_select):
 * every search and report hands over exactly the events behind its result,
 * prints its own result to the chosen stream, and says what it ran against.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "shoseki/archive.h"
#include "shoseki/query.h"

/* 2024-05-01T00:00:00Z, a Wednesday */
#define FT_MAY1   133589952000000000ULL
#define TICKS_MIN (60ULL * 10000000ULL)

static char data_dir[64];

struct taken {
    unsigned count;
    char refs[64][32];
    unsigned stop_after; /* 0: never stop */
};

static int take(void *ctx, const struct sho_index_row *row)
{
    struct taken *t = ctx;

    if (t->count < 64) {
        (void)snprintf(t->refs[t->count], sizeof(t->refs[0]), "%s", row->ref);
    }
    t->count++;
    return t->stop_after != 0 && t->count >= t->stop_after ? 1 : 0;
}

static void put(struct sho_archive *a, uint64_t rec, const char *sid, const char *user,
                uint64_t minutes, const char *path, uint32_t actions, enum sho_outcome outcome)
{
    struct sho_event ev;
    struct sho_err err;

    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_EVENT_ID;
    ev.time = FT_MAY1 + minutes * TICKS_MIN;
    ev.record_id = rec;
    ev.event_id = 4663;
    ev.host = "FS01";
    ev.channel = "Security";
    ev.user_sid = sid;
    ev.user = user;
    ev.domain = "CORP";
    ev.actions = actions;
    ev.outcome = outcome;
    ev.path = path;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
}

#define TANAKA   "S-1-5-21-1-2-3-1001"
#define NAKAMURA "S-1-5-21-1-2-3-1002"
#define SATO     "S-1-5-21-1-2-3-1003"
#define FILE_A   "D:\\jinji\\mynumber\\a.xlsx"
#define FILE_B   "D:\\jinji\\mynumber\\b.xlsx"

/* tanaka reads A and B (10:00); 中村 reads A afterwards and C; sato fails on A twice; at
 * 01:00 中村 touches four files within two minutes (a burst with files = 4). */
static int setup(void **state)
{
    char path[128];
    struct sho_archive_opts opts;
    struct sho_archive *a = NULL;
    struct sho_err err;
    FILE *f;

    (void)state;
    (void)snprintf(data_dir, sizeof(data_dir), "/tmp/shoseki-test-select-XXXXXX");
    assert_non_null(mkdtemp(data_dir));
    (void)snprintf(path, sizeof(path), "%s/source.log", data_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    (void)fputs("one line per event\n", f);
    assert_int_equal(fclose(f), 0);
    memset(&opts, 0, sizeof(opts));
    opts.flags = SHO_ARCHIVE_WRITE;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_open(data_dir, &opts, &a, &err), 0);
    assert_int_equal(sho_archive_source_begin(a, path, "test", "FS01", &err), 0);
    put(a, 1, TANAKA, "tanaka", 600, FILE_A, SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    put(a, 2, TANAKA, "tanaka", 601, FILE_B, SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    put(a, 3, NAKAMURA, "中村", 660, FILE_A, SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    put(a, 4, NAKAMURA, "中村", 720, "D:\\public\\c.txt", SHO_ACT_WRITE, SHO_OUTCOME_SUCCESS);
    put(a, 5, SATO, "sato", 700, FILE_A, SHO_ACT_READ, SHO_OUTCOME_FAILURE);
    put(a, 6, SATO, "sato", 701, FILE_A, SHO_ACT_READ, SHO_OUTCOME_FAILURE);
    put(a, 7, NAKAMURA, "中村", 60, "D:\\public\\p1.txt", SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    put(a, 8, NAKAMURA, "中村", 61, "D:\\public\\p2.txt", SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    put(a, 9, NAKAMURA, "中村", 61, "D:\\public\\p3.txt", SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    put(a, 10, NAKAMURA, "中村", 62, "D:\\public\\p4.txt", SHO_ACT_READ, SHO_OUTCOME_SUCCESS);
    assert_int_equal(sho_archive_source_end(a, NULL, &err), 0);
    sho_archive_close(a);
    (void)snprintf(path, sizeof(path), "%s/policy.conf", data_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    (void)fputs("[class mynumber]\npath = (?i)\\\\jinji\\\\mynumber\\\\\nhandler = CORP\\tanaka\n"
                "[hours]\ntimezone = UTC\n[mass-access]\nfiles = 4\nminutes = 5\n",
                f);
    assert_int_equal(fclose(f), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Run `words` (a selection; --data is added) and return its exit status; the printed
 * result lands in out (at most outsz bytes). */
static int run(const char *words, struct taken *t, char *out, size_t outsz)
{
    char line[512], *argv[32], *save = NULL, *w;
    int argc = 0, rc;
    struct sho_query_tap tap;
    FILE *f = tmpfile();
    size_t n;

    assert_non_null(f);
    (void)snprintf(line, sizeof(line), "%s --data %s --no-refresh", words, data_dir);
    for (w = strtok_r(line, " ", &save); w != NULL && argc < 31; w = strtok_r(NULL, " ", &save)) {
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    memset(&tap, 0, sizeof(tap));
    memset(t->refs, 0, sizeof(t->refs));
    t->count = 0;
    tap.fn = take;
    tap.ctx = t;
    tap.out = f;
    rc = sho_query_select(argc, argv, &tap);
    rewind(f);
    n = fread(out, 1, outsz - 1, f);
    out[n] = '\0';
    assert_int_equal(fclose(f), 0);
    if (rc == SHO_EXIT_OK) {
        assert_string_equal(tap.info.data_dir, data_dir);
    }
    return rc;
}

static bool has_ref(const struct taken *t, const char *ref)
{
    unsigned i;

    for (i = 0; i < t->count && i < 64; i++) {
        if (strcmp(t->refs[i], ref) == 0) {
            return true;
        }
    }
    return false;
}

static void searches_hand_over_their_rows(void **state)
{
    struct sho_err err;
    struct taken t = { 0 };
    char out[8192];

    (void)state;
    sho_err_clear(&err);
    assert_int_equal(sho_index_refresh(data_dir, 0, NULL, NULL, &err), 0);
    assert_int_equal(run("who " FILE_A, &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 4); /* tanaka, 中村, sato twice */
    assert_non_null(strstr(out, "中村"));
    assert_true(strncmp(out, "time,", 5) == 0); /* CSV, not a table, though tapped */
    /* a summary prints persons and still hands over every event */
    assert_int_equal(run("who " FILE_A " --summary", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 4);
    assert_null(strstr(out, "2:0")); /* no refs in a summary */
    assert_int_equal(run("what 中村", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 6);
    assert_int_equal(run("timeline --outcome failure", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 2);
    assert_int_equal(run("who D:\\nothing", &t, out, sizeof(out)), SHO_EXIT_SKIPPED);
    assert_int_equal(t.count, 0);
    assert_int_equal(run("where tanaka", &t, out, sizeof(out)), SHO_EXIT_USAGE);
    assert_int_equal(run("who --bogus", &t, out, sizeof(out)), SHO_EXIT_USAGE);
}

static void scope_and_reports_hand_over_their_events(void **state)
{
    struct taken t = { 0 };
    char out[8192];

    (void)state;
    /* tanaka's A and B, then hop 2: 中村's read of A afterwards, sato's failures after */
    assert_int_equal(run("scope --user tanaka --depth 2", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 5);
    assert_true(has_ref(&t, "2:0") && has_ref(&t, "2:1") && has_ref(&t, "2:2"));
    assert_false(has_ref(&t, "2:3")); /* c.txt is 中村's own, not a hop from tanaka */
    assert_non_null(strstr(out, "section,hop,path"));
    /* handlers: mynumber files by anyone but tanaka */
    assert_int_equal(run("report handlers", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 3);
    assert_false(has_ref(&t, "2:0"));
    /* failed: one row per person and file, both events behind it */
    assert_int_equal(run("report failed", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 2);
    assert_true(has_ref(&t, "2:4") && has_ref(&t, "2:5"));
    /* mass-access: the four events of the burst, not 中村's later ones */
    assert_int_equal(run("report mass-access", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 4);
    assert_true(has_ref(&t, "2:6") && has_ref(&t, "2:9"));
    assert_false(has_ref(&t, "2:2"));
    assert_non_null(strstr(out, "p4.txt"));
}

static void a_tap_may_stop(void **state)
{
    struct taken t = { 0 };
    char out[8192];

    (void)state;
    t.stop_after = 2;
    assert_int_not_equal(run("timeline", &t, out, sizeof(out)), SHO_EXIT_OK);
    assert_int_equal(t.count, 2);
    t.stop_after = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(searches_hand_over_their_rows),
        cmocka_unit_test(scope_and_reports_hand_over_their_events),
        cmocka_unit_test(a_tap_may_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
