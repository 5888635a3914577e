/*
 * test_collector_csv: the CSV reader's parts (collector/csv_map.h): the map
 * file and its errors by line, time formats and zones, the UTF-16LE line
 * reader and its offsets, Windows message labels, and whole files read from
 * memory through textsrc_read_csv with known events and problems.
 */
#include "unit.h"

#include "csv_map.h"
#include "textsrc.h"

#define MAX_EVENTS 8

static int map_err(const char *text, struct sho_err *err)
{
    struct csv_map *m = NULL;
    int rc;

    sho_err_clear(err);
    rc = csv_map_parse(text, strlen(text), "t.map", &m, err);
    csv_map_free(m);
    return rc;
}

static void map_errors_name_the_line(void **state)
{
    struct sho_err err;

    (void)state;
    assert_int_equal(map_err("[columns]\ntime = T\n# c\n\nsize = S\n", &err), SHO_EINVAL);
    assert_string_equal(err.path, "t.map");
    assert_string_equal(err.msg,
                        "line 5: unknown field (see docs/sources.md for the list): 'size'");
    assert_int_equal(map_err("time = T\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "line 1: a key before any section: 'time'");
    assert_int_equal(map_err("[colums]\n", &err), SHO_EINVAL);
    assert_int_equal(map_err("[columns]\ntime = T\ntime = U\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "line 3: field mapped twice: 'time'");
    assert_int_equal(map_err("[columns]\npath = P\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "no time column: [columns] needs 'time = COLUMN'");
    assert_int_equal(map_err("[columns]\ntime = T\n[actions]\nRead = reading\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "line 4: not shoseki actions (read, write, delete, rename, ... or "
                                 "ignore): 'reading'");
    assert_int_equal(map_err("[columns]\ntime = T\n[outcomes]\nOK = yes\n", &err), SHO_EINVAL);
    assert_int_equal(map_err("[columns]\ntime = T\n[time]\nzone = Mars/Base\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "line 4: unknown time zone: 'Mars/Base'");
    assert_int_equal(map_err("[csv]\nheader = no\n[columns]\ntime = Time\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "line 4: without a header a column is a number from 1: 'Time'");
    assert_int_equal(map_err("[csv]\ndelimiter = ::\n", &err), SHO_EINVAL);
    assert_int_equal(map_err("[columns]\ntime\n", &err), SHO_EINVAL);
    assert_string_equal(err.msg, "line 2: not a 'key = value' line: 'time'");
    assert_int_equal(map_err("[columns]\nperson = U\nobject = P\ntime = T\n[constants]\nhost = h\n"
                             "[actions]\nRead = read write\nLogin = ignore\n",
                             &err),
                     0);
}

static void map_builtin_and_words(void **state)
{
    static const char words[] = "[columns]\ntime=T\n[actions]\nRead = read, write\nX = ignore\n";
    struct csv_map *m = csv_map_winevent();
    const struct csv_word *w;

    (void)state;
    assert_non_null(m);
    assert_string_equal(m->col[CSV_F_MESSAGE].name, "Message");
    assert_int_equal(m->time_count, 5);
    csv_map_free(m);
    assert_int_equal(csv_map_parse(words, strlen(words), "m", &m, NULL), 0);
    w = csv_word_find(m->actions, m->action_count, "READ");
    assert_non_null(w);
    assert_int_equal(w->value, SHO_ACT_READ | SHO_ACT_WRITE);
    w = csv_word_find(m->actions, m->action_count, "x");
    assert_true(w != NULL && w->is_ignored);
    assert_null(csv_word_find(m->actions, m->action_count, "Write"));
    csv_map_free(m);
}

/* The time `s` in format `spec` and zone `zone` as ISO text, or "bad". */
static const char *tm(const char *spec, const char *zone, const char *s, char out[SHO_TIME_ISO_MAX])
{
    struct csv_time t;
    struct sho_tzone z;
    char why[256];
    uint64_t ft;
    int rc;

    assert_int_equal(csv_time_compile(&t, spec, why, sizeof(why)), 0);
    assert_int_equal(sho_tzone_load(&z, zone, NULL), 0);
    rc = csv_time_parse(&t, &z, s, &ft);
    sho_tzone_release(&z);
    if (rc != 0) {
        return "bad";
    }
    sho_time_format_iso(ft, out);
    return out;
}

static void time_formats(void **state)
{
    char b[SHO_TIME_ISO_MAX], why[256];
    struct csv_time t;

    (void)state;
    assert_string_equal(tm("%Y/%m/%d %H:%M:%S", "Asia/Tokyo", "2025/01/15 09:00:01", b),
                        "2025-01-15T00:00:01.0000000Z");
    assert_string_equal(tm("%m/%d/%Y %I:%M:%S %p", "UTC", "1/5/2025 9:00:01 PM", b),
                        "2025-01-05T21:00:01.0000000Z");
    assert_string_equal(tm("%m/%d/%Y %I:%M:%S %p", "UTC", "1/5/2025 12:00:01 AM", b),
                        "2025-01-05T00:00:01.0000000Z");
    assert_string_equal(tm("%m/%d/%Y %I:%M:%S %p", "UTC", "1/5/2025 13:00:01 PM", b), "bad");
    assert_string_equal(tm("%d %b %Y %T.%f %z", "Asia/Tokyo", "15 jan 2025 09:00:01.25 +01:00", b),
                        "2025-01-15T08:00:01.2500000Z");
    assert_string_equal(tm("%Y-%m-%d %H:%M:%S", "UTC", "2025-02-29 00:00:00", b), "bad");
    assert_string_equal(tm("%Y-%m-%d %H:%M:%S", "UTC", "2025-01-15 00:00:00x", b), "bad");
    assert_string_equal(tm("%Y-%m-%d  %H:%M:%S", "UTC", "2025-01-15 \t 00:00:00", b),
                        "2025-01-15T00:00:00.0000000Z");
    assert_string_equal(tm("iso8601", "+09:00", "2025-01-15T09:00:01.5", b),
                        "2025-01-15T00:00:01.5000000Z");
    assert_string_equal(tm("iso8601", "+09:00", "2025-01-15T09:00:01Z", b),
                        "2025-01-15T09:00:01.0000000Z");
    assert_string_equal(tm("iso8601", "+09:00", "2025-01-15 09:00:01-05:00", b),
                        "2025-01-15T14:00:01.0000000Z");
    assert_string_equal(tm("epoch", "+09:00", "1736899200.5", b), "2025-01-15T00:00:00.5000000Z");
    assert_string_equal(tm("epoch-ms", "UTC", "1736899200123", b), "2025-01-15T00:00:00.1230000Z");
    assert_string_equal(tm("filetime", "UTC", "133813728000000000", b),
                        "2025-01-15T00:00:00.0000000Z");
    assert_string_equal(tm("epoch", "UTC", "-1", b), "bad");
    assert_string_equal(tm("epoch", "UTC", "99999999999999999", b), "bad");
    assert_int_equal(csv_time_compile(&t, "%Y-%m", why, sizeof(why)), SHO_EINVAL);
    assert_int_equal(csv_time_compile(&t, "%Y-%m-%d %H %q", why, sizeof(why)), SHO_EINVAL);
    assert_int_equal(csv_time_compile(&t, "%Y-%m-%d %H%", why, sizeof(why)), SHO_EINVAL);
}

struct lines_got {
    size_t count;
    char text[8][64];
    int64_t offset[8];
};

static void read_lines(const void *data, size_t len, int64_t start, struct lines_got *g)
{
    struct csv_lines *r = csv_lines_new(-1, start, data, len);
    struct text_line l;

    memset(g, 0, sizeof(*g));
    while (csv_lines_next(r, &l, NULL) == 1 && g->count < 8) {
        sho_str_copy(g->text[g->count], sizeof(g->text[0]), l.text);
        g->offset[g->count++] = l.offset;
    }
    csv_lines_free(r);
}

static void utf16_lines(void **state)
{
    /* BOM, "a,é\r\n", U+1F600 (a surrogate pair), a lone low surrogate, "\n", "z" (no newline) */
    static const uint8_t u16[] = { 0xFF, 0xFE, 'a',  0,    ',',  0,    0xE9, 0,    '\r', 0,   '\n',
                                   0,    0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xDC, '\n', 0,    'z', 0 };
    static const char u8[] = "\xEF\xBB\xBF"
                             "h\r\nx\n";
    struct lines_got g;

    (void)state;
    read_lines(u16, sizeof(u16), 0, &g);
    assert_int_equal(g.count, 3);
    assert_string_equal(g.text[0], "a,\xC3\xA9");
    assert_string_equal(g.text[1], "\xF0\x9F\x98\x80\xEF\xBF\xBD");
    assert_string_equal(g.text[2], "z");
    assert_int_equal(g.offset[0], 2);
    assert_int_equal(g.offset[1], 12);
    assert_int_equal(g.offset[2], 20);
    read_lines(u16, sizeof(u16), 12, &g); /* cat starts at a record's offset */
    assert_int_equal(g.count, 2);
    assert_int_equal(g.offset[0], 12);
    read_lines(u16, sizeof(u16) - 1, 0, &g); /* an odd last byte is dropped */
    assert_int_equal(g.count, 2);
    read_lines(u8, sizeof(u8) - 1, 0, &g);
    assert_int_equal(g.count, 2);
    assert_string_equal(g.text[0], "h");
    assert_int_equal(g.offset[0], 3);
    assert_int_equal(g.offset[1], 6);
}

static void message_labels(void **state)
{
    struct winrec r;
    const char *msg =
        "An account was successfully logged on.\n\nSubject:\n\tSecurity ID:\t\tS-1-0-0\n"
        "\tAccount Name:\t\t-\n\nLogon Information:\n\tLogon Type:\t\t3\n\n"
        "New Logon:\n\tSecurity ID:\t\tCORP\\sato\n\tAccount Name:\t\tsato\r\n"
        "\tAccount Domain:\t\tCORP \n\nNetwork Information:\n"
        "\tSource Network Address:\t192.168.10.23\n\tUnknown Label:\tx";

    (void)state;
    winrec_init(&r);
    assert_int_equal(csv_winmsg_fields(&r, 4624, msg), 0);
    assert_string_equal(winrec_get(&r, "SubjectUserSid"), "S-1-0-0");
    assert_null(winrec_get(&r, "SubjectUserName")); /* "-" */
    assert_null(winrec_get(&r, "TargetUserSid"));   /* a name, not a SID */
    assert_string_equal(winrec_get(&r, "TargetUserName"), "sato");
    assert_string_equal(winrec_get(&r, "TargetDomainName"), "CORP");
    assert_string_equal(winrec_get(&r, "LogonType"), "3");
    assert_string_equal(winrec_get(&r, "IpAddress"), "192.168.10.23");
    assert_int_equal(r.field_count, 6);
    winrec_reset(&r);
    assert_int_equal(csv_winmsg_fields(&r, 4634, "Subject:\n\tAccount Name:\tkato"), 0);
    assert_string_equal(winrec_get(&r, "TargetUserName"), "kato");
    winrec_release(&r);
}

struct got {
    size_t count, problems;
    char path[MAX_EVENTS][64];
    char user[MAX_EVENTS][32];
    uint32_t actions[MAX_EVENTS];
    int64_t offset[MAX_EVENTS];
    uint64_t record_id[MAX_EVENTS];
    char problem[256];
};

static int got_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct got *g = ctx;

    (void)err;
    if (g->count < MAX_EVENTS) {
        sho_str_copy(g->path[g->count], sizeof(g->path[0]), ev->path != NULL ? ev->path : "-");
        sho_str_copy(g->user[g->count], sizeof(g->user[0]), ev->user != NULL ? ev->user : "-");
        g->actions[g->count] = ev->actions;
        g->offset[g->count] = ev->source_offset;
        g->record_id[g->count] = ev->record_id;
    }
    g->count++;
    return 0;
}

static void got_problem(void *ctx, const struct sho_err *problem)
{
    struct got *g = ctx;

    g->problems++;
    (void)snprintf(g->problem, sizeof(g->problem), "%lld: %s", (long long)problem->offset,
                   problem->msg);
}

/* Read `csv` with the map text `map` (NULL: none); returns textsrc_read_csv's code. */
static int read_csv(const char *map, const char *csv, struct got *g, struct sho_collect_stats *st)
{
    struct sho_collect_sink sink = { got_event, got_problem, g, NULL };
    struct sho_textsrc_opts o;
    struct sho_textsrc *t = NULL;
    struct textsrc_file f;
    struct sho_err err;
    int rc;

    memset(&o, 0, sizeof(o));
    assert_int_equal(sho_textsrc_new(&o, &t, NULL), 0);
    if (map != NULL) {
        assert_int_equal(csv_map_parse(map, strlen(map), "m", &t->csv, NULL), 0);
    }
    memset(g, 0, sizeof(*g));
    memset(st, 0, sizeof(*st));
    memset(&f, 0, sizeof(f));
    f.t = t;
    f.path = "f.csv";
    f.sink = &sink;
    f.st = st;
    rc = textsrc_read_csv(&f, -1, csv, strlen(csv), &err);
    sho_textsrc_free(t);
    return rc;
}

static void whole_files(void **state)
{
    static const char map[] = "[columns]\ntime = When\nuser = Who\npath = What\naction = Op\n"
                              "record_id = N\n[time]\nformat = epoch\n[actions]\nR = read\n";
    struct sho_collect_stats st;
    struct got g;

    (void)state;
    assert_int_equal(
        read_csv(map, "Who,When,What,Op,N\nann,1,\"/a\nb\",R,7\n\nbob,2,/c,R,\n", &g, &st), 0);
    assert_int_equal(g.count, 2);
    assert_string_equal(g.path[0], "/a\nb");
    assert_int_equal(g.offset[0], 19);
    assert_int_equal(g.record_id[0], 7);
    assert_string_equal(g.user[1], "bob");
    assert_int_equal(g.offset[1], 37);
    assert_int_equal(g.actions[1], SHO_ACT_READ);
    /* An unclosed quote at the end, and a word the map lacks. */
    assert_int_equal(read_csv(map, "Who,When,What,Op,N\nann,1,/a,W,\nbob,2,\"/c,R,\n", &g, &st), 0);
    assert_int_equal(g.count, 0);
    assert_int_equal(g.problems, 2);
    assert_string_equal(g.problem,
                        "31: line 3: quoted field not closed before the end of the file");
    assert_int_equal(st.skipped[SHO_SKIP_BAD_LINE], 2);
    /* A header that lacks a mapped column: the map's line is named. */
    assert_int_equal(read_csv(map, "Who,When,Op\n", &g, &st), SHO_EINVAL);
    /* No map and no known header. */
    assert_int_equal(read_csv(NULL, "a,b\n1,2\n", &g, &st), SHO_EINVAL);
    /* Empty input and a lone header are no events and no problems. */
    assert_int_equal(read_csv(map, "", &g, &st), 0);
    assert_int_equal(read_csv(map, "Who,When,What,Op,N", &g, &st), 0);
    assert_int_equal(g.count + g.problems, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_errors_name_the_line),
        cmocka_unit_test(map_builtin_and_words),
        cmocka_unit_test(time_formats),
        cmocka_unit_test(utf16_lines),
        cmocka_unit_test(message_labels),
        cmocka_unit_test(whole_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
