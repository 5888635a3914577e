/*
 * test_common_parse: the checked number parser (sho_parse_u64, sho_parse_u64n:
 * decimal, 0x hex and K/M/G/T only when asked, range and overflow checks,
 * whole-string rule), the bounded buffer (struct sho_buf: limit, appendf,
 * reset, termination), the string helpers (sho_str_copy, sho_str_casecmp) and
 * located errors (sho_err_set, sho_err_format).
 */
#include "unit.h"

#include "shoseki/common.h"

#define ONE_K ((uint64_t)1024)

static uint64_t parse_ok(const char *s, uint64_t max, unsigned flags)
{
    uint64_t v = 0;
    int rc = sho_parse_u64(s, max, flags, &v);

    if (rc != 0) {
        fail_msg("rejected \"%s\" (flags %u): %d", s, flags, rc);
    }
    return v;
}

static void assert_rejected(const char *s, uint64_t max, unsigned flags)
{
    uint64_t v = 0;

    if (sho_parse_u64(s, max, flags, &v) != SHO_EINVAL) {
        fail_msg("accepted \"%s\" (flags %u) as %llu", s, flags, (unsigned long long)v);
    }
}

/* ---- sho_parse_u64 ------------------------------------------------------------------ */

static void parse_decimal(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("0", UINT64_MAX, 0), 0);
    assert_int_equal(parse_ok("7", UINT64_MAX, 0), 7);
    assert_int_equal(parse_ok("4988", UINT64_MAX, 0), 4988);
    assert_int_equal(parse_ok("000123", UINT64_MAX, 0), 123);
    assert_int_equal(parse_ok("18446744073709551615", UINT64_MAX, 0), UINT64_MAX);
}

static void parse_overflow_rejected(void **state)
{
    (void)state;
    assert_rejected("18446744073709551616", UINT64_MAX, 0);
    assert_rejected("18446744073709551620", UINT64_MAX, 0);
    assert_rejected("99999999999999999999", UINT64_MAX, 0);
    assert_rejected("184467440737095516150", UINT64_MAX, 0);
    assert_rejected("0x10000000000000000", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("0x1ffffffffffffffff", UINT64_MAX, SHO_PARSE_HEX);
}

static void parse_max_bound(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("255", 255, 0), 255);
    assert_rejected("256", 255, 0);
    assert_int_equal(parse_ok("0", 0, 0), 0);
    assert_rejected("1", 0, 0);
    assert_int_equal(parse_ok("0xffffffff", UINT32_MAX, SHO_PARSE_HEX), UINT32_MAX);
    assert_rejected("0x100000000", UINT32_MAX, SHO_PARSE_HEX);
    assert_rejected("4294967296", UINT32_MAX, 0);
}

static void parse_hex_only_when_asked(void **state)
{
    (void)state;
    assert_rejected("0x1f", UINT64_MAX, 0);
    assert_rejected("0x1f", UINT64_MAX, SHO_PARSE_SUFFIX);
    assert_int_equal(parse_ok("0x1f", UINT64_MAX, SHO_PARSE_HEX), 31);
    assert_int_equal(parse_ok("0X1F", UINT64_MAX, SHO_PARSE_HEX), 31);
    assert_int_equal(parse_ok("0x0000134c", UINT64_MAX, SHO_PARSE_HEX), 4940);
    assert_int_equal(parse_ok("0x21FCB6", UINT64_MAX, SHO_PARSE_HEX), 0x21FCB6);
    assert_int_equal(parse_ok("0xffffffffffffffff", UINT64_MAX, SHO_PARSE_HEX), UINT64_MAX);
    /* Without the prefix the text is decimal even with the flag. */
    assert_int_equal(parse_ok("10", UINT64_MAX, SHO_PARSE_HEX), 10);
    assert_rejected("1f", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("ff", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("0x", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("0xg", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("0x-1", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("0x 1", UINT64_MAX, SHO_PARSE_HEX);
    assert_rejected("0x0x1", UINT64_MAX, SHO_PARSE_HEX);
}

static void parse_suffix_only_when_asked(void **state)
{
    (void)state;
    assert_rejected("4K", UINT64_MAX, 0);
    assert_rejected("4K", UINT64_MAX, SHO_PARSE_HEX);
    assert_int_equal(parse_ok("4K", UINT64_MAX, SHO_PARSE_SUFFIX), 4 * ONE_K);
    assert_int_equal(parse_ok("1M", UINT64_MAX, SHO_PARSE_SUFFIX), ONE_K * ONE_K);
    assert_int_equal(parse_ok("2G", UINT64_MAX, SHO_PARSE_SUFFIX), 2 * ONE_K * ONE_K * ONE_K);
    assert_int_equal(parse_ok("3T", UINT64_MAX, SHO_PARSE_SUFFIX),
                     3 * ONE_K * ONE_K * ONE_K * ONE_K);
    assert_int_equal(parse_ok("0K", UINT64_MAX, SHO_PARSE_SUFFIX), 0);
    /* A plain number stays plain. */
    assert_int_equal(parse_ok("65536", UINT64_MAX, SHO_PARSE_SUFFIX), 65536);
    assert_rejected("K", UINT64_MAX, SHO_PARSE_SUFFIX);
    assert_rejected("1KB", UINT64_MAX, SHO_PARSE_SUFFIX);
    assert_rejected("1KK", UINT64_MAX, SHO_PARSE_SUFFIX);
    assert_rejected("1X", UINT64_MAX, SHO_PARSE_SUFFIX);
    assert_rejected("1 K", UINT64_MAX, SHO_PARSE_SUFFIX);
    /* The bound applies after scaling. */
    assert_int_equal(parse_ok("1K", 1024, SHO_PARSE_SUFFIX), 1024);
    assert_rejected("2K", 1024, SHO_PARSE_SUFFIX);
}

static void parse_suffix_overflow_rejected(void **state)
{
    (void)state;
    /* 2^24 T = 2^64: one past UINT64_MAX. */
    assert_int_equal(parse_ok("16777215T", UINT64_MAX, SHO_PARSE_SUFFIX), (uint64_t)16777215 << 40);
    assert_rejected("16777216T", UINT64_MAX, SHO_PARSE_SUFFIX);
    assert_rejected("18446744073709551615K", UINT64_MAX, SHO_PARSE_SUFFIX);
}

static void parse_rejects_empty_signs_and_blanks(void **state)
{
    static const char *const bad[] = {
        "", "+1", "-1", "-0", " 1", "1 ", "\t1", "1\n", "1 2", "1,000", "1.5", "1e3", "abc", "1a",
    };
    size_t i;

    (void)state;
    for (i = 0; i < SHO_ARRAY_COUNT(bad); i++) {
        assert_rejected(bad[i], UINT64_MAX, 0);
        assert_rejected(bad[i], UINT64_MAX, SHO_PARSE_HEX | SHO_PARSE_SUFFIX);
    }
}

static void parsen_reads_only_len_bytes(void **state)
{
    const char digits[3] = { '4', '5', '6' }; /* no terminating NUL */
    uint64_t v = 0;

    (void)state;
    assert_int_equal(sho_parse_u64n(digits, sizeof(digits), UINT64_MAX, 0, &v), 0);
    assert_int_equal(v, 456);
    assert_int_equal(sho_parse_u64n("123abc", 3, UINT64_MAX, 0, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(sho_parse_u64n("123abc", 4, UINT64_MAX, 0, &v), SHO_EINVAL);
    assert_int_equal(sho_parse_u64n("0x1f", 3, UINT64_MAX, SHO_PARSE_HEX, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(sho_parse_u64n("0x1f", 2, UINT64_MAX, SHO_PARSE_HEX, &v), SHO_EINVAL);
    assert_int_equal(sho_parse_u64n("4K", 1, UINT64_MAX, SHO_PARSE_SUFFIX, &v), 0);
    assert_int_equal(v, 4);
    assert_int_equal(sho_parse_u64n("7", 0, UINT64_MAX, 0, &v), SHO_EINVAL);
}

/* ---- sho_buf ------------------------------------------------------------------------ */

static void buf_append_terminates(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 1024);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(sho_buf_appends(&b, "abc"), 0);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_int_equal(sho_buf_putc(&b, 'd'), 0);
    assert_int_equal(sho_buf_append(&b, "efgh", 2), 0);
    assert_int_equal(b.len, 6);
    assert_string_equal(b.data, "abcdef");
    assert_true(b.cap > b.len);
    /* Bytes are bytes: an embedded NUL is kept and counted. */
    assert_int_equal(sho_buf_append(&b, "x\0y", 3), 0);
    assert_int_equal(b.len, 9);
    assert_memory_equal(b.data, "abcdefx\0y", 10);
    sho_buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void buf_empty_append_gives_empty_string(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 16);
    assert_int_equal(sho_buf_append(&b, "", 0), 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    sho_buf_release(&b);
}

static void buf_limit_enforced_and_buffer_unchanged(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 8);
    assert_int_equal(sho_buf_appends(&b, "12345"), 0);
    assert_int_equal(sho_buf_appends(&b, "6789"), SHO_ELIMIT);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "12345");
    /* Reaching the limit exactly is allowed; one byte more is not. */
    assert_int_equal(sho_buf_appends(&b, "678"), 0);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(sho_buf_putc(&b, '9'), SHO_ELIMIT);
    assert_int_equal(sho_buf_append(&b, "9", 1), SHO_ELIMIT);
    assert_int_equal(sho_buf_appendf(&b, "%d", 9), SHO_ELIMIT);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    /* Appending nothing at the limit is fine. */
    assert_int_equal(sho_buf_append(&b, "", 0), 0);
    assert_int_equal(b.len, 8);
    sho_buf_release(&b);
}

static void buf_limit_on_first_append(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 4);
    assert_int_equal(sho_buf_appends(&b, "12345"), SHO_ELIMIT);
    assert_int_equal(b.len, 0);
    assert_true(b.data == NULL || b.data[0] == '\0');
    sho_buf_release(&b);

    sho_buf_init(&b, 0);
    assert_int_equal(sho_buf_putc(&b, 'x'), SHO_ELIMIT);
    assert_int_equal(b.len, 0);
    sho_buf_release(&b);
}

static void buf_huge_length_does_not_wrap(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 64);
    assert_int_equal(sho_buf_appends(&b, "ab"), 0);
    /* A hostile length near SIZE_MAX must hit the limit, not wrap the sum. */
    assert_int_equal(sho_buf_reserve(&b, SIZE_MAX), SHO_ELIMIT);
    assert_int_equal(sho_buf_reserve(&b, SIZE_MAX - 1), SHO_ELIMIT);
    assert_int_equal(sho_buf_reserve(&b, 62), 0);
    assert_int_equal(sho_buf_reserve(&b, 63), SHO_ELIMIT);
    assert_string_equal(b.data, "ab");
    sho_buf_release(&b);
}

static void buf_reserve_gives_room(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 1 << 20);
    assert_int_equal(sho_buf_reserve(&b, 1000), 0);
    assert_non_null(b.data);
    assert_true(b.cap >= 1001);
    assert_int_equal(b.len, 0);
    sho_buf_release(&b);
}

static void buf_appendf_formats(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 256);
    assert_int_equal(sho_buf_appendf(&b, "%s=%d", "pid", 4940), 0);
    assert_int_equal(sho_buf_appendf(&b, ",0x%llx", 0xffa8ULL), 0);
    assert_int_equal(sho_buf_appendf(&b, "%s", ""), 0);
    assert_string_equal(b.data, "pid=4940,0xffa8");
    assert_int_equal(b.len, strlen("pid=4940,0xffa8"));
    /* Past the limit: nothing of the formatted text lands. */
    assert_int_equal(sho_buf_appendf(&b, "%0300d", 1), SHO_ELIMIT);
    assert_string_equal(b.data, "pid=4940,0xffa8");
    assert_int_equal(b.len, strlen("pid=4940,0xffa8"));
    sho_buf_release(&b);
}

static void buf_reset_keeps_allocation(void **state)
{
    struct sho_buf b;
    char *data;
    size_t cap;

    (void)state;
    sho_buf_init(&b, 4096);
    assert_int_equal(sho_buf_appends(&b, "some text that needs a block"), 0);
    data = b.data;
    cap = b.cap;
    sho_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    assert_int_equal(sho_buf_appends(&b, "again"), 0);
    assert_ptr_equal(b.data, data);
    assert_string_equal(b.data, "again");
    sho_buf_release(&b);
    /* Resetting a buffer that never allocated is harmless. */
    sho_buf_init(&b, 16);
    sho_buf_reset(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void buf_grows_by_many_small_appends(void **state)
{
    struct sho_buf b;
    size_t i;

    (void)state;
    sho_buf_init(&b, 100000);
    for (i = 0; i < 100000; i++) {
        assert_int_equal(sho_buf_putc(&b, (char)('a' + i % 26)), 0);
    }
    assert_int_equal(sho_buf_putc(&b, 'x'), SHO_ELIMIT);
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.data[100000], '\0');
    for (i = 0; i < 100000; i++) {
        if (b.data[i] != (char)('a' + i % 26)) {
            fail_msg("byte %zu is '%c'", i, b.data[i]);
        }
    }
    sho_buf_release(&b);
}

/* ---- strings ------------------------------------------------------------------------ */

static void str_copy_fits(void **state)
{
    char dst[8];

    (void)state;
    assert_int_equal(sho_str_copy(dst, sizeof(dst), "hello"), 5);
    assert_string_equal(dst, "hello");
    assert_int_equal(sho_str_copy(dst, sizeof(dst), "1234567"), 7);
    assert_string_equal(dst, "1234567");
    assert_int_equal(sho_str_copy(dst, sizeof(dst), ""), 0);
    assert_string_equal(dst, "");
}

static void str_copy_truncates_and_terminates(void **state)
{
    char dst[9];

    (void)state;
    memset(dst, 'Z', sizeof(dst));
    (void)sho_str_copy(dst, 8, "abcdefghijkl");
    assert_string_equal(dst, "abcdefg");
    assert_int_equal(dst[8], 'Z'); /* nothing written past dst_len */
    (void)sho_str_copy(dst, 1, "abc");
    assert_string_equal(dst, "");
    memset(dst, 'Z', sizeof(dst));
    (void)sho_str_copy(dst, 0, "abc");
    assert_int_equal(dst[0], 'Z');
}

static void str_casecmp_ascii_only(void **state)
{
    (void)state;
    assert_int_equal(sho_str_casecmp("Security", "SECURITY"), 0);
    assert_int_equal(sho_str_casecmp("file.EVTX", "file.evtx"), 0);
    assert_int_equal(sho_str_casecmp("", ""), 0);
    assert_true(sho_str_casecmp("abc", "abd") < 0);
    assert_true(sho_str_casecmp("ABD", "abc") > 0);
    assert_true(sho_str_casecmp("ab", "abc") < 0);
    assert_true(sho_str_casecmp("abc", "AB") > 0);
    /* '[' (0x5B) sorts after 'Z' but before 'a': folding is to lower case, consistently. */
    assert_true(sho_str_casecmp("[", "a") < 0);
    /* UTF-8 bytes compare exactly: full-width Ａ (EF BC A1) is not ａ (EF BD 81). */
    assert_true(sho_str_casecmp("\xEF\xBC\xA1", "\xEF\xBD\x81") != 0);
    assert_int_equal(sho_str_casecmp("田中", "田中"), 0);
    assert_true(sho_str_casecmp("\xC3\x89", "\xC3\xA9") != 0); /* É vs é */
}

/* ---- errors ------------------------------------------------------------------------- */

static void err_set_returns_code_and_fills(void **state)
{
    struct sho_err err;

    (void)state;
    sho_err_clear(&err);
    assert_int_equal(err.code, 0);
    assert_int_equal(err.offset, -1);
    assert_int_equal(sho_err_set(&err, SHO_ECORRUPT, "a.evtx", 12, "bad %s", "magic"),
                     SHO_ECORRUPT);
    assert_int_equal(err.code, SHO_ECORRUPT);
    assert_string_equal(err.path, "a.evtx");
    assert_int_equal(err.offset, 12);
    assert_string_equal(err.msg, "bad magic");
    /* err may be NULL everywhere. */
    assert_int_equal(sho_err_set(NULL, SHO_EIO, "x", 0, "y"), SHO_EIO);
    sho_err_clear(NULL);
}

static void err_format_with_path_and_offset(void **state)
{
    struct sho_err err;
    char out[256];

    (void)state;
    sho_err_clear(&err);
    (void)sho_err_set(&err, SHO_ECORRUPT, "path", 12, "msg");
    sho_err_format(&err, out, sizeof(out));
    assert_string_equal(out, "'path':12: msg");

    (void)sho_err_set(&err, SHO_ECORRUPT, "logs/Security.evtx", 69632, "record checksum mismatch");
    sho_err_format(&err, out, sizeof(out));
    assert_string_equal(out, "'logs/Security.evtx':69632: record checksum mismatch");

    (void)sho_err_set(&err, SHO_ECORRUPT, "p", 0, "at zero");
    sho_err_format(&err, out, sizeof(out));
    assert_string_equal(out, "'p':0: at zero");
}

static void err_format_without_offset_or_path(void **state)
{
    struct sho_err err;
    char out[256];

    (void)state;
    sho_err_clear(&err);
    (void)sho_err_set(&err, SHO_EIO, "path", -1, "cannot open: No such file");
    sho_err_format(&err, out, sizeof(out));
    assert_string_equal(out, "'path': cannot open: No such file");

    (void)sho_err_set(&err, SHO_EINVAL, NULL, -1, "bad option");
    sho_err_format(&err, out, sizeof(out));
    assert_string_equal(out, "bad option");
    assert_string_equal(err.path, "");

    /* No message: the code's name stands in. */
    (void)sho_err_set(&err, SHO_ELIMIT, NULL, -1, "%s", "");
    sho_err_format(&err, out, sizeof(out));
    assert_string_equal(out, sho_err_name(SHO_ELIMIT));
}

static void err_format_truncates_to_out_len(void **state)
{
    struct sho_err err;
    char out[8];

    (void)state;
    sho_err_clear(&err);
    (void)sho_err_set(&err, SHO_ECORRUPT, "path", 12, "msg");
    memset(out, 'Z', sizeof(out));
    sho_err_format(&err, out, 6);
    assert_string_equal(out, "'path");
    assert_int_equal(out[6], 'Z');
}

static void err_set_truncates_long_path(void **state)
{
    struct sho_err err;
    char longpath[SHO_ERR_PATH_MAX * 2];

    (void)state;
    memset(longpath, 'p', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    (void)sho_err_set(&err, SHO_EIO, longpath, 1, "m");
    assert_int_equal(strlen(err.path), SHO_ERR_PATH_MAX - 1);
}

static void err_names_are_distinct(void **state)
{
    static const int codes[] = { SHO_OK,     SHO_EIO,    SHO_ECORRUPT, SHO_ENOMEM,
                                 SHO_EINVAL, SHO_ELIMIT, SHO_ESQL,     SHO_ETAMPER };
    size_t i, j;

    (void)state;
    assert_string_equal(sho_err_name(SHO_ECORRUPT), "corrupt input");
    for (i = 0; i < SHO_ARRAY_COUNT(codes); i++) {
        assert_non_null(sho_err_name(codes[i]));
        for (j = i + 1; j < SHO_ARRAY_COUNT(codes); j++) {
            assert_string_not_equal(sho_err_name(codes[i]), sho_err_name(codes[j]));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_decimal),
        cmocka_unit_test(parse_overflow_rejected),
        cmocka_unit_test(parse_max_bound),
        cmocka_unit_test(parse_hex_only_when_asked),
        cmocka_unit_test(parse_suffix_only_when_asked),
        cmocka_unit_test(parse_suffix_overflow_rejected),
        cmocka_unit_test(parse_rejects_empty_signs_and_blanks),
        cmocka_unit_test(parsen_reads_only_len_bytes),
        cmocka_unit_test(buf_append_terminates),
        cmocka_unit_test(buf_empty_append_gives_empty_string),
        cmocka_unit_test(buf_limit_enforced_and_buffer_unchanged),
        cmocka_unit_test(buf_limit_on_first_append),
        cmocka_unit_test(buf_huge_length_does_not_wrap),
        cmocka_unit_test(buf_reserve_gives_room),
        cmocka_unit_test(buf_appendf_formats),
        cmocka_unit_test(buf_reset_keeps_allocation),
        cmocka_unit_test(buf_grows_by_many_small_appends),
        cmocka_unit_test(str_copy_fits),
        cmocka_unit_test(str_copy_truncates_and_terminates),
        cmocka_unit_test(str_casecmp_ascii_only),
        cmocka_unit_test(err_set_returns_code_and_fills),
        cmocka_unit_test(err_format_with_path_and_offset),
        cmocka_unit_test(err_format_without_offset_or_path),
        cmocka_unit_test(err_format_truncates_to_out_len),
        cmocka_unit_test(err_set_truncates_long_path),
        cmocka_unit_test(err_names_are_distinct),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
