/*
 * test_event_render: the public renderings of a normalized event. JSON
 * (sho_event_to_json, sho_json_append_string: key order, omitted unknowns,
 * number and hex spelling, escaping, bad UTF-8), the action and outcome
 * vocabularies, format names, and the streaming writers: CSV (column order,
 * RFC 4180 quoting, the Excel flavour, header with no events), JSON lines, the
 * aligned table (East Asian wide characters take two columns) and write
 * errors. Output is captured in memory and compared byte for byte.
 */
#include "unit.h"

#include "shoseki/common.h"
#include "shoseki/event.h"

#define CSV_HEADER                                                                                 \
    "time,host,channel,provider,event_id,record_id,user_sid,user,domain,logon_id,actions,"         \
    "outcome,object_type,path,process,process_id,client_ip,share,share_local_path,access_mask,"    \
    "handle_id,logon_type,source,source_offset"
#define CSV_COLUMNS 24

/* An event with every field known. */
static void full_event(struct sho_event *ev)
{
    sho_event_clear(ev);
    ev->has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID | SHO_HAS_LOGON_ID |
              SHO_HAS_PROCESS_ID | SHO_HAS_ACCESS_MASK | SHO_HAS_HANDLE_ID | SHO_HAS_LOGON_TYPE |
              SHO_HAS_SOURCE_OFFSET;
    ev->time = 133600370251234567ULL;
    ev->host = "FS01";
    ev->channel = "Security";
    ev->provider = "Microsoft-Windows-Security-Auditing";
    ev->event_id = 4663;
    ev->record_id = 4988;
    ev->user_sid = "S-1-5-21-1-2-3-1001";
    ev->user = "tanaka";
    ev->domain = "CORP";
    ev->logon_id = 0xFFA8;
    ev->actions = SHO_ACT_DELETE | SHO_ACT_READ | SHO_ACT_WRITE;
    ev->outcome = SHO_OUTCOME_SUCCESS;
    ev->object_type = "File";
    ev->path = "C:\\Share\\a.txt";
    ev->process = "C:\\Windows\\explorer.exe";
    ev->process_id = 4940;
    ev->client_ip = "192.0.2.41";
    ev->share = "Share";
    ev->share_local_path = "\\??\\C:\\Share";
    ev->access_mask = 0x12019F;
    ev->handle_id = 0x50;
    ev->logon_type = 3;
    ev->source = "/cases/Security.evtx";
    ev->source_offset = 69632;
}

static const char full_json[] =
    "{\"time\":\"2024-05-13T01:23:45.1234567Z\",\"host\":\"FS01\",\"channel\":\"Security\","
    "\"provider\":\"Microsoft-Windows-Security-Auditing\",\"event_id\":4663,\"record_id\":4988,"
    "\"user_sid\":\"S-1-5-21-1-2-3-1001\",\"user\":\"tanaka\",\"domain\":\"CORP\","
    "\"logon_id\":\"0xffa8\",\"actions\":[\"read\",\"write\",\"delete\"],\"outcome\":\"success\","
    "\"object_type\":\"File\",\"path\":\"C:\\\\Share\\\\a.txt\","
    "\"process\":\"C:\\\\Windows\\\\explorer.exe\",\"process_id\":4940,"
    "\"client_ip\":\"192.0.2.41\",\"share\":\"Share\",\"share_local_path\":\"\\\\??\\\\C:"
    "\\\\Share\","
    "\"access_mask\":\"0x12019f\",\"handle_id\":\"0x50\",\"logon_type\":3,"
    "\"source\":\"/cases/Security.evtx\",\"source_offset\":69632}";

#define FULL_CSV_ROW                                                                               \
    "2024-05-13T01:23:45.1234567Z,FS01,Security,Microsoft-Windows-Security-Auditing,4663,4988,"    \
    "S-1-5-21-1-2-3-1001,tanaka,CORP,0xffa8,read write delete,success,File,C:\\Share\\a.txt,"      \
    "C:\\Windows\\explorer.exe,4940,192.0.2.41,Share,\\??\\C:\\Share,0x12019f,0x50,3,"             \
    "/cases/Security.evtx,69632"

/* The JSON of `ev` (with `flags`) into `out`, asserting success. */
static void to_json(const struct sho_event *ev, unsigned flags, struct sho_buf *out)
{
    sho_buf_init(out, 1 << 20);
    assert_int_equal(sho_event_to_json(ev, flags, out), 0);
    assert_non_null(out->data);
}

static void json_string_is(const char *in, const char *want)
{
    struct sho_buf b;

    sho_buf_init(&b, 4096);
    assert_int_equal(sho_json_append_string(&b, in), 0);
    assert_string_equal(b.data, want);
    sho_buf_release(&b);
}

/* ---- JSON --------------------------------------------------------------------------- */

static void json_full_event_exact(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    full_event(&ev);
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, full_json);
    sho_buf_release(&b);
}

static void json_ref_only_with_flag(void **state)
{
    struct sho_event ev;
    struct sho_buf b;
    char want[sizeof(full_json) + 64];

    (void)state;
    full_event(&ev);
    ev.ref = "a1b2:7";
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, full_json);
    sho_buf_release(&b);

    to_json(&ev, SHO_WRITER_REF, &b);
    (void)snprintf(want, sizeof(want), "%.*s,\"ref\":\"a1b2:7\"}", (int)(sizeof(full_json) - 2),
                   full_json);
    assert_string_equal(b.data, want);
    sho_buf_release(&b);
}

static void json_unknown_keys_omitted(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    sho_event_clear(&ev);
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, "{}");
    sho_buf_release(&b);

    /* Values without their `has` bit are unknown, however they are set. */
    ev.event_id = 4663;
    ev.record_id = 5;
    ev.time = 1;
    ev.process_id = 4;
    ev.source_offset = 4096;
    ev.host = "H";
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, "{\"host\":\"H\"}");
    sho_buf_release(&b);

    /* Known zeroes are printed. */
    sho_event_clear(&ev);
    ev.has = SHO_HAS_EVENT_ID | SHO_HAS_HANDLE_ID | SHO_HAS_PROCESS_ID;
    ev.path = "";
    to_json(&ev, 0, &b);
    assert_string_equal(b.data,
                        "{\"event_id\":0,\"path\":\"\",\"process_id\":0,\"handle_id\":\"0x0\"}");
    sho_buf_release(&b);
}

static void json_numbers_unquoted_ids_hex(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    sho_event_clear(&ev);
    ev.has = SHO_HAS_RECORD_ID | SHO_HAS_LOGON_ID | SHO_HAS_ACCESS_MASK | SHO_HAS_HANDLE_ID |
             SHO_HAS_LOGON_TYPE;
    ev.record_id = UINT64_MAX;
    ev.logon_id = 0x21FCB6;
    ev.access_mask = 0xABCDEF0123ULL;
    ev.handle_id = UINT64_MAX;
    ev.logon_type = 10;
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, "{\"record_id\":18446744073709551615,\"logon_id\":\"0x21fcb6\","
                                "\"access_mask\":\"0xabcdef0123\","
                                "\"handle_id\":\"0xffffffffffffffff\",\"logon_type\":10}");
    sho_buf_release(&b);
}

static void json_actions_in_bit_order(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    sho_event_clear(&ev);
    ev.actions = SHO_ACT_DEVICE_CONNECT | SHO_ACT_LOG_CLEARED | SHO_ACT_READ | SHO_ACT_READ_ATTR;
    to_json(&ev, 0, &b);
    assert_string_equal(
        b.data, "{\"actions\":[\"read\",\"read-attributes\",\"log-cleared\",\"device-connect\"]}");
    sho_buf_release(&b);

    ev.actions = (1u << SHO_ACTION_COUNT) - 1;
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, "{\"actions\":[\"read\",\"write\",\"append\",\"delete\",\"rename\","
                                "\"create\",\"execute\",\"list\",\"read-attributes\","
                                "\"write-attributes\",\"permission-change\",\"owner-change\","
                                "\"share-connect\",\"logon\",\"logoff\",\"log-cleared\","
                                "\"audit-policy-change\",\"device-connect\"]}");
    sho_buf_release(&b);
}

static void json_outcome_failure(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    sho_event_clear(&ev);
    ev.outcome = SHO_OUTCOME_FAILURE;
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, "{\"outcome\":\"failure\"}");
    sho_buf_release(&b);
}

static void json_escapes_quotes_backslashes_controls(void **state)
{
    (void)state;
    json_string_is("plain", "\"plain\"");
    json_string_is("", "\"\"");
    json_string_is("say \"hi\"", "\"say \\\"hi\\\"\"");
    json_string_is("C:\\dir\\f", "\"C:\\\\dir\\\\f\"");
    json_string_is("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    json_string_is("\x01\x1f\x08\x0c", "\"\\u0001\\u001f\\u0008\\u000c\"");
    json_string_is("/</>", "\"/</>\"");
}

static void json_invalid_utf8_replaced(void **state)
{
    struct sho_buf b;

    (void)state;
    json_string_is("a\xFF"
                   "b",
                   "\"a\xEF\xBF\xBD"
                   "b\"");
    json_string_is("\x80", "\"\xEF\xBF\xBD\"");
    /* Overlong "/" and a UTF-16 surrogate are not UTF-8 either. */
    json_string_is("\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    json_string_is("\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    json_string_is("\xF5\x80\x80\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");

    /* A sequence cut short by the end of the string: valid output, nothing read past it. */
    sho_buf_init(&b, 4096);
    assert_int_equal(sho_json_append_string(&b, "x\xE7\x94"), 0);
    assert_true(unit_is_utf8(b.data, b.len));
    assert_memory_equal(b.data, "\"x\xEF\xBF\xBD", 5);
    assert_int_equal(b.data[b.len - 1], '"');
    assert_null(strstr(b.data, "\xE7\x94"));
    sho_buf_release(&b);

    sho_buf_init(&b, 4096);
    assert_int_equal(sho_json_append_string(&b, "\xF0\x9F\x98"), 0);
    assert_true(unit_is_utf8(b.data, b.len));
    assert_null(strchr(b.data, '\xF0'));
    sho_buf_release(&b);
}

static void json_valid_utf8_kept(void **state)
{
    (void)state;
    json_string_is("田中太郎", "\"田中太郎\"");
    json_string_is("C:\\共有\\個人番号一覧.xlsx", "\"C:\\\\共有\\\\個人番号一覧.xlsx\"");
    json_string_is("\xC3\xA9", "\"\xC3\xA9\"");                 /* é */
    json_string_is("\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\""); /* 4-byte emoji */
    json_string_is("\xEF\xBF\xBD", "\"\xEF\xBF\xBD\"");         /* U+FFFD itself */
}

static void json_event_with_hostile_strings(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    sho_event_clear(&ev);
    ev.user = "\"田中\"\n";
    ev.path = "C:\\bad\xFF.txt";
    to_json(&ev, 0, &b);
    assert_string_equal(b.data, "{\"user\":\"\\\"田中\\\"\\n\","
                                "\"path\":\"C:\\\\bad\xEF\xBF\xBD.txt\"}");
    assert_true(unit_is_utf8(b.data, b.len));
    sho_buf_release(&b);
}

static void json_limit_reported(void **state)
{
    struct sho_event ev;
    struct sho_buf b;

    (void)state;
    full_event(&ev);
    sho_buf_init(&b, 64);
    assert_int_equal(sho_event_to_json(&ev, 0, &b), SHO_ELIMIT);
    assert_true(b.len <= 64);
    sho_buf_release(&b);
}

/* ---- vocabularies ------------------------------------------------------------------- */

static void action_names_and_parse(void **state)
{
    static const char *const names[SHO_ACTION_COUNT] = {
        "read",
        "write",
        "append",
        "delete",
        "rename",
        "create",
        "execute",
        "list",
        "read-attributes",
        "write-attributes",
        "permission-change",
        "owner-change",
        "share-connect",
        "logon",
        "logoff",
        "log-cleared",
        "audit-policy-change",
        "device-connect",
    };
    unsigned i;

    (void)state;
    for (i = 0; i < SHO_ACTION_COUNT; i++) {
        assert_string_equal(sho_action_name(i), names[i]);
        assert_int_equal(sho_action_parse(names[i]), 1u << i);
    }
    assert_null(sho_action_name(SHO_ACTION_COUNT));
    assert_null(sho_action_name(1000));
    assert_int_equal(sho_action_parse("READ"), 0);
    assert_int_equal(sho_action_parse(""), 0);
    assert_int_equal(sho_action_parse("read "), 0);
    assert_int_equal(sho_action_parse("delete_or_rename"), 0);
    assert_int_equal(sho_action_parse("readx"), 0);
    /* The enum agrees with the names. */
    assert_int_equal(sho_action_parse("permission-change"), SHO_ACT_PERM_CHANGE);
    assert_int_equal(sho_action_parse("device-connect"), SHO_ACT_DEVICE_CONNECT);
    assert_int_equal(sho_action_parse("read-attributes"), SHO_ACT_READ_ATTR);
}

static void outcome_names(void **state)
{
    (void)state;
    assert_string_equal(sho_outcome_name(SHO_OUTCOME_SUCCESS), "success");
    assert_string_equal(sho_outcome_name(SHO_OUTCOME_FAILURE), "failure");
    assert_null(sho_outcome_name(SHO_OUTCOME_UNKNOWN));
}

static void format_names(void **state)
{
    enum sho_event_format f = SHO_FORMAT_TABLE;

    (void)state;
    assert_int_equal(sho_event_format_parse("jsonl", &f), 0);
    assert_int_equal(f, SHO_FORMAT_JSONL);
    f = SHO_FORMAT_TABLE;
    assert_int_equal(sho_event_format_parse("json", &f), 0);
    assert_int_equal(f, SHO_FORMAT_JSONL);
    assert_int_equal(sho_event_format_parse("csv", &f), 0);
    assert_int_equal(f, SHO_FORMAT_CSV);
    assert_int_equal(sho_event_format_parse("table", &f), 0);
    assert_int_equal(f, SHO_FORMAT_TABLE);
    assert_int_equal(sho_event_format_parse("", &f), SHO_EINVAL);
    assert_int_equal(sho_event_format_parse("xml", &f), SHO_EINVAL);
    assert_int_equal(sho_event_format_parse("csvx", &f), SHO_EINVAL);
    assert_int_equal(sho_event_format_parse("jsonl ", &f), SHO_EINVAL);
}

static void event_clear_empties(void **state)
{
    struct sho_event ev;

    (void)state;
    full_event(&ev);
    ev.ref = "r";
    sho_event_clear(&ev);
    assert_int_equal(ev.has, 0);
    assert_int_equal(ev.actions, 0);
    assert_int_equal(ev.outcome, SHO_OUTCOME_UNKNOWN);
    assert_null(ev.host);
    assert_null(ev.path);
    assert_null(ev.user);
    assert_null(ev.source);
    assert_null(ev.ref);
}

/* ---- writers ------------------------------------------------------------------------ */

/* Run `count` events through a writer and return the output (caller closes `cap`). */
static const char *write_events(struct unit_capture *cap, enum sho_event_format format,
                                unsigned flags, const struct sho_event *evs, size_t count)
{
    struct sho_event_writer *w;
    struct sho_err err;
    size_t i;

    unit_capture_open(cap);
    w = sho_event_writer_new(cap->fp, format, flags);
    assert_non_null(w);
    sho_err_clear(&err);
    for (i = 0; i < count; i++) {
        assert_int_equal(sho_event_writer_put(w, &evs[i], &err), 0);
    }
    assert_int_equal(sho_event_writer_finish(w, &err), 0);
    sho_event_writer_free(w);
    return unit_capture_text(cap);
}

static void csv_header_with_no_events(void **state)
{
    struct unit_capture cap;

    (void)state;
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, 0, NULL, 0), CSV_HEADER "\n");
    unit_capture_close(&cap);
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, SHO_WRITER_REF, NULL, 0),
                        CSV_HEADER ",ref\n");
    unit_capture_close(&cap);
}

static void csv_full_row(void **state)
{
    struct unit_capture cap;
    struct sho_event evs[2];

    (void)state;
    full_event(&evs[0]);
    full_event(&evs[1]);
    /* The header comes once, not per event. */
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, 0, evs, 2),
                        CSV_HEADER "\n" FULL_CSV_ROW "\n" FULL_CSV_ROW "\n");
    unit_capture_close(&cap);
}

static void csv_unknown_fields_empty(void **state)
{
    struct unit_capture cap;
    struct sho_event ev;
    char want[256];
    size_t n;
    int i;

    (void)state;
    sho_event_clear(&ev);
    ev.host = "H";
    n = (size_t)snprintf(want, sizeof(want), "%s\n,H", CSV_HEADER);
    for (i = 2; i < CSV_COLUMNS; i++) {
        want[n++] = ',';
    }
    want[n++] = '\n';
    want[n] = '\0';
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, 0, &ev, 1), want);
    unit_capture_close(&cap);
}

static void csv_quoting_rfc4180(void **state)
{
    struct unit_capture cap;
    struct sho_event ev;
    const char *out, *row;

    (void)state;
    sho_event_clear(&ev);
    ev.host = "a,b";
    ev.channel = "say \"hi\"";
    ev.provider = "line1\nline2";
    ev.user = "cr\rhere";
    ev.domain = "\"";
    ev.path = "C:\\共有\\個人番号一覧.xlsx";
    out = write_events(&cap, SHO_FORMAT_CSV, 0, &ev, 1);
    row = out + strlen(CSV_HEADER "\n");
    assert_string_equal(row, ",\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",,,,\"cr\rhere\","
                             "\"\"\"\",,,,,C:\\共有\\個人番号一覧.xlsx,,,,,,,,,,\n");
    unit_capture_close(&cap);
}

static void csv_excel_bom_and_crlf(void **state)
{
    struct unit_capture cap;
    struct sho_event evs[2];

    (void)state;
    sho_event_clear(&evs[0]);
    evs[0].host = "H1";
    sho_event_clear(&evs[1]);
    evs[1].host = "H2";
    evs[1].path = "a\nb";
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, SHO_WRITER_EXCEL, evs, 2),
                        "\xEF\xBB\xBF" CSV_HEADER "\r\n"
                        ",H1,,,,,,,,,,,,,,,,,,,,,,\r\n"
                        ",H2,,,,,,,,,,,,\"a\nb\",,,,,,,,,,\r\n");
    unit_capture_close(&cap);

    /* With no events the BOM and header still come, once. */
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, SHO_WRITER_EXCEL, NULL, 0),
                        "\xEF\xBB\xBF" CSV_HEADER "\r\n");
    unit_capture_close(&cap);
}

static void csv_ref_column(void **state)
{
    struct unit_capture cap;
    struct sho_event ev;

    (void)state;
    full_event(&ev);
    ev.ref = "x:1";
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, SHO_WRITER_REF, &ev, 1),
                        CSV_HEADER ",ref\n" FULL_CSV_ROW ",x:1\n");
    unit_capture_close(&cap);
    /* Without the flag the ref is not printed even when set. */
    assert_string_equal(write_events(&cap, SHO_FORMAT_CSV, 0, &ev, 1),
                        CSV_HEADER "\n" FULL_CSV_ROW "\n");
    unit_capture_close(&cap);
}

static void jsonl_one_object_per_line(void **state)
{
    struct unit_capture cap;
    struct sho_event evs[2];
    char want[2 * sizeof(full_json) + 32];

    (void)state;
    full_event(&evs[0]);
    sho_event_clear(&evs[1]);
    evs[1].host = "H";
    (void)snprintf(want, sizeof(want), "%s\n{\"host\":\"H\"}\n", full_json);
    assert_string_equal(write_events(&cap, SHO_FORMAT_JSONL, 0, evs, 2), want);
    unit_capture_close(&cap);
    assert_string_equal(write_events(&cap, SHO_FORMAT_JSONL, 0, NULL, 0), "");
    unit_capture_close(&cap);
}

/* Append `cell` and `pad` spaces to `b`. */
static void cell(struct sho_buf *b, const char *text, int pad)
{
    assert_int_equal(sho_buf_appendf(b, "%s%*s", text, pad, ""), 0);
}

static void table_aligned_with_wide_characters(void **state)
{
    struct unit_capture cap;
    struct sho_event evs[3];
    struct sho_buf want;

    (void)state;
    sho_event_clear(&evs[0]);
    evs[0].has = SHO_HAS_TIME | SHO_HAS_EVENT_ID;
    evs[0].time = 133600370251234567ULL;
    evs[0].host = "FS01";
    evs[0].event_id = 4663;
    evs[0].domain = "CORP";
    evs[0].user = "tanaka";
    evs[0].actions = SHO_ACT_READ;
    evs[0].outcome = SHO_OUTCOME_SUCCESS;
    evs[0].path = "C:\\a.txt";
    sho_event_clear(&evs[1]);
    evs[1].has = SHO_HAS_EVENT_ID;
    evs[1].host = "WS1";
    evs[1].event_id = 5145;
    evs[1].domain = "営業";
    evs[1].user = "田中";
    evs[1].actions = SHO_ACT_READ | SHO_ACT_WRITE;
    evs[1].outcome = SHO_OUTCOME_FAILURE;
    evs[1].path = "\\\\FS01\\共有\\b.txt";
    sho_event_clear(&evs[2]);

    /* Widths: TIME 28, HOST 4, EVENT 5, USER 11 ("CORP\tanaka"; "営業\田中" is 9 columns
     * in 13 bytes), ACTIONS 10, OUTCOME 7; two spaces between columns; PATH unpadded. */
    sho_buf_init(&want, 4096);
    cell(&want, "TIME", 26);
    cell(&want, "HOST", 2);
    cell(&want, "EVENT", 2);
    cell(&want, "USER", 9);
    cell(&want, "ACTIONS", 5);
    cell(&want, "OUTCOME", 2);
    cell(&want, "PATH\n", 0);
    cell(&want, "2024-05-13T01:23:45.1234567Z", 2);
    cell(&want, "FS01", 2);
    cell(&want, "4663", 3);
    cell(&want, "CORP\\tanaka", 2);
    cell(&want, "read", 8);
    cell(&want, "success", 2);
    cell(&want, "C:\\a.txt\n", 0);
    cell(&want, "-", 29);
    cell(&want, "WS1", 3);
    cell(&want, "5145", 3);
    cell(&want, "営業\\田中", 4);
    cell(&want, "read write", 2);
    cell(&want, "failure", 2);
    cell(&want, "\\\\FS01\\共有\\b.txt\n", 0);
    cell(&want, "-", 29);
    cell(&want, "-", 5);
    cell(&want, "-", 6);
    cell(&want, "-", 12);
    cell(&want, "-", 11);
    cell(&want, "-", 8);
    cell(&want, "-\n", 0);
    assert_string_equal(write_events(&cap, SHO_FORMAT_TABLE, 0, evs, 3), want.data);
    unit_capture_close(&cap);
    sho_buf_release(&want);
}

static void table_user_falls_back(void **state)
{
    struct unit_capture cap;
    struct sho_event evs[2];
    struct sho_buf want;

    (void)state;
    sho_event_clear(&evs[0]);
    evs[0].user = "alone";
    sho_event_clear(&evs[1]);
    evs[1].user_sid = "S-1-5-18";
    evs[1].domain = "NT AUTHORITY";
    /* Widths: TIME 4, HOST 4, EVENT 5, USER 8, ACTIONS 7, OUTCOME 7. */
    sho_buf_init(&want, 4096);
    cell(&want, "TIME", 2);
    cell(&want, "HOST", 2);
    cell(&want, "EVENT", 2);
    cell(&want, "USER", 6);
    cell(&want, "ACTIONS", 2);
    cell(&want, "OUTCOME", 2);
    cell(&want, "PATH\n", 0);
    cell(&want, "-", 5);
    cell(&want, "-", 5);
    cell(&want, "-", 6);
    cell(&want, "alone", 5);
    cell(&want, "-", 8);
    cell(&want, "-", 8);
    cell(&want, "-\n", 0);
    cell(&want, "-", 5);
    cell(&want, "-", 5);
    cell(&want, "-", 6);
    cell(&want, "S-1-5-18", 2);
    cell(&want, "-", 8);
    cell(&want, "-", 8);
    cell(&want, "-\n", 0);
    assert_string_equal(write_events(&cap, SHO_FORMAT_TABLE, 0, evs, 2), want.data);
    unit_capture_close(&cap);
    sho_buf_release(&want);
}

static void writer_reports_write_errors(void **state)
{
    struct sho_event_writer *w;
    struct sho_event ev;
    struct sho_err err;
    FILE *ro, *full;

    (void)state;
    full_event(&ev);
    /* A stream that refuses writes: the row cannot be written. */
    ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    w = sho_event_writer_new(ro, SHO_FORMAT_JSONL, 0);
    sho_err_clear(&err);
    assert_int_equal(sho_event_writer_put(w, &ev, &err), SHO_EIO);
    assert_int_equal(err.code, SHO_EIO);
    assert_string_equal(err.path, "<stdout>");
    sho_event_writer_free(w);
    w = sho_event_writer_new(ro, SHO_FORMAT_CSV, 0);
    sho_err_clear(&err);
    assert_int_equal(sho_event_writer_put(w, &ev, &err), SHO_EIO);
    sho_event_writer_free(w);
    (void)fclose(ro);

    /* A full device: buffered writes pass, the flush at finish fails. */
    full = fopen("/dev/full", "w");
    if (full == NULL) {
        return;
    }
    w = sho_event_writer_new(full, SHO_FORMAT_CSV, 0);
    sho_err_clear(&err);
    assert_int_equal(sho_event_writer_finish(w, &err), SHO_EIO);
    assert_string_equal(err.path, "<stdout>");
    sho_event_writer_free(w);
    (void)fclose(full);
}

static void writer_free_null(void **state)
{
    (void)state;
    sho_event_writer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_full_event_exact),
        cmocka_unit_test(json_ref_only_with_flag),
        cmocka_unit_test(json_unknown_keys_omitted),
        cmocka_unit_test(json_numbers_unquoted_ids_hex),
        cmocka_unit_test(json_actions_in_bit_order),
        cmocka_unit_test(json_outcome_failure),
        cmocka_unit_test(json_escapes_quotes_backslashes_controls),
        cmocka_unit_test(json_invalid_utf8_replaced),
        cmocka_unit_test(json_valid_utf8_kept),
        cmocka_unit_test(json_event_with_hostile_strings),
        cmocka_unit_test(json_limit_reported),
        cmocka_unit_test(action_names_and_parse),
        cmocka_unit_test(outcome_names),
        cmocka_unit_test(format_names),
        cmocka_unit_test(event_clear_empties),
        cmocka_unit_test(csv_header_with_no_events),
        cmocka_unit_test(csv_full_row),
        cmocka_unit_test(csv_unknown_fields_empty),
        cmocka_unit_test(csv_quoting_rfc4180),
        cmocka_unit_test(csv_excel_bom_and_crlf),
        cmocka_unit_test(csv_ref_column),
        cmocka_unit_test(jsonl_one_object_per_line),
        cmocka_unit_test(table_aligned_with_wide_characters),
        cmocka_unit_test(table_user_falls_back),
        cmocka_unit_test(writer_reports_write_errors),
        cmocka_unit_test(writer_free_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
