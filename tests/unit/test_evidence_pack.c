/*
 * test_evidence_pack: an evidence pack made in-process from a small archive of
 * events with Japanese names and paths and formula-like cells, read back with
 * libcsv: --excel gives a BOM, CRLF and neutralized cells, --lang ja gives the
 * Japanese column headers, and the Japanese text comes back intact. The pack
 * verifies; a changed, added or removed file does not.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include <csv.h>

#include "evidence_priv.h"
#include "shoseki/archive.h"
#include "shoseki/evidence.h"

#define FT_MAY1    133589952000000000ULL /* 2024-05-01T00:00:00Z */
#define TICKS_MIN  (60ULL * 10000000ULL)
#define NAKAMURA   "S-1-5-21-1-2-3-1002"
#define TANAKA     "S-1-5-21-1-2-3-1001"
#define LEDGER     "D:\\jinji\\マイナンバー\\台帳.xlsx"
#define FORMULA    "=HYPERLINK(\"http://x.example/\",\"click\")"
#define CELLS_MAX  64
#define ROWS_MAX   16
#define CELL_BYTES 256

static char root[64], data_dir[128], pack[128];

static void put(struct sho_archive *a, uint64_t rec, const char *sid, const char *user,
                const char *path, uint32_t actions)
{
    struct sho_event ev;
    struct sho_err err;

    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_EVENT_ID | SHO_HAS_SOURCE_OFFSET;
    ev.time = FT_MAY1 + rec * TICKS_MIN;
    ev.record_id = rec;
    ev.event_id = 4663;
    ev.host = "FS01";
    ev.channel = "Security";
    ev.user_sid = sid;
    ev.user = user;
    ev.domain = "CORP";
    ev.actions = actions;
    ev.outcome = SHO_OUTCOME_SUCCESS;
    ev.path = path;
    ev.source_offset = 0;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
}

/* An archive of four events and a pack of them, made with --excel --lang ja. */
static int setup(void **state)
{
    char path[192];
    struct sho_archive_opts opts;
    struct sho_archive *a = NULL;
    struct sho_err err;
    FILE *f;
    const char *words[] = { "evidence", "--out",  pack,        "--excel",  "--lang",
                            "ja",       "--case", "事件 7",    "timeline", "--data",
                            data_dir,   "--tz",   "Asia/Tokyo" };
    char *argv[SHO_ARRAY_COUNT(words) + 1];
    size_t i;
    int rc;

    (void)state;
    (void)snprintf(root, sizeof(root), "/tmp/shoseki-test-evidence-XXXXXX");
    assert_non_null(mkdtemp(root));
    (void)snprintf(data_dir, sizeof(data_dir), "%s/data", root);
    (void)snprintf(pack, sizeof(pack), "%s/pack", root);
    (void)snprintf(path, sizeof(path), "%s/source.log", root);
    f = fopen(path, "w");
    assert_non_null(f);
    (void)fputs("one line per event\n", f);
    assert_int_equal(fclose(f), 0);
    memset(&opts, 0, sizeof(opts));
    opts.flags = SHO_ARCHIVE_WRITE;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_open(data_dir, &opts, &a, &err), 0);
    assert_int_equal(sho_archive_source_begin(a, path, "test", "FS01", &err), 0);
    put(a, 1, NAKAMURA, "中村", LEDGER, SHO_ACT_READ);
    put(a, 2, NAKAMURA, "中村", LEDGER, SHO_ACT_WRITE);
    put(a, 3, TANAKA, "@tanaka", FORMULA, SHO_ACT_READ);
    put(a, 4, TANAKA, "@tanaka", "-1+1", SHO_ACT_DELETE);
    assert_int_equal(sho_archive_source_end(a, NULL, &err), 0);
    sho_archive_close(a);
    /* The source kind "test" has no reader: originals say why they are missing (exit 1). */
    for (i = 0; i < SHO_ARRAY_COUNT(words); i++) {
        argv[i] = sho_xstrdup(words[i]);
    }
    argv[i] = NULL;
    rc = sho_cmd_evidence((int)SHO_ARRAY_COUNT(words), argv);
    for (i = 0; i < SHO_ARRAY_COUNT(words); i++) {
        free(argv[i]);
    }
    assert_int_equal(rc, SHO_EXIT_SKIPPED);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- reading a CSV back with libcsv --------------------------------------------- */

struct table {
    char cells[ROWS_MAX][CELLS_MAX][CELL_BYTES];
    size_t rows, cols[ROWS_MAX];
};

static void on_cell(void *s, size_t len, void *ctx)
{
    struct table *t = ctx;

    if (t->rows < ROWS_MAX && t->cols[t->rows] < CELLS_MAX) {
        (void)snprintf(t->cells[t->rows][t->cols[t->rows]++], CELL_BYTES, "%.*s", (int)len,
                       (const char *)s);
    }
}

static void on_row(int c, void *ctx)
{
    struct table *t = ctx;

    (void)c;
    t->rows++;
}

/* Read `name` of the pack: it must start with a BOM and end every line with CRLF. */
static struct table *read_csv(const char *name)
{
    struct table *t = calloc(1, sizeof(*t));
    char path[256], buf[65536];
    struct csv_parser p;
    size_t len, i;
    FILE *f;

    assert_non_null(t);
    (void)snprintf(path, sizeof(path), "%s/%s", pack, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    len = fread(buf, 1, sizeof(buf), f);
    (void)fclose(f);
    assert_true(len > 3 && len < sizeof(buf));
    assert_memory_equal(buf, "\xEF\xBB\xBF", 3);
    for (i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            assert_true(i > 0 && buf[i - 1] == '\r');
        }
    }
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    assert_int_equal(csv_parse(&p, buf + 3, len - 3, on_cell, on_row, t), len - 3);
    assert_int_equal(csv_fini(&p, on_cell, on_row, t), 0);
    csv_free(&p);
    return t;
}

static void excel_and_japanese_headers_read_back(void **state)
{
    static const char *const persons_ja[] = { "ユーザーSID", "ドメイン",   "ユーザー",   "最初",
                                              "最後",        "イベント数", "ファイル数", "操作" };
    struct table *t;
    size_t i;

    (void)state;
    t = read_csv("persons.csv");
    assert_int_equal(t->rows, 3);
    assert_int_equal(t->cols[0], SHO_ARRAY_COUNT(persons_ja));
    for (i = 0; i < SHO_ARRAY_COUNT(persons_ja); i++) {
        assert_string_equal(t->cells[0][i], persons_ja[i]);
    }
    /* Sorted by SID: tanaka (…1001) first; "@tanaka" neutralized, 中村 intact. */
    assert_string_equal(t->cells[1][0], TANAKA);
    assert_string_equal(t->cells[1][2], "'@tanaka");
    assert_string_equal(t->cells[2][2], "中村");
    assert_string_equal(t->cells[2][3], "2024-05-01T09:01:00.0000000+09:00");
    assert_string_equal(t->cells[2][5], "2");
    assert_string_equal(t->cells[2][6], "1");
    assert_string_equal(t->cells[2][7], "read write");
    free(t);

    t = read_csv("files.csv");
    assert_int_equal(t->rows, 4);
    assert_string_equal(t->cells[0][0], "パス");
    assert_string_equal(t->cells[1][0], "'-1+1");
    assert_string_equal(t->cells[2][0], "'" FORMULA);
    assert_string_equal(t->cells[3][0], LEDGER);
    assert_string_equal(t->cells[3][4], "1");
    free(t);

    t = read_csv("events.csv");
    assert_int_equal(t->rows, 5);
    assert_int_equal(t->cols[0], sho_event_field_count(SHO_WRITER_REF));
    assert_string_equal(t->cells[0][0], "時刻");
    assert_string_equal(t->cells[0][t->cols[0] - 1], "参照");
    assert_string_equal(t->cells[1][7], "中村");
    assert_string_equal(t->cells[1][13], LEDGER);
    assert_string_equal(t->cells[3][13], "'" FORMULA);
    assert_string_equal(t->cells[1][t->cols[0] - 1], "2:0");
    free(t);
}

static void readme_is_japanese_and_names_the_case(void **state)
{
    char path[256], buf[8192];
    size_t len;
    FILE *f;

    (void)state;
    (void)snprintf(path, sizeof(path), "%s/README.txt", pack);
    f = fopen(path, "rb");
    assert_non_null(f);
    len = fread(buf, 1, sizeof(buf) - 1, f);
    (void)fclose(f);
    buf[len] = '\0';
    assert_non_null(strstr(buf, "証跡パック"));
    assert_non_null(strstr(buf, "案件:              事件 7\n"));
    assert_non_null(strstr(buf, "'事件 7' timeline --data"));
    assert_non_null(strstr(buf, "タイムゾーン:      Asia/Tokyo"));
}

static void the_pack_verifies_and_any_change_fails(void **state)
{
    struct sho_evidence_check r;
    struct sho_err err;
    char path[256], moved[256];
    FILE *f;

    (void)state;
    sho_err_clear(&err);
    if (sho_evidence_verify(pack, data_dir, &r, &err) != 0) {
        fail_msg("verify: '%s':%lld: %s", err.path, (long long)err.offset, err.msg);
    }
    assert_true(r.chain_checked);
    assert_int_equal(r.files, 11); /* 7 files, 4 originals */
    (void)snprintf(path, sizeof(path), "%s/originals/2-3.missing.txt", pack);
    assert_int_equal(access(path, R_OK), 0);

    /* added */
    (void)snprintf(path, sizeof(path), "%s/originals/0-9.xml", pack);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(sho_evidence_verify(pack, NULL, NULL, &err), SHO_ETAMPER);
    assert_int_equal(unlink(path), 0);
    /* removed (moved away), then put back */
    (void)snprintf(path, sizeof(path), "%s/files.csv", pack);
    (void)snprintf(moved, sizeof(moved), "%s/files.csv", root);
    assert_int_equal(rename(path, moved), 0);
    assert_int_equal(sho_evidence_verify(pack, NULL, NULL, &err), SHO_ETAMPER);
    assert_string_equal(err.path, "files.csv");
    assert_int_equal(rename(moved, path), 0);
    assert_int_equal(sho_evidence_verify(pack, NULL, NULL, &err), 0);
    /* changed */
    f = fopen(path, "ab");
    assert_non_null(f);
    (void)fputc(' ', f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(sho_evidence_verify(pack, NULL, NULL, &err), SHO_ETAMPER);
    assert_string_equal(err.path, "files.csv");
}

static void pack_names_are_ours_only(void **state)
{
    (void)state;
    assert_true(ev_name_ok("README.txt"));
    assert_true(ev_name_ok("originals/12-4095.xml"));
    assert_false(ev_name_ok("../README.txt"));
    assert_false(ev_name_ok("/etc/passwd"));
    assert_false(ev_name_ok("originals//x"));
    assert_false(ev_name_ok("originals/"));
    assert_false(ev_name_ok("originals/../x"));
    assert_false(ev_name_ok("a b"));
    assert_false(ev_name_ok(".hidden"));
    assert_false(ev_name_ok(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(excel_and_japanese_headers_read_back),
        cmocka_unit_test(readme_is_japanese_and_names_the_case),
        cmocka_unit_test(pack_names_are_ours_only),
        cmocka_unit_test(the_pack_verifies_and_any_change_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
