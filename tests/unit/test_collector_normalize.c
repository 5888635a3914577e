/*
 * test_collector_normalize: the collector's record pipeline on Event XML as
 * libevtx renders it: evtx_xml_parse (collector/evtx_xml.h) into a winrec,
 * then normalizer_run (collector/normalize.h) into a normalized event. One
 * case per event family of the reference (Security object access and handle
 * correlation, shares, logons, integrity events, Sysmon, Eventlog), the
 * default filter and its --all-objects / --all-events widenings, Japanese
 * text, and malformed or dirty XML.
 */
#include "unit.h"

#include "evtx_xml.h"
#include "normalize.h"
#include "shoseki/event.h"
#include "winrec.h"

#define PROV_SECURITY "Microsoft-Windows-Security-Auditing"
#define PROV_SYSMON   "Microsoft-Windows-Sysmon"
#define PROV_EVENTLOG "Microsoft-Windows-Eventlog"
#define CH_SYSMON     "Microsoft-Windows-Sysmon/Operational"
#define KW_SUCCESS    "0x8020000000000000"
#define KW_FAILURE    "0x8010000000000000"
#define HANDLE_MAX    1024

#define IEUSER_SID "S-1-5-21-3583694148-1414552638-2922671848-1000"
#define OPERA_PATH "C:\\Users\\IEUser\\AppData\\Roaming\\Opera Software\\Opera Stable\\Login Data"

/* The libevtx rendering of a real 4663 (EVTX-ATTACK-SAMPLES), byte for byte. */
static const char xml_4663[] =
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
    "  <System>\n"
    "    <Provider Name=\"Microsoft-Windows-Security-Auditing\" "
    "Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"/>\n"
    "    <EventID>4663</EventID>\n"
    "    <Version>0</Version>\n"
    "    <Level>0</Level>\n"
    "    <Task>12800</Task>\n"
    "    <Opcode>0</Opcode>\n"
    "    <Keywords>0x8020000000000000</Keywords>\n"
    "    <TimeCreated SystemTime=\"2019-04-27T19:31:15.355063000Z\"/>\n"
    "    <EventRecordID>4988</EventRecordID>\n"
    "    <Correlation/>\n"
    "    <Execution ProcessID=\"4\" ThreadID=\"68\"/>\n"
    "    <Channel>Security</Channel>\n"
    "    <Computer>IEWIN7</Computer>\n"
    "    <Security/>\n"
    "  </System>\n"
    "  <EventData>\n"
    "    <Data Name=\"SubjectUserSid\">S-1-5-21-3583694148-1414552638-2922671848-1000</Data>\n"
    "    <Data Name=\"SubjectUserName\">IEUser</Data>\n"
    "    <Data Name=\"SubjectDomainName\">IEWIN7</Data>\n"
    "    <Data Name=\"SubjectLogonId\">0x000000000000ffa8</Data>\n"
    "    <Data Name=\"ObjectServer\">Security</Data>\n"
    "    <Data Name=\"ObjectType\">File</Data>\n"
    "    <Data Name=\"ObjectName\">C:\\Users\\IEUser\\AppData\\Roaming\\Opera Software\\Opera "
    "Stable\\Login Data</Data>\n"
    "    <Data Name=\"HandleId\">0x00000050</Data>\n"
    "    <Data Name=\"AccessList\">%%4416\n"
    "\t\t\t\t</Data>\n"
    "    <Data Name=\"AccessMask\">0x00000001</Data>\n"
    "    <Data Name=\"ProcessId\">0x0000134c</Data>\n"
    "    <Data Name=\"ProcessName\">C:\\Users\\Defau1t\\wsus.exe</Data>\n"
    "  </EventData>\n"
    "</Event>\n";

/* One record to render: the System envelope and either EventData pairs or raw UserData. */
struct rec {
    const char *provider;      /* Provider/@Name */
    unsigned event_id;         /* EventID */
    const char *keywords;      /* Keywords, NULL for KW_SUCCESS */
    const char *channel;       /* Channel, NULL for "Security" */
    const char *computer;      /* Computer, NULL for "FS01" */
    const char *time;          /* SystemTime, NULL for a fixed instant */
    unsigned long long record; /* EventRecordID */
    const char *security_user; /* Security/@UserID, NULL for none */
    const char *const *data;   /* Name, value, ..., NULL (values are XML-escaped) */
    const char *user_data;     /* raw XML inside <UserData>, instead of EventData */
};

struct fixture {
    struct evtx_xml *x;
    struct winrec r;
    struct normalizer *n;
    struct sho_event ev;
    struct sho_buf xml; /* the rendered record */
};

static void xml_text(struct sho_buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        int rc;
        switch (*s) {
        case '&':
            rc = sho_buf_appends(b, "&amp;");
            break;
        case '<':
            rc = sho_buf_appends(b, "&lt;");
            break;
        case '>':
            rc = sho_buf_appends(b, "&gt;");
            break;
        case '"':
            rc = sho_buf_appends(b, "&quot;");
            break;
        default:
            rc = sho_buf_putc(b, *s);
            break;
        }
        assert_int_equal(rc, 0);
    }
}

/* Render `rc` in libevtx's layout (two-space indentation, Guid, Level, Opcode, ...). */
static void render(struct sho_buf *b, const struct rec *rc)
{
    size_t i;

    sho_buf_reset(b);
    assert_int_equal(
        sho_buf_appendf(
            b,
            "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
            "  <System>\n"
            "    <Provider Name=\"%s\" Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"/>\n"
            "    <EventID>%u</EventID>\n"
            "    <Version>0</Version>\n"
            "    <Level>0</Level>\n"
            "    <Task>12800</Task>\n"
            "    <Opcode>0</Opcode>\n"
            "    <Keywords>%s</Keywords>\n"
            "    <TimeCreated SystemTime=\"%s\"/>\n"
            "    <EventRecordID>%llu</EventRecordID>\n"
            "    <Correlation/>\n"
            "    <Execution ProcessID=\"4\" ThreadID=\"68\"/>\n"
            "    <Channel>%s</Channel>\n"
            "    <Computer>%s</Computer>\n",
            rc->provider, rc->event_id, rc->keywords != NULL ? rc->keywords : KW_SUCCESS,
            rc->time != NULL ? rc->time : "2024-05-13T01:23:45.123456700Z", rc->record,
            rc->channel != NULL ? rc->channel : "Security",
            rc->computer != NULL ? rc->computer : "FS01"),
        0);
    if (rc->security_user != NULL) {
        assert_int_equal(sho_buf_appendf(b, "    <Security UserID=\"%s\"/>\n", rc->security_user),
                         0);
    } else {
        assert_int_equal(sho_buf_appends(b, "    <Security/>\n"), 0);
    }
    assert_int_equal(sho_buf_appends(b, "  </System>\n"), 0);
    if (rc->user_data != NULL) {
        assert_int_equal(sho_buf_appendf(b, "  <UserData>\n%s\n  </UserData>\n", rc->user_data), 0);
    } else {
        assert_int_equal(sho_buf_appends(b, "  <EventData>\n"), 0);
        for (i = 0; rc->data != NULL && rc->data[i] != NULL; i += 2) {
            assert_int_equal(sho_buf_appendf(b, "    <Data Name=\"%s\">", rc->data[i]), 0);
            xml_text(b, rc->data[i + 1]);
            assert_int_equal(sho_buf_appends(b, "</Data>\n"), 0);
        }
        assert_int_equal(sho_buf_appends(b, "  </EventData>\n"), 0);
    }
    assert_int_equal(sho_buf_appends(b, "</Event>\n"), 0);
}

static struct fixture *fixture_new(unsigned flags)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    fx->x = evtx_xml_new();
    assert_non_null(fx->x);
    winrec_init(&fx->r);
    fx->n = normalizer_new(flags, HANDLE_MAX);
    assert_non_null(fx->n);
    sho_buf_init(&fx->xml, 1 << 20);
    return fx;
}

static void fixture_free(struct fixture *fx)
{
    normalizer_free(fx->n);
    winrec_release(&fx->r);
    evtx_xml_free(fx->x);
    sho_buf_release(&fx->xml);
    free(fx);
}

/* Parse `xml` (must succeed) and normalize it; returns normalizer_run's verdict. */
static int run_xml(struct fixture *fx, const char *xml, size_t len)
{
    struct sho_err err;
    int rc;

    sho_err_clear(&err);
    rc = evtx_xml_parse(fx->x, xml, len, &fx->r, &err);
    if (rc != 0) {
        fail_msg("evtx_xml_parse: %d %s", rc, err.msg);
    }
    return normalizer_run(fx->n, &fx->r, &fx->ev);
}

static int run(struct fixture *fx, const struct rec *rc)
{
    render(&fx->xml, rc);
    return run_xml(fx, fx->xml.data, fx->xml.len);
}

static void assert_time(const struct sho_event *ev, const char *iso)
{
    char out[SHO_TIME_ISO_MAX];

    assert_true((ev->has & SHO_HAS_TIME) != 0);
    (void)sho_time_format_iso(ev->time, out);
    assert_string_equal(out, iso);
}

/* ---- records used by several tests ------------------------------------------------- */

#define SUBJECT_TANAKA                                                                             \
    "SubjectUserSid", "S-1-5-21-1-2-3-1105", "SubjectUserName", "tanaka", "SubjectDomainName",     \
        "CORP", "SubjectLogonId", "0x4367b"

static const char *const data_4663_fs01[] = {
    SUBJECT_TANAKA,
    "ObjectServer",
    "Security",
    "ObjectType",
    "File",
    "ObjectName",
    "C:\\Share\\jinji\\list.xlsx",
    "HandleId",
    "0x1bc",
    "AccessList",
    "%%1537\n\t\t\t\t",
    "AccessMask",
    "0x10000",
    "ProcessId",
    "0x134c",
    "ProcessName",
    "C:\\Windows\\explorer.exe",
    NULL,
};

static const struct rec rec_4663_fs01 = {
    PROV_SECURITY, 4663, NULL, NULL, NULL, NULL, 100, NULL, data_4663_fs01, NULL,
};

/* A 4660 on (FS01, pid `pid`, handle `handle`): ids as Windows pads them. */
static void run_4660(struct fixture *fx, const char *computer, const char *pid, const char *handle,
                     int want)
{
    const char *const data[] = {
        SUBJECT_TANAKA,
        "ObjectServer",
        "Security",
        "HandleId",
        handle,
        "ProcessId",
        pid,
        "ProcessName",
        "C:\\Windows\\explorer.exe",
        "TransactionId",
        "{00000000-0000-0000-0000-000000000000}",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4660, NULL, NULL, computer, NULL, 101, NULL, data, NULL,
    };

    assert_int_equal(run(fx, &rc), want);
    assert_int_equal(fx->ev.event_id, 4660);
    assert_int_equal(fx->ev.actions, SHO_ACT_DELETE);
}

/* ---- Security: object access ------------------------------------------------------- */

static void sec_4663_read_on_file(void **state)
{
    struct fixture *fx = fixture_new(0);
    const struct sho_event *ev = &fx->ev;

    (void)state;
    assert_int_equal(run_xml(fx, xml_4663, sizeof(xml_4663) - 1), 1);
    assert_time(ev, "2019-04-27T19:31:15.3550630Z");
    assert_str_or_null(ev->host, "IEWIN7");
    assert_str_or_null(ev->channel, "Security");
    assert_str_or_null(ev->provider, PROV_SECURITY);
    assert_true(ev->has & SHO_HAS_EVENT_ID);
    assert_int_equal(ev->event_id, 4663);
    assert_true(ev->has & SHO_HAS_RECORD_ID);
    assert_int_equal(ev->record_id, 4988);
    assert_str_or_null(ev->user_sid, IEUSER_SID);
    assert_str_or_null(ev->user, "IEUser");
    assert_str_or_null(ev->domain, "IEWIN7");
    assert_true(ev->has & SHO_HAS_LOGON_ID);
    assert_int_equal(ev->logon_id, 0xffa8);
    assert_str_or_null(ev->object_type, "File");
    assert_str_or_null(ev->path, OPERA_PATH);
    assert_str_or_null(ev->process, "C:\\Users\\Defau1t\\wsus.exe");
    assert_true(ev->has & SHO_HAS_PROCESS_ID);
    assert_int_equal(ev->process_id, 4940);
    assert_true(ev->has & SHO_HAS_HANDLE_ID);
    assert_int_equal(ev->handle_id, 0x50);
    assert_true(ev->has & SHO_HAS_ACCESS_MASK);
    assert_int_equal(ev->access_mask, 0x1);
    assert_int_equal(ev->actions, SHO_ACT_READ);
    assert_int_equal(ev->outcome, SHO_OUTCOME_SUCCESS);
    assert_null(ev->client_ip);
    assert_null(ev->share);
    assert_false(ev->has & SHO_HAS_LOGON_TYPE);
    fixture_free(fx);
}

static void sec_4663_renders_as_json(void **state)
{
    struct fixture *fx = fixture_new(0);
    struct sho_buf json;

    (void)state;
    assert_int_equal(run_xml(fx, xml_4663, sizeof(xml_4663) - 1), 1);
    sho_buf_init(&json, 1 << 16);
    assert_int_equal(sho_event_to_json(&fx->ev, 0, &json), 0);
    assert_string_equal(
        json.data,
        "{\"time\":\"2019-04-27T19:31:15.3550630Z\",\"host\":\"IEWIN7\",\"channel\":\"Security\","
        "\"provider\":\"Microsoft-Windows-Security-Auditing\",\"event_id\":4663,"
        "\"record_id\":4988,\"user_sid\":\"" IEUSER_SID "\",\"user\":\"IEUser\","
        "\"domain\":\"IEWIN7\",\"logon_id\":\"0xffa8\",\"actions\":[\"read\"],"
        "\"outcome\":\"success\",\"object_type\":\"File\",\"path\":\"C:\\\\Users\\\\IEUser\\\\"
        "AppData\\\\Roaming\\\\Opera Software\\\\Opera Stable\\\\Login Data\","
        "\"process\":\"C:\\\\Users\\\\Defau1t\\\\wsus.exe\",\"process_id\":4940,"
        "\"access_mask\":\"0x1\",\"handle_id\":\"0x50\"}");
    sho_buf_release(&json);
    fixture_free(fx);
}

static void sec_4656_failure(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,
        "ObjectServer",
        "Security",
        "ObjectType",
        "File",
        "ObjectName",
        "C:\\Share\\jinji\\salary.xlsx",
        "HandleId",
        "0x0",
        "TransactionId",
        "{00000000-0000-0000-0000-000000000000}",
        "AccessList",
        "%%1538\n\t\t\t\t%%1541\n\t\t\t\t%%4416\n\t\t\t\t%%4417\n\t\t\t\t",
        "AccessReason",
        "-",
        "AccessMask",
        "0x120003",
        "PrivilegeList",
        "-",
        "RestrictedSidCount",
        "0",
        "ProcessId",
        "0x1f40",
        "ProcessName",
        "C:\\Windows\\System32\\notepad.exe",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4656, KW_FAILURE, NULL, NULL, NULL, 7, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.outcome, SHO_OUTCOME_FAILURE);
    assert_int_equal(fx->ev.event_id, 4656);
    assert_str_or_null(fx->ev.path, "C:\\Share\\jinji\\salary.xlsx");
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_int_equal(fx->ev.logon_id, 0x4367b);
    assert_int_equal(fx->ev.access_mask, 0x120003);
    assert_int_equal(fx->ev.actions, SHO_ACT_READ | SHO_ACT_WRITE);
    assert_int_equal(fx->ev.process_id, 0x1f40);
    assert_true(fx->ev.has & SHO_HAS_HANDLE_ID);
    assert_int_equal(fx->ev.handle_id, 0);
    fixture_free(fx);
}

static void sec_mask_from_access_list_when_no_mask(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,
        "ObjectServer",
        "Security",
        "ObjectType",
        "File",
        "ObjectName",
        "C:\\a.txt",
        "HandleId",
        "0x40",
        "AccessList",
        "%%4417\n\t\t\t\t%%4418\n\t\t\t\t",
        "ProcessId",
        "0x4",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4663, NULL, NULL, NULL, NULL, 8, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_true(fx->ev.has & SHO_HAS_ACCESS_MASK);
    assert_int_equal(fx->ev.access_mask, 0x6);
    assert_int_equal(fx->ev.actions, SHO_ACT_WRITE | SHO_ACT_APPEND);
    assert_null(fx->ev.process);
    fixture_free(fx);
}

/* ---- Security: handle correlation -------------------------------------------------- */

static void sec_4660_takes_path_of_4663(void **state)
{
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rec_4663_fs01), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_DELETE);
    /* Same host, pid and handle, written with different padding and case. */
    run_4660(fx, "FS01", "0x0000134C", "0x00000000000001BC", 1);
    assert_str_or_null(fx->ev.path, "C:\\Share\\jinji\\list.xlsx");
    assert_str_or_null(fx->ev.object_type, "File");
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_int_equal(fx->ev.process_id, 0x134c);
    assert_int_equal(fx->ev.handle_id, 0x1bc);
    assert_int_equal(fx->ev.outcome, SHO_OUTCOME_SUCCESS);
    fixture_free(fx);
}

static void sec_4660_other_pid_or_host_has_no_path(void **state)
{
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rec_4663_fs01), 1);
    /* A blind file-system delete is still evidence: kept, with no path. */
    run_4660(fx, "FS01", "0x134d", "0x1bc", 1);
    assert_null(fx->ev.path);
    run_4660(fx, "FS02", "0x134c", "0x1bc", 1);
    assert_null(fx->ev.path);
    run_4660(fx, "FS01", "0x134c", "0x1bd", 1);
    assert_null(fx->ev.path);
    /* The entry itself is untouched by those. */
    run_4660(fx, "FS01", "0x134c", "0x1bc", 1);
    assert_str_or_null(fx->ev.path, "C:\\Share\\jinji\\list.xlsx");
    fixture_free(fx);
}

static void sec_4658_closes_handle(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA, "ObjectServer", "Security",
        "HandleId",     "0x1bc",        "ProcessId",
        "0x134c",       "ProcessName",  "C:\\Windows\\explorer.exe",
        NULL,
    };
    const struct rec rc_4658 = {
        PROV_SECURITY, 4658, NULL, NULL, NULL, NULL, 102, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rec_4663_fs01), 1);
    assert_int_equal(run(fx, &rc_4658), 1);
    assert_int_equal(fx->ev.event_id, 4658);
    assert_str_or_null(fx->ev.path, "C:\\Share\\jinji\\list.xlsx");
    /* After the close, a 4660 on the same ids no longer knows the object. */
    run_4660(fx, "FS01", "0x134c", "0x1bc", 1);
    assert_null(fx->ev.path);
    assert_null(fx->ev.object_type);
    fixture_free(fx);
}

static void sec_4608_forgets_host_handles(void **state)
{
    const struct rec rc_4608 = {
        PROV_SECURITY, 4608, NULL, NULL, NULL, NULL, 103, NULL, NULL, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rec_4663_fs01), 1);
    assert_int_equal(run(fx, &rc_4608), 0);
    run_4660(fx, "FS01", "0x134c", "0x1bc", 1);
    assert_null(fx->ev.path);
    fixture_free(fx);
}

static void sec_4670_owner_change(void **state)
{
    static const char *const owner_changed[] = {
        SUBJECT_TANAKA,
        "ObjectServer",
        "Security",
        "ObjectType",
        "File",
        "ObjectName",
        "C:\\Share\\jinji",
        "HandleId",
        "0x2a0",
        "OldSd",
        "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
        "NewSd",
        "O:S-1-5-21-1-2-3-1105G:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
        "ProcessId",
        "0x1c8",
        "ProcessName",
        "C:\\Windows\\System32\\icacls.exe",
        NULL,
    };
    static const char *const dacl_changed[] = {
        SUBJECT_TANAKA,
        "ObjectServer",
        "Security",
        "ObjectType",
        "File",
        "ObjectName",
        "C:\\Share\\jinji",
        "HandleId",
        "0x2a0",
        "OldSd",
        "O:BAG:SYD:PAI(A;OICI;FA;;;SY)",
        "NewSd",
        "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;WD)",
        "ProcessId",
        "0x1c8",
        NULL,
    };
    struct rec rc = {
        PROV_SECURITY, 4670, NULL, NULL, NULL, NULL, 9, NULL, owner_changed, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_PERM_CHANGE | SHO_ACT_OWNER_CHANGE);
    assert_str_or_null(fx->ev.path, "C:\\Share\\jinji");
    assert_str_or_null(fx->ev.process, "C:\\Windows\\System32\\icacls.exe");
    rc.data = dacl_changed;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_PERM_CHANGE);
    fixture_free(fx);
}

/* ---- Security: shares --------------------------------------------------------------- */

static const char *const data_5145[] = {
    SUBJECT_TANAKA,
    "ObjectType",
    "File",
    "IpAddress",
    "192.0.2.41",
    "IpPort",
    "50112",
    "ShareName",
    "\\\\*\\Share",
    "ShareLocalPath",
    "\\??\\C:\\Share",
    "RelativeTargetName",
    "dir\\file.txt",
    "AccessMask",
    "0x120089",
    "AccessList",
    "%%1538\n\t\t\t\t%%1541\n\t\t\t\t%%4416\n\t\t\t\t%%4419\n\t\t\t\t%%4423\n\t\t\t\t",
    "AccessReason",
    "-",
    NULL,
};

static void sec_5145_unc_path(void **state)
{
    const struct rec rc = {
        PROV_SECURITY, 5145, NULL, NULL, "FS01.corp.local", NULL, 20, NULL, data_5145, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.path, "\\\\FS01.corp.local\\Share\\dir\\file.txt");
    assert_str_or_null(fx->ev.share, "Share");
    assert_str_or_null(fx->ev.share_local_path, "\\??\\C:\\Share");
    assert_str_or_null(fx->ev.client_ip, "192.0.2.41");
    assert_str_or_null(fx->ev.object_type, "File");
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_str_or_null(fx->ev.domain, "CORP");
    assert_int_equal(fx->ev.logon_id, 0x4367b);
    assert_int_equal(fx->ev.access_mask, 0x120089);
    assert_int_equal(fx->ev.actions, SHO_ACT_READ | SHO_ACT_READ_ATTR);
    assert_int_equal(fx->ev.outcome, SHO_OUTCOME_SUCCESS);
    fixture_free(fx);
}

static void sec_5145_share_root(void **state)
{
    const char *data[SHO_ARRAY_COUNT(data_5145)];
    size_t i;
    struct rec rc = {
        PROV_SECURITY, 5145, KW_FAILURE, NULL, "FS01", NULL, 21, NULL, NULL, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    for (i = 0; i < SHO_ARRAY_COUNT(data_5145); i++) {
        data[i] = data_5145[i];
        if (i > 0 && data_5145[i - 1] != NULL &&
            strcmp(data_5145[i - 1], "RelativeTargetName") == 0) {
            data[i] = "\\";
        }
    }
    rc.data = data;
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.path, "\\\\FS01\\Share");
    assert_int_equal(fx->ev.outcome, SHO_OUTCOME_FAILURE);
    fixture_free(fx);
}

static const char *const data_5145_ipc[] = {
    SUBJECT_TANAKA,     "ObjectType",     "File",     "IpAddress",
    "192.0.2.41",       "IpPort",         "50113",    "ShareName",
    "\\\\*\\IPC$",      "ShareLocalPath", "",         "RelativeTargetName",
    "srvsvc",           "AccessMask",     "0x12019f", "AccessList",
    "%%1538\n\t\t\t\t", "AccessReason",   "-",        NULL,
};

static void sec_5145_ipc_filtered_by_default(void **state)
{
    const struct rec rc = {
        PROV_SECURITY, 5145, NULL, NULL, "FS01", NULL, 22, NULL, data_5145_ipc, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 0);
    fixture_free(fx);

    fx = fixture_new(NORMALIZE_ALL_OBJECTS);
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.share, "IPC$");
    assert_str_or_null(fx->ev.path, "\\\\FS01\\IPC$\\srvsvc");
    assert_null(fx->ev.share_local_path);
    assert_str_or_null(fx->ev.object_type, "NamedPipe");
    fixture_free(fx);
}

static void sec_5140_share_connect(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,
        "ObjectType",
        "File",
        "IpAddress",
        "192.0.2.41",
        "IpPort",
        "50110",
        "ShareName",
        "\\\\*\\Share",
        "ShareLocalPath",
        "\\??\\C:\\Share",
        "AccessMask",
        "0x1",
        "AccessList",
        "%%4416\n\t\t\t\t",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 5140, NULL, NULL, "FS01", NULL, 23, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_SHARE_CONNECT);
    assert_str_or_null(fx->ev.path, "\\\\FS01\\Share");
    assert_str_or_null(fx->ev.share, "Share");
    assert_str_or_null(fx->ev.client_ip, "192.0.2.41");
    assert_str_or_null(fx->ev.user, "tanaka");
    fixture_free(fx);
}

/* ---- Security: sessions and integrity ---------------------------------------------- */

static void sec_4624_logon(void **state)
{
    static const char *const data[] = {
        "SubjectUserSid",
        "S-1-5-18",
        "SubjectUserName",
        "FS01$",
        "SubjectDomainName",
        "CORP",
        "SubjectLogonId",
        "0x3e7",
        "TargetUserSid",
        "S-1-5-21-1-2-3-1105",
        "TargetUserName",
        "tanaka",
        "TargetDomainName",
        "CORP",
        "TargetLogonId",
        "0x4367b",
        "LogonType",
        "3",
        "LogonProcessName",
        "NtLmSsp ",
        "AuthenticationPackageName",
        "NTLM",
        "WorkstationName",
        "WS1",
        "LogonGuid",
        "{00000000-0000-0000-0000-000000000000}",
        "TransmittedServices",
        "-",
        "LmPackageName",
        "NTLM V2",
        "KeyLength",
        "128",
        "ProcessId",
        "0x0",
        "ProcessName",
        "-",
        "IpAddress",
        "192.0.2.41",
        "IpPort",
        "50100",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4624, NULL, NULL, "FS01", NULL, 30, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_LOGON);
    assert_str_or_null(fx->ev.user_sid, "S-1-5-21-1-2-3-1105");
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_str_or_null(fx->ev.domain, "CORP");
    assert_true(fx->ev.has & SHO_HAS_LOGON_ID);
    assert_int_equal(fx->ev.logon_id, 0x4367b);
    assert_true(fx->ev.has & SHO_HAS_LOGON_TYPE);
    assert_int_equal(fx->ev.logon_type, 3);
    assert_str_or_null(fx->ev.client_ip, "192.0.2.41");
    assert_null(fx->ev.process);
    assert_null(fx->ev.path);
    fixture_free(fx);
}

static void sec_4634_logoff(void **state)
{
    static const char *const data[] = {
        "TargetUserSid",
        "S-1-5-21-1-2-3-1105",
        "TargetUserName",
        "tanaka",
        "TargetDomainName",
        "CORP",
        "TargetLogonId",
        "0x4367b",
        "LogonType",
        "3",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4634, NULL, NULL, "FS01", NULL, 31, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_LOGOFF);
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_int_equal(fx->ev.logon_id, 0x4367b);
    assert_int_equal(fx->ev.logon_type, 3);
    fixture_free(fx);
}

static void eventlog_1102_log_cleared(void **state)
{
    const struct rec rc = {
        PROV_EVENTLOG,
        1102,
        "0x4020000000000000",
        "Security",
        "FS01",
        NULL,
        40,
        NULL,
        NULL,
        "    <LogFileCleared "
        "xmlns=\"http://manifests.microsoft.com/win/2004/08/windows/eventlog\">\n"
        "      <SubjectUserSid>S-1-5-21-1-2-3-500</SubjectUserSid>\n"
        "      <SubjectUserName>Administrator</SubjectUserName>\n"
        "      <SubjectDomainName>CORP</SubjectDomainName>\n"
        "      <SubjectLogonId>0x21FCB6</SubjectLogonId>\n"
        "    </LogFileCleared>",
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_LOG_CLEARED);
    assert_str_or_null(fx->ev.provider, PROV_EVENTLOG);
    assert_str_or_null(fx->ev.channel, "Security");
    assert_str_or_null(fx->ev.user_sid, "S-1-5-21-1-2-3-500");
    assert_str_or_null(fx->ev.user, "Administrator");
    assert_str_or_null(fx->ev.domain, "CORP");
    assert_true(fx->ev.has & SHO_HAS_LOGON_ID);
    assert_int_equal(fx->ev.logon_id, 0x21FCB6);
    /* 0x4020...: the success bit is tested, not the whole value. */
    assert_int_equal(fx->ev.outcome, SHO_OUTCOME_SUCCESS);
    fixture_free(fx);
}

static void sec_4719_audit_policy_change(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,
        "CategoryId",
        "%%8274",
        "SubcategoryId",
        "%%12800",
        "SubcategoryGuid",
        "{0CCE921D-69AE-11D9-BED3-505054503030}",
        "AuditPolicyChanges",
        "%%8448, %%8450",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4719, NULL, NULL, "FS01", NULL, 41, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_AUDIT_POLICY);
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_str_or_null(fx->ev.user_sid, "S-1-5-21-1-2-3-1105");
    fixture_free(fx);
}

static void sec_6416_device_connect(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,
        "DeviceId",
        "USBSTOR\\Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\60A44C3FACC93110B9970045&0",
        "DeviceDescription",
        "Kingston DataTraveler 3.0 USB Device",
        "ClassId",
        "{4d36e967-e325-11ce-bfc1-08002be10318}",
        "ClassName",
        "DiskDrive",
        "VendorIds",
        "USBSTOR\\DiskKingstonDataTraveler_3.0PMAP",
        "CompatibleIds",
        "USBSTOR\\Disk",
        "LocationInformation",
        "-",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 6416, NULL, NULL, "WS1", NULL, 42, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_DEVICE_CONNECT);
    assert_str_or_null(fx->ev.host, "WS1");
    assert_str_or_null(
        fx->ev.path,
        "USBSTOR\\Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\60A44C3FACC93110B9970045&0");
    assert_str_or_null(fx->ev.object_type, "DiskDrive");
    fixture_free(fx);
}

/* ---- Sysmon ------------------------------------------------------------------------- */

static void sysmon_11_file_create(void **state)
{
    static const char *const data[] = {
        "RuleName",
        "-",
        "UtcTime",
        "2024-05-13 01:23:45.123",
        "ProcessGuid",
        "{8f8c3bd3-0c2e-6641-5a01-000000001e00}",
        "ProcessId",
        "4940",
        "Image",
        "C:\\Windows\\System32\\robocopy.exe",
        "TargetFilename",
        "E:\\backup\\list.xlsx",
        "CreationUtcTime",
        "2024-05-13 01:23:45.120",
        "User",
        "CORP\\tanaka",
        NULL,
    };
    const struct rec rc = {
        PROV_SYSMON, 11, "0x8000000000000000", CH_SYSMON, "WS1", NULL, 50, "S-1-5-18", data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.provider, PROV_SYSMON);
    assert_str_or_null(fx->ev.channel, CH_SYSMON);
    assert_int_equal(fx->ev.event_id, 11);
    assert_int_equal(fx->ev.actions, SHO_ACT_CREATE);
    assert_str_or_null(fx->ev.domain, "CORP");
    assert_str_or_null(fx->ev.user, "tanaka");
    /* System/Security is the Sysmon service, not the actor. */
    assert_null(fx->ev.user_sid);
    assert_str_or_null(fx->ev.path, "E:\\backup\\list.xlsx");
    assert_str_or_null(fx->ev.process, "C:\\Windows\\System32\\robocopy.exe");
    assert_true(fx->ev.has & SHO_HAS_PROCESS_ID);
    assert_int_equal(fx->ev.process_id, 4940);
    assert_str_or_null(fx->ev.object_type, "File");
    fixture_free(fx);
}

static void sysmon_23_file_delete(void **state)
{
    static const char *const data[] = {
        "RuleName",
        "-",
        "UtcTime",
        "2024-05-13 01:30:00.000",
        "ProcessGuid",
        "{8f8c3bd3-0c2e-6641-5a01-000000001e00}",
        "ProcessId",
        "612",
        "User",
        "NT AUTHORITY\\SYSTEM",
        "Image",
        "C:\\Windows\\System32\\cmd.exe",
        "TargetFilename",
        "C:\\Share\\jinji\\list.xlsx",
        "Hashes",
        "SHA256=0000",
        "IsExecutable",
        "false",
        "Archived",
        "true",
        NULL,
    };
    const struct rec rc = {
        PROV_SYSMON, 23, "0x8000000000000000", CH_SYSMON, "FS01", NULL, 51, "S-1-5-18", data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.actions, SHO_ACT_DELETE);
    assert_str_or_null(fx->ev.domain, "NT AUTHORITY");
    assert_str_or_null(fx->ev.user, "SYSTEM");
    assert_str_or_null(fx->ev.path, "C:\\Share\\jinji\\list.xlsx");
    assert_int_equal(fx->ev.process_id, 612);
    fixture_free(fx);
}

/* ---- the filter --------------------------------------------------------------------- */

static const char *const data_4663_key[] = {
    SUBJECT_TANAKA,
    "ObjectServer",
    "Security",
    "ObjectType",
    "Key",
    "ObjectName",
    "\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso",
    "HandleId",
    "0x88",
    "AccessList",
    "%%4432\n\t\t\t\t",
    "AccessMask",
    "0x1",
    "ProcessId",
    "0x2a4",
    "ProcessName",
    "C:\\Windows\\regedit.exe",
    NULL,
};

static void registry_key_filtered_by_default(void **state)
{
    const struct rec rc = {
        PROV_SECURITY, 4663, NULL, NULL, "FS01", NULL, 60, NULL, data_4663_key, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 0);
    fixture_free(fx);

    fx = fixture_new(NORMALIZE_ALL_OBJECTS);
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.object_type, "Key");
    assert_str_or_null(fx->ev.path, "\\REGISTRY\\MACHINE\\SOFTWARE\\Contoso");
    assert_int_equal(fx->ev.actions, SHO_ACT_READ);
    fixture_free(fx);
}

static void unknown_event_only_with_all_events(void **state)
{
    static const char *const data[] = {
        "StartTime",
        "2024-05-13T01:23:45.000000000Z",
        NULL,
    };
    const struct rec rc = {
        "Microsoft-Windows-Kernel-General", 12, "0x8000000000000000", "System", "WS1",
        "2024-05-13T01:23:45.500000000Z",   70, "S-1-5-18",           data,     NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 0);
    fixture_free(fx);

    fx = fixture_new(NORMALIZE_ALL_EVENTS);
    assert_int_equal(run(fx, &rc), 1);
    assert_time(&fx->ev, "2024-05-13T01:23:45.5000000Z");
    assert_str_or_null(fx->ev.host, "WS1");
    assert_str_or_null(fx->ev.channel, "System");
    assert_str_or_null(fx->ev.provider, "Microsoft-Windows-Kernel-General");
    assert_true(fx->ev.has & SHO_HAS_EVENT_ID);
    assert_int_equal(fx->ev.event_id, 12);
    assert_true(fx->ev.has & SHO_HAS_RECORD_ID);
    assert_int_equal(fx->ev.record_id, 70);
    assert_int_equal(fx->ev.actions, 0);
    assert_null(fx->ev.path);
    fixture_free(fx);
}

static void unknown_security_event_only_with_all_events(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA, "NewProcessId", "0x1f40", "NewProcessName", "C:\\Windows\\notepad.exe",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4688, NULL, NULL, "WS1", NULL, 71, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 0);
    fixture_free(fx);

    fx = fixture_new(NORMALIZE_ALL_EVENTS);
    assert_int_equal(run(fx, &rc), 1);
    assert_int_equal(fx->ev.event_id, 4688);
    assert_int_equal(fx->ev.record_id, 71);
    assert_str_or_null(fx->ev.host, "WS1");
    assert_int_equal(fx->ev.outcome, SHO_OUTCOME_SUCCESS);
    fixture_free(fx);
}

/* ---- text ---------------------------------------------------------------------------- */

static void japanese_path_and_user_unchanged(void **state)
{
    static const char *const data[] = {
        "SubjectUserSid",
        "S-1-5-21-1-2-3-1106",
        "SubjectUserName",
        "田中太郎",
        "SubjectDomainName",
        "営業部",
        "SubjectLogonId",
        "0x5000",
        "ObjectServer",
        "Security",
        "ObjectType",
        "File",
        "ObjectName",
        "C:\\共有\\人事\\個人番号一覧.xlsx",
        "HandleId",
        "0x44",
        "AccessMask",
        "0x1",
        "ProcessId",
        "0x10",
        "ProcessName",
        "C:\\Program Files\\Microsoft Office\\EXCEL.EXE",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4663, NULL, NULL, "ファイル鯖", NULL, 80, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.user, "田中太郎");
    assert_str_or_null(fx->ev.domain, "営業部");
    assert_str_or_null(fx->ev.path, "C:\\共有\\人事\\個人番号一覧.xlsx");
    assert_str_or_null(fx->ev.host, "ファイル鯖");
    fixture_free(fx);
}

static void xml_entities_decoded(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,
        "ObjectServer",
        "Security",
        "ObjectType",
        "File",
        "ObjectName",
        "C:\\R&D\\<draft> \"v2\".txt",
        "HandleId",
        "0x44",
        "AccessMask",
        "0x2",
        NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4663, NULL, NULL, NULL, NULL, 81, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.path, "C:\\R&D\\<draft> \"v2\".txt");
    assert_int_equal(fx->ev.actions, SHO_ACT_WRITE);
    fixture_free(fx);
}

static void malformed_xml_is_corrupt(void **state)
{
    static const char *const bad[] = {
        "",
        "not xml at all",
        "<Event><System><EventID>4663</EventID></System>",
        "<Event><System></Sistem></Event>",
        "<Event><EventData><Data Name=\"a\">x</Data></EventData></Event><Event/>",
        "<Event><EventData><Data Name=\"a>x</Data></EventData></Event>",
    };
    struct fixture *fx = fixture_new(0);
    struct sho_err err;
    size_t i;

    (void)state;
    for (i = 0; i < SHO_ARRAY_COUNT(bad); i++) {
        sho_err_clear(&err);
        if (evtx_xml_parse(fx->x, bad[i], strlen(bad[i]), &fx->r, &err) != SHO_ECORRUPT) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
        assert_int_equal(err.code, SHO_ECORRUPT);
        assert_true(err.msg[0] != '\0');
    }
    /* Cut short: the 4663 without its last 20 bytes. */
    assert_int_equal(evtx_xml_parse(fx->x, xml_4663, sizeof(xml_4663) - 21, &fx->r, &err),
                     SHO_ECORRUPT);
    /* The parser is usable again afterwards. */
    assert_int_equal(run_xml(fx, xml_4663, sizeof(xml_4663) - 1), 1);
    assert_int_equal(fx->ev.record_id, 4988);
    fixture_free(fx);
}

static void control_character_tolerated(void **state)
{
    static const char *const data[] = {
        SUBJECT_TANAKA,     "ObjectServer", "Security", "ObjectType", "File", "ObjectName",
        "C:\\ab\001cd.txt", "HandleId",     "0x44",     "AccessMask", "0x1",  NULL,
    };
    const struct rec rc = {
        PROV_SECURITY, 4663, NULL, NULL, NULL, NULL, 82, NULL, data, NULL,
    };
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run(fx, &rc), 1);
    assert_str_or_null(fx->ev.path, "C:\\ab\xEF\xBF\xBD"
                                    "cd.txt");
    assert_str_or_null(fx->ev.user, "tanaka");
    assert_int_equal(fx->ev.record_id, 82);
    fixture_free(fx);
}

static void system_time_nine_digits(void **state)
{
    struct fixture *fx = fixture_new(0);

    (void)state;
    assert_int_equal(run_xml(fx, xml_4663, sizeof(xml_4663) - 1), 1);
    assert_true(fx->r.has & WINREC_HAS_TIME);
    assert_time(&fx->ev, "2019-04-27T19:31:15.3550630Z");
    assert_int_equal(fx->r.exec_pid, 4);
    assert_int_equal(fx->r.task, 12800);
    assert_int_equal(fx->r.keywords, 0x8020000000000000ULL);
    /* AccessList keeps its real separators as text. */
    assert_str_or_null(winrec_get(&fx->r, "AccessList"), "%%4416\n\t\t\t\t");
    fixture_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sec_4663_read_on_file),
        cmocka_unit_test(sec_4663_renders_as_json),
        cmocka_unit_test(sec_4656_failure),
        cmocka_unit_test(sec_mask_from_access_list_when_no_mask),
        cmocka_unit_test(sec_4660_takes_path_of_4663),
        cmocka_unit_test(sec_4660_other_pid_or_host_has_no_path),
        cmocka_unit_test(sec_4658_closes_handle),
        cmocka_unit_test(sec_4608_forgets_host_handles),
        cmocka_unit_test(sec_4670_owner_change),
        cmocka_unit_test(sec_5145_unc_path),
        cmocka_unit_test(sec_5145_share_root),
        cmocka_unit_test(sec_5145_ipc_filtered_by_default),
        cmocka_unit_test(sec_5140_share_connect),
        cmocka_unit_test(sec_4624_logon),
        cmocka_unit_test(sec_4634_logoff),
        cmocka_unit_test(eventlog_1102_log_cleared),
        cmocka_unit_test(sec_4719_audit_policy_change),
        cmocka_unit_test(sec_6416_device_connect),
        cmocka_unit_test(sysmon_11_file_create),
        cmocka_unit_test(sysmon_23_file_delete),
        cmocka_unit_test(registry_key_filtered_by_default),
        cmocka_unit_test(unknown_event_only_with_all_events),
        cmocka_unit_test(unknown_security_event_only_with_all_events),
        cmocka_unit_test(japanese_path_and_user_unchanged),
        cmocka_unit_test(xml_entities_decoded),
        cmocka_unit_test(malformed_xml_is_corrupt),
        cmocka_unit_test(control_character_tolerated),
        cmocka_unit_test(system_time_nine_digits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
