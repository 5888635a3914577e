/*
 * test_query_html: the HTML report's insides with exact answers: escaping
 * for HTML and for JSON inside a script element, the record-id runs behind
 * the gap marks, the action groups the charts stack, and time buckets that
 * widen without losing a count.
 */
#include "unit.h"

#include "report_html_priv.h"

/* 2024-05-01T00:00:00Z, a Wednesday */
#define FT_MAY1   133589952000000000ULL
#define TICKS_MIN (60ULL * 10000000ULL)

static void html_escapes_markup(void **state)
{
    struct unit_capture c;

    (void)state;
    unit_capture_open(&c);
    rh_html(c.fp, "<script>a&b</script> \"q\" 'x' 中村");
    rh_html(c.fp, NULL);
    assert_string_equal(unit_capture_text(&c),
                        "&lt;script&gt;a&amp;b&lt;/script&gt; &quot;q&quot; &#39;x&#39; 中村");
    unit_capture_close(&c);
}

static void json_is_safe_in_a_script_element(void **state)
{
    struct unit_capture c;

    (void)state;
    unit_capture_open(&c);
    rh_json(c.fp, "</script>\"\\\n\x01&\xE2\x80\xA8個人");
    (void)fputc(' ', c.fp);
    rh_json(c.fp, NULL);
    assert_string_equal(unit_capture_text(&c),
                        "\"\\u003c/script\\u003e\\\"\\\\\\u000a\\u0001\\u0026\\u2028個人\" null");
    unit_capture_close(&c);
}

static void actions_fall_in_one_group(void **state)
{
    (void)state;
    assert_int_equal(rh_group_of(SHO_ACT_READ), RH_READ);
    assert_int_equal(rh_group_of(SHO_ACT_READ | SHO_ACT_WRITE), RH_WRITE);
    assert_int_equal(rh_group_of(SHO_ACT_WRITE | SHO_ACT_CREATE), RH_CREATE);
    assert_int_equal(rh_group_of(SHO_ACT_READ | SHO_ACT_DELETE), RH_DELETE);
    assert_int_equal(rh_group_of(SHO_ACT_PERM_CHANGE), RH_PERM);
    assert_int_equal(rh_group_of(SHO_ACT_SHARE_CONNECT), RH_CONNECT);
    assert_int_equal(rh_group_of(SHO_ACT_LOG_CLEARED), RH_OTHER);
    assert_int_equal(rh_group_of(0), RH_OTHER);
}

static void buckets_widen_without_losing_counts(void **state)
{
    struct sho_query_info info;
    struct sho_index_row row;
    struct rh_agg a;
    struct sho_err err;
    uint64_t m, total = 0, after = 0;
    size_t i;
    int g;

    (void)state;
    memset(&info, 0, sizeof(info));
    memset(&row, 0, sizeof(row));
    rh_agg_init(&a, 5, "UTC");
    (void)snprintf(a.pol.timezone, sizeof(a.pol.timezone), "UTC"); /* hours judged in UTC */
    assert_int_equal(rh_agg_setup(&a, &info, &err), 0);
    /* three days, one event a minute: 4320 one-minute buckets would be too many */
    row.path = "\\\\fs\\s\\a.txt";
    row.host = "fs";
    row.user = "u";
    for (m = 0; m < 3 * 1440; m++) {
        row.time = FT_MAY1 + m * TICKS_MIN;
        row.actions = m % 2 == 0 ? SHO_ACT_READ : SHO_ACT_WRITE;
        rh_agg_event(&a, &row);
    }
    assert_int_equal(a.events, 3 * 1440);
    assert_int_equal(a.level, 1); /* five minutes */
    assert_int_equal(a.b_count, 3 * 1440 / 5);
    rh_agg_fit(&a, FT_MAY1, FT_MAY1 + 3 * 1440 * TICKS_MIN, 120);
    assert_int_equal(rh_widths[a.level], 60); /* 72 hourly bars */
    assert_int_equal(a.b_count, 72);
    for (i = 0; i < a.b_count; i++) {
        for (g = 0; g < RH_GROUPS; g++) {
            total += a.b[i].n[g];
        }
        after += a.b[i].after;
        assert_int_equal(a.b[i].n[RH_READ], 30);
        assert_int_equal(a.b[i].n[RH_WRITE], 30);
    }
    assert_int_equal(total, 3 * 1440);
    /* Wednesday and Thursday: 15 of 24 hours outside 09:00-18:00; Friday 3 May is a holiday */
    assert_int_equal(after, 2 * 15 * 60 + 24 * 60);
    assert_int_equal(a.after, after);
    assert_int_equal(a.ev_count, 5); /* rows kept: --rows */
    assert_int_equal(a.persons.t.count, 1);
    assert_int_equal(a.persons.st[0].items, 1); /* one distinct file */
    rh_agg_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_escapes_markup),
        cmocka_unit_test(json_is_safe_in_a_script_element),
        cmocka_unit_test(actions_fall_in_one_group),
        cmocka_unit_test(buckets_widen_without_losing_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
