/*
 * test_collector_text: the text-source parsers below `collect`: the auditd
 * joiner (collector/auditd.h) fed line by line, the uid map, time zones and
 * the Samba prefix spec. Each auditd case writes a few records by hand and
 * checks the events and problems that come out.
 */
#include "unit.h"

#include "auditd.h"
#include "textsrc.h"
#include "uid_map.h"

#define MAX_EVENTS 16

struct got {
    size_t count;
    char path[MAX_EVENTS][256];
    char user[MAX_EVENTS][64];
    uint32_t actions[MAX_EVENTS];
    int outcome[MAX_EVENTS];
    uint64_t serial[MAX_EVENTS];
    int64_t offset[MAX_EVENTS];
    size_t bad, late, gaps;
    char last_problem[256];
};

static int got_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    struct got *g = ctx;

    (void)err;
    if (g->count < MAX_EVENTS) {
        sho_str_copy(g->path[g->count], sizeof(g->path[0]), ev->path != NULL ? ev->path : "-");
        sho_str_copy(g->user[g->count], sizeof(g->user[0]), ev->user != NULL ? ev->user : "-");
        g->actions[g->count] = ev->actions;
        g->outcome[g->count] = (int)ev->outcome;
        g->serial[g->count] = ev->record_id;
        g->offset[g->count] = ev->source_offset;
    }
    g->count++;
    return 0;
}

static void got_problem(void *ctx, enum auditd_problem kind, int64_t offset, uint64_t line,
                        const char *msg)
{
    struct got *g = ctx;

    (void)offset;
    (void)line;
    g->bad += kind == AUDITD_BAD_LINE;
    g->late += kind == AUDITD_LATE;
    g->gaps += kind == AUDITD_GAP;
    sho_str_copy(g->last_problem, sizeof(g->last_problem), msg);
}

/* Feed `text` (lines separated by \n) to a parser with `pending` slots and `names`. */
static void feed(const char *text, size_t pending, const struct uid_map *names, struct got *g)
{
    struct auditd_opts o = { pending, false, "host1", names };
    struct auditd_sink sink = { got_event, got_problem, g };
    struct auditd *a = auditd_new(&o, &sink);
    char *copy = sho_xstrdup(text), *p = copy;
    int64_t off = 0;
    uint64_t line = 0;

    memset(g, 0, sizeof(*g));
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
        p[n] = '\0';
        assert_int_equal(auditd_line(a, p, n, off, ++line, NULL), 0);
        off += (int64_t)n + 1;
        p += n + (nl != NULL);
    }
    assert_int_equal(auditd_finish(a, NULL), 0);
    auditd_free(a);
    free(copy);
}

#define SC(ser, nr, a0, a2, items, succ)                                                           \
    "type=SYSCALL msg=audit(1700000000.100:" #ser "): arch=c000003e syscall=" #nr " success=" succ \
    " exit=3 a0=" a0 " a1=7ffd0000 a2=" a2 " a3=0 items=" #items                                   \
    " ppid=1 pid=42 auid=1000 uid=0 gid=0 ses=5 comm=\"x\" exe=\"/usr/bin/x\"\n"
#define CWD(ser, d) "type=CWD msg=audit(1700000000.100:" #ser "): cwd=\"" d "\"\n"
#define PATHR(ser, i, name, nt)                                                                    \
    "type=PATH msg=audit(1700000000.100:" #ser "): item=" #i " name=" name                         \
    " inode=1 dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=" nt "\n"

static void joins_out_of_order_and_resolves_cwd(void **state)
{
    struct got g;

    (void)state;
    feed(PATHR(7, 0, "\"../b/./c.txt\"", "NORMAL") CWD(7, "/srv/a") SC(8, 87, "0", "0", 1, "yes")
             SC(7, 257, "ffffff9c", "0", 1, "yes") CWD(8, "/") PATHR(8, 0, "\"/tmp/x\"", "DELETE"),
         16, NULL, &g);
    assert_int_equal(g.count, 2);
    assert_string_equal(g.path[0], "/srv/b/c.txt");
    assert_int_equal(g.actions[0], SHO_ACT_READ);
    assert_int_equal(g.serial[0], 7);
    assert_int_equal(g.offset[0], 0); /* the event's first line */
    assert_string_equal(g.path[1], "/tmp/x");
    assert_int_equal(g.actions[1], SHO_ACT_DELETE);
    assert_string_equal(g.user[0], "1000"); /* auid, not uid 0 */
    assert_int_equal(g.bad + g.late + g.gaps, 0);
}

static void open_flags_map_to_actions(void **state)
{
    struct got g;

    (void)state;
    feed(SC(1, 257, "ffffff9c", "401", 1, "yes") CWD(1, "/") PATHR(1, 0, "\"/l\"", "NORMAL")
             SC(2, 257, "ffffff9c", "2", 1, "no") CWD(2, "/") PATHR(2, 0, "\"/m\"", "NORMAL")
                 SC(3, 2, "7ffd", "0", 2, "yes") CWD(3, "/") PATHR(3, 0, "\"/\"", "PARENT")
                     PATHR(3, 1, "\"/n\"", "CREATE"),
         16, NULL, &g);
    assert_int_equal(g.count, 3);
    assert_int_equal(g.actions[0], SHO_ACT_APPEND);
    assert_int_equal(g.actions[1], SHO_ACT_READ | SHO_ACT_WRITE);
    assert_int_equal(g.outcome[1], SHO_OUTCOME_FAILURE);
    /* open(2): flags in a1 (7ffd0000: O_RDONLY bits 0), the CREATE item is the file */
    assert_string_equal(g.path[2], "/n");
    assert_true(g.actions[2] & SHO_ACT_CREATE);
}

static void hex_names_and_enriched_user(void **state)
{
    struct got g;

    (void)state;
    /* name=2F612062 is "/a b"; ENRICHED fields follow a 0x1D byte. */
    feed("type=SYSCALL msg=audit(1700000000.100:9): arch=c000003e syscall=90 success=yes exit=0 "
         "a0=1 a1=1a4 a2=0 a3=0 items=1 pid=1 auid=1001 uid=1001 ses=1 comm=\"chmod\" "
         "exe=\"/bin/chmod\"\x1d"
         "ARCH=x86_64 SYSCALL=chmod AUID=\"tanaka\" UID=\"tanaka\"\n" CWD(9, "/")
             PATHR(9, 0, "2F612062", "NORMAL"),
         16, NULL, &g);
    assert_int_equal(g.count, 1);
    assert_string_equal(g.path[0], "/a b");
    assert_string_equal(g.user[0], "tanaka");
    assert_int_equal(g.actions[0], SHO_ACT_PERM_CHANGE);
}

static void uid_map_names_raw_records(void **state)
{
    static const char passwd[] =
        "# users\nroot:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/:/bin/sh\n"
        "alice2:x:1000:1000::/:/bin/sh\n";
    struct uid_map *m = NULL;
    struct got g;

    (void)state;
    assert_int_equal(uid_map_parse(passwd, sizeof(passwd) - 1, "passwd", &m, NULL), 0);
    assert_string_equal(uid_map_get(m, 1000), "alice"); /* the first line wins */
    assert_null(uid_map_get(m, 7));
    feed(SC(1, 59, "0", "0", 1, "yes") CWD(1, "/") PATHR(1, 0, "\"/bin/ls\"", "NORMAL"), 16, m, &g);
    assert_string_equal(g.user[0], "alice");
    assert_int_equal(g.actions[0], SHO_ACT_EXECUTE);
    uid_map_free(m);
}

static void uid_map_rejects_bad_lines(void **state)
{
    static const char bad[] = "root:x:0:0\nbroken line\n";
    struct uid_map *m = NULL;
    struct sho_err err;

    (void)state;
    assert_int_equal(uid_map_parse(bad, sizeof(bad) - 1, "pw", &m, &err), SHO_EINVAL);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_null(m);
}

static void late_record_and_bad_line(void **state)
{
    struct got g;

    (void)state;
    feed(SC(5, 257, "ffffff9c", "0", 1, "yes") CWD(5, "/") PATHR(5, 0, "\"/f\"", "NORMAL")
             PATHR(5, 0, "\"/f\"", "NORMAL") "garbage\n"
                                             "type=PATH msg=audit(17.1:x): item=0\n",
         16, NULL, &g);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.late, 1);
    assert_int_equal(g.bad, 2);
}

static void full_table_completes_the_oldest(void **state)
{
    struct got g;

    (void)state;
    /* Three SYSCALLs waiting for their PATH records, two slots: the first is emitted without. */
    feed(SC(1, 87, "0", "0", 1, "yes") SC(2, 87, "0", "0", 1, "yes") SC(3, 87, "0", "0", 1, "yes")
             CWD(2, "/") PATHR(2, 0, "\"/two\"", "DELETE") CWD(3, "/")
                 PATHR(3, 0, "\"/three\"", "DELETE") PATHR(1, 0, "\"/one\"", "DELETE"),
         2, NULL, &g);
    assert_int_equal(g.count, 3);
    assert_string_equal(g.path[0], "-");
    assert_int_equal(g.late, 1); /* the PATH of event 1 came after it was emitted */
    assert_string_equal(g.path[1], "/two");
    assert_string_equal(g.path[2], "/three");
}

static void serial_gaps_fill_and_restart(void **state)
{
    struct got g;

    (void)state;
    /* 10, 14, 12: gaps 11 and 13 remain; then 5000000 -> 3 is a restart. */
    feed("type=USER_END msg=audit(1700000000.000:10): pid=1\n"
         "type=USER_END msg=audit(1700000000.000:14): pid=1\n"
         "type=USER_END msg=audit(1700000000.000:12): pid=1\n",
         16, NULL, &g);
    assert_int_equal(g.gaps, 2);
    feed("type=USER_END msg=audit(1700000000.000:5000000): pid=1\n"
         "type=USER_END msg=audit(1700000001.000:3): pid=1\n",
         16, NULL, &g);
    assert_int_equal(g.gaps, 1);
    assert_non_null(strstr(g.last_problem, "went back"));
    feed("type=USER_END msg=audit(1700000000.000:4294967295): pid=1\n"
         "type=USER_END msg=audit(1700000001.000:1): pid=1\n",
         16, NULL, &g);
    assert_int_equal(g.gaps, 1);
    assert_non_null(strstr(g.last_problem, "wrapped around"));
    assert_non_null(strstr(g.last_problem, "(0 serials missing)"));
}

static void dirfd_relative_name_is_kept(void **state)
{
    struct got g;

    (void)state;
    feed(SC(1, 263, "5", "0", 1, "yes") CWD(1, "/home") PATHR(1, 0, "\"rel.txt\"", "DELETE"), 16,
         NULL, &g);
    assert_string_equal(g.path[0], "rel.txt");
}

static void dot_dot_at_the_root(void **state)
{
    struct got g;

    (void)state;
    feed(SC(1, 87, "0", "0", 1, "yes") CWD(1, "/") PATHR(1, 0, "\"/../..\"", "DELETE")
             SC(2, 87, "0", "0", 1, "yes") CWD(2, "/a") PATHR(2, 0, "\"../../b/\"", "DELETE"),
         16, NULL, &g);
    assert_int_equal(g.count, 2);
    assert_string_equal(g.path[0], "/");
    assert_string_equal(g.path[1], "/b");
}

static void stamp_and_detection(void **state)
{
    char stamp[64];
    static const char rec[] = "node=a type=CWD msg=audit(1.002:33): cwd=\"/\"";

    (void)state;
    assert_true(auditd_is_record(rec, sizeof(rec) - 1));
    assert_false(auditd_is_record("type=CWD cwd=/", 14));
    assert_int_equal(auditd_stamp(rec, sizeof(rec) - 1, stamp, sizeof(stamp)), 8);
    assert_string_equal(stamp, "1.002:33");
}

static void zones(void **state)
{
    struct sho_tzone z;
    struct sho_err err;

    (void)state;
    assert_int_equal(sho_tzone_load(&z, "+09:00", NULL), 0);
    assert_int_equal(sho_tzone_to_utc(&z, (int64_t)9 * 3600), 0);
    sho_tzone_release(&z);
    assert_int_equal(sho_tzone_load(&z, "-0530", NULL), 0);
    assert_int_equal(sho_tzone_to_utc(&z, 0), 5 * 3600 + 1800);
    sho_tzone_release(&z);
    assert_int_equal(sho_tzone_load(&z, "+25:00", &err), SHO_EINVAL);
    assert_int_equal(sho_tzone_load(&z, "../etc/passwd", &err), SHO_EINVAL);
    if (sho_tzone_load(&z, "Europe/Berlin", NULL) != 0) {
        skip(); /* no tzdata installed */
    }
    /* 2024-07-01 12:00 CEST = 10:00Z; 2024-01-01 12:00 CET = 11:00Z */
    assert_int_equal(sho_tzone_to_utc(&z, 1719835200), 1719835200 - 7200);
    assert_int_equal(sho_tzone_to_utc(&z, 1704110400), 1704110400 - 3600);
    sho_tzone_release(&z);
}

static void samba_specs(void **state)
{
    struct samba_spec s;
    struct sho_err err;

    (void)state;
    assert_int_equal(samba_spec_parse(&s, NULL, NULL), 0);
    assert_int_equal(s.count, 7);
    assert_true(
        samba_is_line(&s, "Jan  5 01:02:03 h smbd_audit[1]: u|1.2.3.4|m|sh|openat|ok|r|f", 61));
    assert_false(samba_is_line(&s, "Jan  5 01:02:03 h CRON[1]: (root) CMD (x)", 41));
    samba_spec_release(&s);
    assert_int_equal(samba_spec_parse(&s, "%u%I", &err), SHO_EINVAL);
    assert_int_equal(samba_spec_parse(&s, "IP=%I | USER=%u | 100%% | VOLUME=%S", NULL), 0);
    assert_string_equal(s.piece[4].text, " | 100% | VOLUME=");
    assert_true(samba_is_line(
        &s, "Mar  3 10:11:12 nas smbd_audit: IP=10.1.1.9 | USER=bob | 100% | VOLUME=d|pwrite|ok|f",
        84));
    samba_spec_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(joins_out_of_order_and_resolves_cwd),
        cmocka_unit_test(open_flags_map_to_actions),
        cmocka_unit_test(hex_names_and_enriched_user),
        cmocka_unit_test(uid_map_names_raw_records),
        cmocka_unit_test(uid_map_rejects_bad_lines),
        cmocka_unit_test(late_record_and_bad_line),
        cmocka_unit_test(full_table_completes_the_oldest),
        cmocka_unit_test(serial_gaps_fill_and_restart),
        cmocka_unit_test(dirfd_relative_name_is_kept),
        cmocka_unit_test(dot_dot_at_the_root),
        cmocka_unit_test(stamp_and_detection),
        cmocka_unit_test(zones),
        cmocka_unit_test(samba_specs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
