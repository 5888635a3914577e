/*
 * test_index: the indexer and the query module's insides. Path
 * normalization (the forms Windows logs one file under), the stable hash,
 * times typed by people in zones, and an index built from a real archive:
 * events crowded into one instant keep exact times
 * and order, every path spelling finds its file, persons by SID and name.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "index_priv.h"
#include "shoseki/archive.h"
#include "shoseki/query.h"

static const char *norm(const char *path)
{
    static char out[512];

    (void)sho_index_path_norm(path, out, sizeof(out));
    return out;
}

static void path_forms_normalize_alike(void **state)
{
    (void)state;
    assert_string_equal(norm("D:\\Shares\\HR\\a.xlsx"), "d:\\shares\\hr\\a.xlsx");
    assert_string_equal(norm("d:/shares/hr/A.XLSX"), "d:\\shares\\hr\\a.xlsx");
    assert_string_equal(norm("\\\\?\\D:\\Shares\\HR\\a.xlsx"), "d:\\shares\\hr\\a.xlsx");
    assert_string_equal(norm("\\??\\D:\\Shares\\HR\\a.xlsx"), "d:\\shares\\hr\\a.xlsx");
    assert_string_equal(norm("\\\\?\\UNC\\FS01\\hr\\a.xlsx"), "\\\\fs01\\hr\\a.xlsx");
    assert_string_equal(norm("\\\\FS01\\HR\\\\a.xlsx"), "\\\\fs01\\hr\\a.xlsx");
    assert_string_equal(norm("//FS01/HR/a.xlsx"), "\\\\fs01\\hr\\a.xlsx");
    assert_string_equal(norm("\\\\FS01\\HR\\"), "\\\\fs01\\hr");
    assert_string_equal(norm("C:\\"), "c:\\");
    /* only ASCII folds: Japanese names are compared as they are */
    assert_string_equal(norm("D:\\人事部\\個人番号.XLSX"), "d:\\人事部\\個人番号.xlsx");
}

static void path_norm_truncates_safely(void **state)
{
    char small[8];

    (void)state;
    assert_int_equal(sho_index_path_norm("D:\\shares\\hr\\a.xlsx", small, sizeof(small)), 19);
    assert_string_equal(small, "d:\\shar");
}

static void hash_is_stable(void **state)
{
    (void)state;
    /* stored in index files: a change here must bump the schema version */
    assert_true(ix_hash("", 0) == ix_hash("", 0));
    assert_true(ix_hash("abc", 3) != ix_hash("abd", 3));
    assert_true(ix_hash("d:\\shares\\hr\\a.xlsx", 20) != ix_hash("d:\\shares\\hr\\a.xlsy", 20));
}

/* ---- times ---------------------------------------------------------------------------- */

/* 2024-05-01T00:00:00Z */
#define FT_MAY1 133589952000000000ULL
#define TICKS_H (3600ULL * 10000000ULL)

static uint64_t when(const char *s, const struct sho_tz *tz, enum sho_time_edge edge)
{
    uint64_t ft = 0;
    struct sho_err err;

    sho_err_clear(&err);
    if (sho_time_parse_user(s, tz, FT_MAY1 + 12 * TICKS_H, edge, &ft, &err) != 0) {
        fail_msg("rejected '%s': %s", s, err.msg);
    }
    return ft;
}

static void times_in_zones(void **state)
{
    struct sho_tz utc, jst, tokyo;
    struct sho_err err;
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    assert_int_equal(sho_tz_parse("UTC", &utc, NULL), 0);
    assert_int_equal(sho_tz_parse("+09:00", &jst, NULL), 0);
    assert_int_equal(sho_tz_parse("Asia/Tokyo", &tokyo, NULL), 0);
    sho_tz_release(&tokyo);
    assert_int_equal(sho_tz_parse("Mars/Olympus", &tokyo, &err), SHO_EINVAL);
    assert_int_equal(sho_tz_parse("../../etc/passwd", &tokyo, &err), SHO_EINVAL);
    assert_int_equal(sho_tz_parse("Asia/Tokyo", &tokyo, NULL), 0);

    assert_true(when("2024-05-01", &utc, SHO_TIME_START) == FT_MAY1);
    assert_true(when("2024-05-01", &jst, SHO_TIME_START) == FT_MAY1 - 9 * TICKS_H);
    assert_true(when("2024-05-01", &tokyo, SHO_TIME_START) == FT_MAY1 - 9 * TICKS_H);
    /* a date alone as --until covers the whole day */
    assert_true(when("2024-05-01", &utc, SHO_TIME_END) == FT_MAY1 + 24 * TICKS_H);
    assert_true(when("2024-05-01T09:30", &jst, SHO_TIME_START) == FT_MAY1 + TICKS_H / 2);
    assert_true(when("2024-05-01 09:30:00.5", &jst, SHO_TIME_START) ==
                FT_MAY1 + TICKS_H / 2 + 5000000);
    /* an explicit zone wins over --tz */
    assert_true(when("2024-05-01T00:00:00Z", &jst, SHO_TIME_START) == FT_MAY1);
    assert_true(when("2024-05-01T09:00+09:00", &utc, SHO_TIME_START) == FT_MAY1);
    /* now is 2024-05-01T12:00Z: 21:00 in Tokyo, so today began at 15:00Z the day before */
    assert_true(when("today", &utc, SHO_TIME_START) == FT_MAY1);
    assert_true(when("today", &tokyo, SHO_TIME_START) == FT_MAY1 - 9 * TICKS_H);
    assert_true(when("yesterday", &utc, SHO_TIME_START) == FT_MAY1 - 24 * TICKS_H);
    assert_true(when("-12h", &utc, SHO_TIME_START) == FT_MAY1);
    assert_true(when("-2d", &utc, SHO_TIME_START) == FT_MAY1 + 12 * TICKS_H - 48 * TICKS_H);

    (void)sho_tz_format(&tokyo, FT_MAY1, out);
    assert_string_equal(out, "2024-05-01T09:00:00.0000000+09:00");
    (void)sho_tz_format(&utc, FT_MAY1, out);
    assert_string_equal(out, "2024-05-01T00:00:00.0000000Z");
    sho_tz_release(&jst);
    assert_int_equal(sho_tz_parse("-05:30", &jst, NULL), 0);
    (void)sho_tz_format(&jst, FT_MAY1, out);
    assert_string_equal(out, "2024-04-30T18:30:00.0000000-05:30");
    sho_tz_release(&utc);
    sho_tz_release(&jst);
    sho_tz_release(&tokyo);
}

static void bad_times_are_refused(void **state)
{
    static const char *const bad[] = { "2024-02-30",
                                       "2024-13-01",
                                       "2024-05-01T25:00",
                                       "2024-05-01T09",
                                       "05/01/2024",
                                       "-7x",
                                       "-d",
                                       "tomorrow",
                                       "2024-05-01T09:00+25:00",
                                       "2024-05-01Z",
                                       "" };
    struct sho_tz utc;
    size_t i;

    (void)state;
    assert_int_equal(sho_tz_parse(NULL, &utc, NULL), 0);
    sho_tz_release(&utc);
    assert_int_equal(sho_tz_parse("UTC", &utc, NULL), 0);
    for (i = 0; i < SHO_ARRAY_COUNT(bad); i++) {
        uint64_t ft;
        struct sho_err err;
        sho_err_clear(&err);
        if (sho_time_parse_user(bad[i], &utc, FT_MAY1, SHO_TIME_START, &ft, &err) != SHO_EINVAL) {
            fail_msg("accepted '%s'", bad[i]);
        }
        assert_true(err.msg[0] != '\0');
    }
}

/* ---- an index built from an archive --------------------------------------------------------- */

struct seen {
    uint64_t count;
    uint64_t last_time;
    bool ordered;
    char first_ref[32];
    char first_sid[96];
};

static int collect_row(void *ctx, const struct sho_index_row *row)
{
    struct seen *s = ctx;

    if (s->count == 0) {
        (void)sho_str_copy(s->first_ref, sizeof(s->first_ref), row->ref);
        (void)sho_str_copy(s->first_sid, sizeof(s->first_sid),
                           row->user_sid != NULL ? row->user_sid : "");
    }
    if (row->time < s->last_time) {
        s->ordered = false;
    }
    s->last_time = row->time;
    s->count++;
    return 0;
}

static uint64_t search(struct sho_index *ix, enum sho_index_select sel, const char *text,
                       struct seen *s)
{
    struct sho_index_query q;
    struct sho_err err;

    memset(&q, 0, sizeof(q));
    memset(s, 0, sizeof(*s));
    s->ordered = true;
    q.select = sel;
    q.text = text;
    sho_err_clear(&err);
    if (sho_index_search(ix, &q, collect_row, s, &err) != 0) {
        fail_msg("search '%s': %s", text != NULL ? text : "", err.msg);
    }
    return s->count;
}

static void crowded_instant_keeps_order(void **state)
{
    char dir[] = "/tmp/shoseki-test-index-XXXXXX";
    char src[256];
    struct sho_archive_opts opts;
    struct sho_archive *a = NULL;
    struct sho_index *ix = NULL;
    struct sho_err err;
    struct sho_event ev;
    struct seen s;
    FILE *f;
    int i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    (void)snprintf(src, sizeof(src), "%s/source.log", dir);
    f = fopen(src, "w");
    assert_non_null(f);
    (void)fputs("one line per event\n", f);
    assert_int_equal(fclose(f), 0);
    memset(&opts, 0, sizeof(opts));
    opts.flags = SHO_ARCHIVE_WRITE;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_open(dir, &opts, &a, &err), 0);
    assert_int_equal(sho_archive_source_begin(a, src, "test", "HOST1", &err), 0);
    /* 300 events within 3 microseconds, in reverse time order */
    for (i = 0; i < 300; i++) {
        sho_event_clear(&ev);
        ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_EVENT_ID;
        ev.time = FT_MAY1 + (uint64_t)(300 - i) * 10;
        ev.record_id = (uint64_t)i + 1;
        ev.event_id = 4663;
        ev.host = "FS01.corp.example.jp";
        ev.channel = "Security";
        ev.user_sid = i % 2 == 0 ? "S-1-5-21-1-2-3-1001" : "S-1-5-21-1-2-3-1002";
        ev.user = i % 2 == 0 ? "tanaka" : "中村";
        ev.domain = "CORP";
        ev.actions = SHO_ACT_READ;
        ev.outcome = SHO_OUTCOME_SUCCESS;
        ev.path = i % 3 == 0 ? "D:\\Shares\\HR\\個人番号.xlsx" : "\\\\FS01\\hr\\other.txt";
        assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
    }
    /* a name with no SID: the person whose SID was seen with that name */
    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID;
    ev.time = FT_MAY1 + 24 * TICKS_H;
    ev.record_id = 1000;
    ev.host = "PC01";
    ev.user = "中村";
    ev.domain = "corp";
    ev.actions = SHO_ACT_CREATE;
    ev.path = "E:\\backup\\x.pdf";
    assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
    assert_int_equal(sho_archive_source_end(a, NULL, &err), 0);
    sho_archive_close(a);

    assert_int_equal(sho_index_refresh(dir, 0, NULL, NULL, &err), 0);
    assert_int_equal(sho_index_open(dir, 0, &ix, &err), 0);
    assert_int_equal(search(ix, SHO_SELECT_ALL, NULL, &s), 301);
    assert_true(s.ordered);
    assert_string_equal(s.first_ref, "2:299"); /* the earliest is the last put */
    assert_int_equal(search(ix, SHO_SELECT_PATH, "d:/shares/hr/個人番号.XLSX", &s), 100);
    assert_true(s.ordered);
    assert_int_equal(search(ix, SHO_SELECT_PATH, "\\\\?\\D:\\Shares\\HR\\個人番号.xlsx", &s), 100);
    assert_int_equal(search(ix, SHO_SELECT_PATH, "D:\\Shares\\HR\\", &s), 100);
    assert_int_equal(search(ix, SHO_SELECT_LIKE, "個人番号", &s), 100);
    assert_int_equal(search(ix, SHO_SELECT_LIKE, "hr", &s), 300); /* under three characters */
    assert_int_equal(search(ix, SHO_SELECT_REGEX, "other\\.txt$", &s), 200);
    assert_int_equal(search(ix, SHO_SELECT_PERSON, "s-1-5-21-1-2-3-1001", &s), 150);
    assert_int_equal(search(ix, SHO_SELECT_PERSON, "CORP\\TANAKA", &s), 150);
    assert_int_equal(search(ix, SHO_SELECT_PERSON, "中村", &s), 151);
    assert_int_equal(search(ix, SHO_SELECT_PERSON, "nobody", &s), 0);
    assert_int_equal(search(ix, SHO_SELECT_PATH, "E:\\BACKUP\\X.PDF", &s), 1);
    assert_string_equal(s.first_sid, "S-1-5-21-1-2-3-1002");
    sho_index_close(ix);

    /* indexing again adds nothing; an invalid regex says where */
    assert_int_equal(sho_index_refresh(dir, 0, NULL, NULL, &err), 0);
    assert_int_equal(sho_index_open(dir, 0, &ix, &err), 0);
    assert_int_equal(search(ix, SHO_SELECT_ALL, NULL, &s), 301);
    {
        struct sho_index_query q;
        memset(&q, 0, sizeof(q));
        q.select = SHO_SELECT_REGEX;
        q.text = "a(b";
        sho_err_clear(&err);
        assert_int_equal(sho_index_search(ix, &q, collect_row, &s, &err), SHO_EINVAL);
        assert_non_null(strstr(err.msg, "offset 3"));
    }
    sho_index_close(ix);
    {
        char cmd[512];
        (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_forms_normalize_alike),
        cmocka_unit_test(path_norm_truncates_safely),
        cmocka_unit_test(hash_is_stable),
        cmocka_unit_test(times_in_zones),
        cmocka_unit_test(bad_times_are_refused),
        cmocka_unit_test(crowded_instant_keeps_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
