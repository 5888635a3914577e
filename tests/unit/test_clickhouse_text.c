/*
 * test_clickhouse_text: what goes to ClickHouse as text. String literals
 * (backslashes and quotes of Windows paths and DOMAIN\name), TabSeparated
 * fields sent and read back (tab, newline, backslash), identifiers, and the
 * addresses ship and --backend accept (credentials in a URL refused).
 */
#include "unit.h"

#include "ch_priv.h"

static void quote_escapes(void **state)
{
    struct sho_buf b;

    (void)state;
    sho_buf_init(&b, 1024);
    assert_int_equal(ch_quote(&b, "CORP\\tanaka's \\\\srv\\c$"), 0);
    assert_string_equal(b.data, "'CORP\\\\tanaka\\'s \\\\\\\\srv\\\\c$'");
    sho_buf_reset(&b);
    assert_int_equal(ch_quote(&b, NULL), 0);
    assert_string_equal(b.data, "''");
    sho_buf_release(&b);
}

static void tsv_round_trip(void **state)
{
    const char *values[] = { "D:\\shares\\a\tb", "line1\nline2\r", "", "\\\\?\\UNC\\x" };
    struct sho_buf b;
    char *fields[8];
    size_t i, n;

    (void)state;
    sho_buf_init(&b, 4096);
    for (i = 0; i < 4; i++) {
        if (i > 0) {
            assert_int_equal(sho_buf_putc(&b, '\t'), 0);
        }
        assert_int_equal(ch_tsv(&b, values[i]), 0);
    }
    assert_string_equal(b.data, "D:\\\\shares\\\\a\\tb\tline1\\nline2\\r\t\t\\\\\\\\?\\\\UNC\\\\x");
    n = ch_tsv_split(b.data, b.len, fields, 8);
    assert_int_equal(n, 4);
    for (i = 0; i < 4; i++) {
        assert_string_equal(fields[i], values[i]);
    }
    sho_buf_release(&b);
}

static void tsv_split_limits(void **state)
{
    char line[] = "a\tb\tc";
    char *fields[2];

    (void)state;
    assert_int_equal(ch_tsv_split(line, strlen(line), fields, 2), 2);
    assert_string_equal(fields[0], "a");
    assert_string_equal(fields[1], "b");
}

static void identifiers(void **state)
{
    (void)state;
    assert_true(ch_ident_ok("shoseki_events"));
    assert_true(ch_ident_ok("_x1"));
    assert_false(ch_ident_ok("1x"));
    assert_false(ch_ident_ok("a;DROP"));
    assert_false(ch_ident_ok("a.b"));
    assert_false(ch_ident_ok(""));
}

static void addresses(void **state)
{
    char url[64], table[32];
    struct sho_err err;

    (void)state;
    sho_err_clear(&err);
    assert_int_equal(
        ch_url_parse("clickhouse://10.0.0.5:8123/ev", url, sizeof(url), table, sizeof(table), &err),
        0);
    assert_string_equal(url, "http://10.0.0.5:8123");
    assert_string_equal(table, "ev");
    assert_int_equal(
        ch_url_parse("https://ch.example:8443/", url, sizeof(url), table, sizeof(table), &err), 0);
    assert_string_equal(url, "https://ch.example:8443");
    assert_string_equal(table, "");
    assert_int_equal(
        ch_url_parse("http://user:pw@h:8123", url, sizeof(url), table, sizeof(table), &err),
        SHO_EINVAL);
    assert_null(strstr(err.msg, "pw"));
    assert_int_equal(
        ch_url_parse("http://h:8123/?user=x", url, sizeof(url), table, sizeof(table), &err),
        SHO_EINVAL);
    assert_int_equal(ch_url_parse("ftp://h", url, sizeof(url), table, sizeof(table), &err),
                     SHO_EINVAL);
    assert_int_equal(
        ch_url_parse("clickhouse://h:1/bad-name", url, sizeof(url), table, sizeof(table), &err),
        SHO_EINVAL);
    assert_int_equal(ch_url_parse("clickhouse:///t", url, sizeof(url), table, sizeof(table), &err),
                     SHO_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quote_escapes),    cmocka_unit_test(tsv_round_trip),
        cmocka_unit_test(tsv_split_limits), cmocka_unit_test(identifiers),
        cmocka_unit_test(addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
