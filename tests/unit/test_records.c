/*
 * test_records: the records module. A record's text and back (every field,
 * the same id), texts that must be refused, the matching rules (covers,
 * person), and through a real archive: a certificate stored and extracted
 * byte for byte, a correction that supersedes without erasing, a return
 * that closes the take-out in force.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "shoseki/archive.h"
#include "shoseki/records.h"

#define FT_APR2 133564896000000000ULL /* 2024-04-02T00:00:00Z */
#define HOUR    (3600ULL * 10000000ULL)

static void takeout(struct sho_record *r, const char *person, const char *item)
{
    sho_record_init(r, SHO_RECORD_TAKEOUT);
    r->entered_at = FT_APR2 + 48 * HOUR;
    r->entered_by = sho_xstrdup("CORP\\tanaka");
    r->entered_on = sho_xstrdup("pc01");
    r->person = sho_xstrdup(person);
    r->item = sho_xstrdup(item);
    r->purpose = sho_xstrdup("年末調整");
    r->media = sho_xstrdup("USB");
    r->time = FT_APR2 + 9 * HOUR;
}

static void test_text_round_trip(void **state)
{
    struct sho_record r, back;
    struct sho_buf b;
    struct sho_err err;

    (void)state;
    takeout(&r, "CORP\\sato", "給与台帳 \\\\fs01\\jinji");
    r.until = FT_APR2 + 17 * HOUR;
    r.corrects = 12345;
    r.note = sho_xstrdup("second box");
    sho_buf_init(&b, SHO_RECORD_TEXT_MAX);
    assert_int_equal(sho_record_text(&r, &b), 0);
    assert_true(r.id != 0 && r.id < SHO_RECORD_ID_MAX);
    assert_non_null(strstr(b.data, "shoseki-record 1\nkind takeout\nentered_at "
                                   "2024-04-04T00:00:00.0000000Z\n"));
    assert_non_null(strstr(b.data, "\nitem 給与台帳 \\\\fs01\\jinji\n"));
    assert_non_null(strstr(b.data, "\nuntil 2024-04-02T17:00:00.0000000Z\n"));
    sho_err_clear(&err);
    assert_int_equal(sho_record_parse(b.data, b.len, &back, &err), 0);
    assert_int_equal(back.kind, SHO_RECORD_TAKEOUT);
    assert_true(back.id == r.id);
    assert_string_equal(back.person, "CORP\\sato");
    assert_string_equal(back.item, r.item);
    assert_string_equal(back.media, "USB");
    assert_string_equal(back.note, "second box");
    assert_true(back.time == r.time && back.until == r.until && back.entered_at == r.entered_at);
    assert_true(back.corrects == 12345);
    sho_record_release(&back);
    sho_record_release(&r);
    sho_buf_release(&b);
}

static void test_text_refused(void **state)
{
    static const char *const bad[] = {
        "shoseki-record 2\nkind takeout\n",
        "shoseki-record 1\nkind lunch\n",
        ("shoseki-record 1\nkind purpose\nentered_at 2024-04-02T00:00:00Z\nentered_by a\n"
         "person p\ntime 2024-04-02T00:00:00Z\npurpose x\nclass c\n"), /* no until */
        "shoseki-record 1\nkind return\nentered_at yesterday\n",
        "shoseki-record 1\nkind return\nnospace\n",
        "",
    };
    struct sho_record r;
    struct sho_err err;
    size_t i;

    (void)state;
    for (i = 0; i < SHO_ARRAY_COUNT(bad); i++) {
        sho_err_clear(&err);
        assert_int_equal(sho_record_parse(bad[i], strlen(bad[i]), &r, &err), SHO_ECORRUPT);
        assert_non_null(strstr(err.msg, "record text"));
        sho_record_release(&r);
    }
}

static void test_check(void **state)
{
    struct sho_record r;
    struct sho_err err;

    (void)state;
    takeout(&r, "p", "two\nlines");
    sho_err_clear(&err);
    assert_int_equal(sho_record_check(&r, &err), SHO_EINVAL);
    assert_string_equal(err.msg, "'item' is more than one line");
    sho_record_release(&r);
    takeout(&r, "p", "i");
    r.vendor = sho_xstrdup("v");
    assert_int_equal(sho_record_check(&r, &err), SHO_EINVAL);
    assert_string_equal(err.msg, "a takeout record has no 'vendor'");
    free(r.vendor);
    r.vendor = NULL;
    r.until = r.time;
    assert_int_equal(sho_record_check(&r, &err), SHO_EINVAL);
    assert_string_equal(err.msg, "'until' is not after 'time'");
    r.until = 0;
    assert_int_equal(sho_record_check(&r, &err), 0);
    sho_record_release(&r);
}

static void test_covers(void **state)
{
    (void)state;
    assert_true(sho_record_covers("*\\mitsumori\\*.docx", "\\\\FS01\\eigyo\\MITSUMORI\\a.docx"));
    assert_true(sho_record_covers("D:\\shares\\jinji\\", "d:/shares/jinji/2019/x.pdf"));
    assert_false(sho_record_covers("D:\\shares\\jinji\\", "D:\\shares\\jinji2\\x.pdf"));
    assert_true(sho_record_covers("D:\\a\\b?.txt", "D:\\a\\b1.txt"));
    assert_false(sho_record_covers("D:\\a\\b?.txt", "D:\\a\\b12.txt"));
    assert_true(sho_record_covers("D:\\a\\x.txt", "d:\\A\\X.TXT"));
    assert_false(sho_record_covers("D:\\a\\x.txt", "D:\\a\\x.txt.bak"));
    assert_true(sho_record_covers("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaab"));
    assert_false(sho_record_covers("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaa"));
    assert_false(sho_record_covers("*", NULL));
}

static void test_person(void **state)
{
    (void)state;
    assert_true(sho_record_person_is("S-1-5-21-1-2-3-1101", "s-1-5-21-1-2-3-1101", NULL, NULL));
    assert_false(sho_record_person_is("S-1-5-21-1-2-3-1101", NULL, "CORP", "S-1-5-21-1-2-3-1101"));
    assert_true(sho_record_person_is("corp\\Sato", NULL, "CORP", "sato"));
    assert_false(sho_record_person_is("CORP\\sato", NULL, "CORPX", "sato"));
    assert_false(sho_record_person_is("CORP\\sato", NULL, NULL, "sato"));
    assert_true(sho_record_person_is("高橋", "S-1", "CORP", "高橋"));
    assert_false(sho_record_person_is("高橋", "S-1", "CORP", "鈴木"));
}

/* ---- through an archive ---------------------------------------------------------------------- */

static uint64_t store(struct sho_archive *a, struct sho_record *r)
{
    struct sho_err err;
    uint64_t id;

    sho_err_clear(&err);
    assert_int_equal(sho_record_store(a, r, &err), 0);
    id = r->id;
    sho_record_release(r);
    return id;
}

static void test_archive(void **state)
{
    char dir[] = "/tmp/test_records_XXXXXX", cert[128], back[128], hex[SHO_HASH_HEX];
    struct sho_archive_opts wo = { SHO_ARCHIVE_WRITE, 0, 0 };
    struct sho_archive *a = NULL;
    struct sho_records set;
    struct sho_record r;
    struct sho_err err;
    uint8_t bytes[70000], sha[SHO_HASH_LEN], got[sizeof(bytes)];
    uint64_t size, t1, t2, ret, disp;
    size_t i;
    int fd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    (void)snprintf(cert, sizeof(cert), "%s/cert.pdf", dir);
    for (i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (uint8_t)(i * 7919 >> 3);
    }
    fd = open(cert, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0 && write(fd, bytes, sizeof(bytes)) == (ssize_t)sizeof(bytes));
    assert_int_equal(close(fd), 0);
    sho_err_clear(&err);
    assert_int_equal(sho_archive_open(dir, &wo, &a, &err), 0);
    assert_int_equal(sho_record_store_certificate(a, cert, 1000, hex, &size, &err), SHO_EINVAL);
    assert_int_equal(sho_record_store_certificate(a, cert, sizeof(bytes), hex, &size, &err), 0);
    assert_true(size == sizeof(bytes));

    sho_record_init(&r, SHO_RECORD_DISPOSAL);
    r.entered_at = FT_APR2;
    r.entered_by = sho_xstrdup("tanaka");
    r.time = FT_APR2;
    r.vendor = sho_xstrdup("Acme");
    r.covers = sho_xstrdup("D:\\old\\");
    r.certificate = sho_xstrdup(hex);
    disp = store(a, &r);
    takeout(&r, "sato", "box 1");
    t1 = store(a, &r);
    takeout(&r, "sato", "box 1 and 2");
    r.corrects = t1;
    t2 = store(a, &r);
    sho_record_init(&r, SHO_RECORD_RETURN);
    r.entered_at = FT_APR2;
    r.entered_by = sho_xstrdup("tanaka");
    r.person = sho_xstrdup("sato");
    r.time = FT_APR2 + 20 * HOUR;
    r.takeout = t1; /* names the superseded version: closes the one in force */
    ret = store(a, &r);
    takeout(&r, "sato", "box 1");
    assert_int_equal(sho_record_store(a, &r, &err), 1); /* the same text: stored before */
    sho_record_release(&r);

    assert_int_equal(sho_records_load(a, &set, &err), 0);
    assert_int_equal(set.count, 4);
    assert_true(sho_records_find(&set, t1)->superseded_by == t2);
    assert_string_equal(sho_records_find(&set, t1)->item, "box 1");
    assert_true(sho_records_current(&set, t1) == sho_records_find(&set, t2));
    assert_true(sho_records_find(&set, t2)->returned == FT_APR2 + 20 * HOUR);
    assert_true(sho_records_find(&set, t2)->return_id == ret);
    assert_string_equal(sho_records_find(&set, disp)->certificate, hex);
    sho_records_release(&set);

    assert_int_equal(sho_hash_parse(hex, sha), 0);
    (void)snprintf(back, sizeof(back), "%s/back", dir);
    fd = open(back, O_RDWR | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(sho_archive_extract(a, sha, fd, &err), 0);
    assert_true(pread(fd, got, sizeof(got), 0) == (ssize_t)sizeof(got));
    assert_memory_equal(got, bytes, sizeof(bytes));
    assert_int_equal(close(fd), 0);
    sho_archive_close(a);
    (void)snprintf(back, sizeof(back), "rm -rf '%s'", dir);
    assert_int_equal(system(back), 0); /* NOLINT(concurrency-mt-unsafe) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_round_trip), cmocka_unit_test(test_text_refused),
        cmocka_unit_test(test_check),           cmocka_unit_test(test_covers),
        cmocka_unit_test(test_person),          cmocka_unit_test(test_archive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
