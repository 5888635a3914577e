/*
 * test_common_time: FILETIME <-> ISO 8601 (sho_time_format_iso,
 * sho_time_parse_iso) and the proleptic Gregorian day arithmetic under them
 * (sho_time_days_from_civil, sho_time_civil_from_days). Expected values were
 * computed independently (Python datetime) and by hand from the calendar.
 */
#include "unit.h"

#include "shoseki/common.h"

/* 2024-05-13T01:23:45.1234567Z, the reference document's worked example. */
#define FT_EXAMPLE 133600370251234567ULL
/* 9999-12-31T23:59:59.9999999Z, the last instant the parser accepts. */
#define FT_LAST 2650467743999999999ULL

static uint64_t parse_ok(const char *s)
{
    uint64_t ft = 0;

    assert_int_equal(sho_time_parse_iso(s, strlen(s), &ft), 0);
    return ft;
}

static void assert_parse_fails(const char *s)
{
    uint64_t ft = 0;

    if (sho_time_parse_iso(s, strlen(s), &ft) != SHO_EINVAL) {
        fail_msg("accepted \"%s\"", s);
    }
}

/* ---- formatting --------------------------------------------------------------------- */

static void format_reference_example(void **state)
{
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    assert_int_equal(sho_time_format_iso(FT_EXAMPLE, out), 28);
    assert_string_equal(out, "2024-05-13T01:23:45.1234567Z");
}

static void format_filetime_zero_is_1601(void **state)
{
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    assert_int_equal(sho_time_format_iso(0, out), 28);
    assert_string_equal(out, "1601-01-01T00:00:00.0000000Z");
    (void)sho_time_format_iso(1, out);
    assert_string_equal(out, "1601-01-01T00:00:00.0000001Z");
}

static void format_around_unix_epoch(void **state)
{
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    (void)sho_time_format_iso(SHO_FILETIME_UNIX_EPOCH, out);
    assert_string_equal(out, "1970-01-01T00:00:00.0000000Z");
    /* One tick earlier: negative seconds since 1970 must floor, not truncate. */
    (void)sho_time_format_iso(SHO_FILETIME_UNIX_EPOCH - 1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.9999999Z");
    (void)sho_time_format_iso(SHO_FILETIME_UNIX_EPOCH - SHO_TICKS_PER_SECOND, out);
    assert_string_equal(out, "1969-12-31T23:59:59.0000000Z");
}

static void format_leap_days(void **state)
{
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    (void)sho_time_format_iso(125962560000000000ULL, out);
    assert_string_equal(out, "2000-02-29T00:00:00.0000000Z");
    (void)sho_time_format_iso(94405824000000000ULL, out);
    assert_string_equal(out, "1900-03-01T00:00:00.0000000Z");
    (void)sho_time_format_iso(94405824000000000ULL - 1, out);
    assert_string_equal(out, "1900-02-28T23:59:59.9999999Z");
}

static void format_last_supported_instant(void **state)
{
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    (void)sho_time_format_iso(FT_LAST, out);
    assert_string_equal(out, "9999-12-31T23:59:59.9999999Z");
}

static void format_largest_filetime_fits(void **state)
{
    char out[SHO_TIME_ISO_MAX];
    size_t n;

    (void)state;
    /* Year 60056: five digits, still inside the buffer and NUL-terminated. */
    n = sho_time_format_iso(UINT64_MAX, out);
    assert_int_equal(n, strlen(out));
    assert_true(n < SHO_TIME_ISO_MAX);
    assert_string_equal(out + n - 9, ".9551615Z");
}

/* ---- parsing ------------------------------------------------------------------------ */

static void parse_reference_example(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-05-13T01:23:45.1234567Z"), FT_EXAMPLE);
    assert_int_equal(parse_ok("1601-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.0000000Z"), SHO_FILETIME_UNIX_EPOCH);
    assert_int_equal(parse_ok("9999-12-31T23:59:59.9999999Z"), FT_LAST);
}

static void parse_nine_digit_fraction_truncates(void **state)
{
    char out[SHO_TIME_ISO_MAX];

    (void)state;
    /* libevtx's rendering: nine digits, of which only seven are FILETIME precision. */
    (void)sho_time_format_iso(parse_ok("2019-04-27T19:31:15.355063000Z"), out);
    assert_string_equal(out, "2019-04-27T19:31:15.3550630Z");
    /* Truncated, not rounded: ...4567|89 stays 4567. */
    assert_int_equal(parse_ok("2024-05-13T01:23:45.123456789Z"), FT_EXAMPLE);
    assert_int_equal(parse_ok("2024-05-13T01:23:45.123456799Z"), FT_EXAMPLE);
}

static void parse_short_fraction_scales(void **state)
{
    uint64_t whole;

    (void)state;
    whole = parse_ok("2024-05-13T01:23:45Z");
    assert_int_equal(whole, FT_EXAMPLE - 1234567);
    assert_int_equal(parse_ok("2024-05-13T01:23:45.5Z"), whole + 5000000);
    assert_int_equal(parse_ok("2024-05-13T01:23:45.123Z"), whole + 1230000);
    assert_int_equal(parse_ok("2024-05-13T01:23:45,123Z"), whole + 1230000);
}

static void parse_offsets(void **state)
{
    (void)state;
    /* JST: 10:23:45 at +09:00 is 01:23:45 UTC. */
    assert_int_equal(parse_ok("2024-05-13T10:23:45.1234567+09:00"), FT_EXAMPLE);
    assert_int_equal(parse_ok("2024-05-13T10:23:45.1234567+0900"), FT_EXAMPLE);
    assert_int_equal(parse_ok("2024-05-12T19:53:45.1234567-05:30"), FT_EXAMPLE);
    assert_int_equal(parse_ok("2024-05-13T01:23:45.1234567+00:00"), FT_EXAMPLE);
    /* Crossing a day and a month boundary backwards. */
    assert_int_equal(parse_ok("2024-04-01T00:00:00+09:00"), parse_ok("2024-03-31T15:00:00Z"));
}

static void parse_without_zone_is_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-05-13T01:23:45.1234567"), FT_EXAMPLE);
    /* A space instead of T, as Sysmon's UtcTime and EvtxECmd write it. */
    assert_int_equal(parse_ok("2024-05-13 01:23:45.1234567"), FT_EXAMPLE);
}

static void parse_uses_only_len_bytes(void **state)
{
    const char *s = "2024-05-13T01:23:45.1234567Zjunk";
    uint64_t ft = 0;

    (void)state;
    assert_int_equal(sho_time_parse_iso(s, 28, &ft), 0);
    assert_int_equal(ft, FT_EXAMPLE);
    assert_int_equal(sho_time_parse_iso(s, strlen(s), &ft), SHO_EINVAL);
    /* Cut inside the seconds. */
    assert_int_equal(sho_time_parse_iso(s, 18, &ft), SHO_EINVAL);
}

static void parse_rejects_garbage(void **state)
{
    uint64_t ft = 0;

    (void)state;
    assert_int_equal(sho_time_parse_iso("", 0, &ft), SHO_EINVAL);
    assert_parse_fails("garbage");
    assert_parse_fails("2024");
    assert_parse_fails("2024-05-13");
    assert_parse_fails("2024-05-13T01:23");
    assert_parse_fails("2024-5-13T01:23:45Z");
    assert_parse_fails("2024/05/13T01:23:45Z");
    assert_parse_fails("2024-05-13X01:23:45Z");
    assert_parse_fails("2024-05-13T01-23-45Z");
    assert_parse_fails(" 2024-05-13T01:23:45Z");
    assert_parse_fails("+2024-05-13T01:23:45Z");
    assert_parse_fails("２０２４-05-13T01:23:45Z");
}

static void parse_rejects_out_of_range_fields(void **state)
{
    (void)state;
    assert_parse_fails("2024-00-13T01:23:45Z");
    assert_parse_fails("2024-13-13T01:23:45Z");
    assert_parse_fails("2024-05-00T01:23:45Z");
    assert_parse_fails("2024-05-32T01:23:45Z");
    assert_parse_fails("2024-05-13T24:00:00Z");
    assert_parse_fails("2024-05-13T01:60:45Z");
    assert_parse_fails("2024-05-13T01:23:61Z");
    assert_parse_fails("2024-05-13T01:23:45+24:00");
    assert_parse_fails("2024-05-13T01:23:45+09:60");
    /* Before FILETIME 0. */
    assert_parse_fails("1600-12-31T23:59:59Z");
    assert_parse_fails("1601-01-01T00:00:00+00:01");
}

static void parse_rejects_day_past_month_end(void **state)
{
    (void)state;
    /* A date that does not exist must not silently become another one (2023-03-01). */
    assert_parse_fails("2023-02-29T00:00:00Z");
    assert_parse_fails("2024-02-30T00:00:00Z");
    assert_parse_fails("2024-04-31T00:00:00Z");
    assert_parse_fails("1900-02-29T00:00:00Z");
    /* ...while the real leap days parse. */
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 125962560000000000ULL);
    (void)parse_ok("2024-02-29T00:00:00Z");
}

static void parse_rejects_trailing_junk(void **state)
{
    (void)state;
    assert_parse_fails("2024-05-13T01:23:45Zjunk");
    assert_parse_fails("2024-05-13T01:23:45Z ");
    assert_parse_fails("2024-05-13T01:23:45.123 ");
    assert_parse_fails("2024-05-13T01:23:45.123x");
    assert_parse_fails("2024-05-13T01:23:45+09:00Z");
    assert_parse_fails("2024-05-13T01:23:45+09");
    assert_parse_fails("2024-05-13T01:23:45+9:00");
}

static void round_trip_many_values(void **state)
{
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    unsigned i;

    (void)state;
    for (i = 0; i < 20000; i++) {
        char out[SHO_TIME_ISO_MAX];
        uint64_t ft, back = 0;
        size_t n;

        /* xorshift64: spread over every year the parser accepts. */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ft = x % (FT_LAST + 1);
        n = sho_time_format_iso(ft, out);
        assert_int_equal(n, 28);
        assert_int_equal(sho_time_parse_iso(out, n, &back), 0);
        if (back != ft) {
            fail_msg("%s: %llu != %llu", out, (unsigned long long)back, (unsigned long long)ft);
        }
    }
}

/* ---- civil dates -------------------------------------------------------------------- */

static void days_from_civil_known_dates(void **state)
{
    (void)state;
    assert_int_equal(sho_time_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(sho_time_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(sho_time_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(sho_time_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(sho_time_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(sho_time_days_from_civil(1900, 2, 28), -25509);
    assert_int_equal(sho_time_days_from_civil(1900, 3, 1), -25508);
    assert_int_equal(sho_time_days_from_civil(2100, 2, 28), 47540);
    assert_int_equal(sho_time_days_from_civil(2100, 3, 1), 47541);
    assert_int_equal(sho_time_days_from_civil(1601, 1, 1), -134774);
    assert_int_equal(sho_time_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(sho_time_days_from_civil(1, 1, 1), -719162);
    /* Year 0 (1 BC) is a leap year in the proleptic calendar. */
    assert_int_equal(sho_time_days_from_civil(0, 3, 1), -719468);
    assert_int_equal(sho_time_days_from_civil(0, 2, 29), -719469);
    assert_int_equal(sho_time_days_from_civil(0, 1, 1), -719528);
}

static void civil_from_days_known_days(void **state)
{
    int64_t y;
    unsigned m, d;

    (void)state;
    sho_time_civil_from_days(0, &y, &m, &d);
    assert_true(y == 1970 && m == 1 && d == 1);
    sho_time_civil_from_days(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    sho_time_civil_from_days(11016, &y, &m, &d);
    assert_true(y == 2000 && m == 2 && d == 29);
    sho_time_civil_from_days(-134774, &y, &m, &d);
    assert_true(y == 1601 && m == 1 && d == 1);
    sho_time_civil_from_days(-719469, &y, &m, &d);
    assert_true(y == 0 && m == 2 && d == 29);
    sho_time_civil_from_days(-719529, &y, &m, &d);
    assert_true(y == -1 && m == 12 && d == 31);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static void civil_round_trip_walks_every_day(void **state)
{
    int64_t day, y, py;
    unsigned m, d, pm, pd;

    (void)state;
    /* From 1000 BC-ish to AD 10000, every day: each is the calendar successor of the last. */
    sho_time_civil_from_days(-1100000, &py, &pm, &pd);
    for (day = -1099999; day <= 2933000; day++) {
        sho_time_civil_from_days(day, &y, &m, &d);
        if (sho_time_days_from_civil(y, m, d) != day) {
            fail_msg("day %lld -> %lld-%u-%u does not map back", (long long)day, (long long)y, m,
                     d);
        }
        if (pd < month_days(py, pm)) {
            assert_true(y == py && m == pm && d == pd + 1);
        } else if (pm < 12) {
            assert_true(y == py && m == pm + 1 && d == 1);
        } else {
            assert_true(y == py + 1 && m == 1 && d == 1);
        }
        py = y;
        pm = m;
        pd = d;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_reference_example),
        cmocka_unit_test(format_filetime_zero_is_1601),
        cmocka_unit_test(format_around_unix_epoch),
        cmocka_unit_test(format_leap_days),
        cmocka_unit_test(format_last_supported_instant),
        cmocka_unit_test(format_largest_filetime_fits),
        cmocka_unit_test(parse_reference_example),
        cmocka_unit_test(parse_nine_digit_fraction_truncates),
        cmocka_unit_test(parse_short_fraction_scales),
        cmocka_unit_test(parse_offsets),
        cmocka_unit_test(parse_without_zone_is_utc),
        cmocka_unit_test(parse_uses_only_len_bytes),
        cmocka_unit_test(parse_rejects_garbage),
        cmocka_unit_test(parse_rejects_out_of_range_fields),
        cmocka_unit_test(parse_rejects_day_past_month_end),
        cmocka_unit_test(parse_rejects_trailing_junk),
        cmocka_unit_test(round_trip_many_values),
        cmocka_unit_test(days_from_civil_known_dates),
        cmocka_unit_test(civil_from_days_known_days),
        cmocka_unit_test(civil_round_trip_walks_every_day),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
