# Known answers on the public corpus ($SHOSEKI_CORPUS/evtx): counts and values
# checked against the files' contents (evtxexport / python-evtx listings in
# shared/samples/SOURCES.md). Skips (77) when the corpus is not available.
source "$(dirname "$0")/../lib/e2e.sh"
need_corpus

# sbou_LM_5145_Remote_FileCopy: every one of its 869 records is a 5145 with a UNC path.
run_cmd collect --dry-run -o jsonl "$CORPUS/sbou_LM_5145_Remote_FileCopy.evtx"
expect_eq "5145 exit" 0 "$RC"
expect_eq "5145 count" 869 "$(jq_count 'e["event_id"] == 5145')"
expect_eq "5145 UNC paths" 869 "$(jq_count 'e["path"].startswith("\\\\PC01.example.corp\\")')"
expect_eq "5145 share C$" 869 "$(jq_count 'e["share"] == "C$" and e["share_local_path"] == "\\??\\C:\\"')"
expect_eq "5145 client" 869 "$(jq_count 'e["client_ip"] == "10.0.2.15"')"
expect_eq "5145 first record offset" 4608 "$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["source_offset"])' "$SCRATCH/out")"

# The four browser credential files read in sbou_CA_chrome_firefox_opera_4663.
run_cmd collect --dry-run -o jsonl "$CORPUS/sbou_CA_chrome_firefox_opera_4663.evtx"
expect_eq "4663 exit" 0 "$RC"
paths=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event_id"] == 4663 and e["actions"] == ["read"]:
        print(e["path"])' "$SCRATCH/out")
expect_eq "4663 read paths" 'C:\Users\IEUser\AppData\Roaming\Opera Software\Opera Stable\Login Data
C:\Users\IEUser\AppData\Roaming\Mozilla\Firefox\Profiles\kushu3sd.default\key4.db
C:\Users\IEUser\AppData\Roaming\Mozilla\Firefox\Profiles\kushu3sd.default\logins.json
C:\Users\IEUser\AppData\Local\Google\Chrome\User Data\Default\Login Data' "$paths"
expect_eq "4663 process" 4 "$(jq_count 'e.get("process") == "C:\\Users\\Defau1t\\wsus.exe" and e["process_id"] == 4940')"
expect_eq "1102 person from UserData" 1 "$(jq_count 'e["event_id"] == 1102 and e["user"] == "IEUser" and e["user_sid"] == "S-1-5-21-3583694148-1414552638-2922671848-1000" and e["actions"] == ["log-cleared"]')"

# mdec_ID472: the 4660 deleted a SAM user; it is not a file, so only --all-objects shows it.
run_cmd collect --dry-run -o jsonl "$CORPUS/mdec_ID472_4728_Hidden_user_creation.evtx"
expect_eq "4660 hidden by default" 0 "$(jq_count 'e["event_id"] == 4660')"
run_cmd collect --dry-run --all-objects -o jsonl "$CORPUS/mdec_ID472_4728_Hidden_user_creation.evtx"
expect_eq "4660 correlated path" 1 "$(jq_count 'e["event_id"] == 4660 and e["path"] == "DOMAINS\\Account\\Users\\000003F0" and e["object_type"] == "SAM_USER" and e["actions"] == ["delete"] and e["handle_id"] == "0xe9a9292e70" and e["process_id"] == 480')"

# 4656/4658 on a file: the close takes the open's path (handle table).
run_cmd collect --dry-run -o jsonl "$CORPUS/mdec_ID4688_6416_4648-SystemNightMare.evtx"
expect_eq "4658 with path" 4 "$(jq_count 'e["event_id"] == 4658 and e["path"] == "C:\\Windows\\INF\\TAPISRV\\0409"')"
expect_eq "6416 devices" 2 "$(jq_count 'e["event_id"] == 6416 and e["actions"] == ["device-connect"]')"

# Failures: 4656 Audit Failure, 5140 failed share access.
run_cmd collect --dry-run -o jsonl "$CORPUS/mdec_ID4656-Failed_sethc_replacement_by_CMD.evtx"
expect_eq "4656 failures" 19 "$(jq_count 'e["event_id"] == 4656 and e["outcome"] == "failure"')"
run_cmd collect --dry-run -o jsonl "$CORPUS/mdec_ID5140-Failed_ADMIN_share_access.evtx"
expect_eq "5140 failure" 1 "$(jq_count 'e["event_id"] == 5140 and e["outcome"] == "failure" and e["path"] == "\\\\rootdc1.offsec.lan\\ADMIN$"')"
run_cmd collect --dry-run --all-objects -o jsonl "$CORPUS/mdec_ID5140-Failed_ADMIN_share_access.evtx"
expect_eq "5140 IPC$ with --all-objects" 8 "$(jq_count 'e["event_id"] == 5140')"

# Logon and logoff in omer_security (583 4624, 11 4634, 36 4647).
run_cmd collect --dry-run -o jsonl "$CORPUS/omer_security.evtx"
expect_eq "4624 logons" 583 "$(jq_count 'e["event_id"] == 4624 and e["actions"] == ["logon"] and "logon_type" in e')"
expect_eq "4634 logoffs" 11 "$(jq_count 'e["event_id"] == 4634 and e["actions"] == ["logoff"]')"
expect_eq "4647 logoffs" 36 "$(jq_count 'e["event_id"] == 4647')"
expect_eq "omer_security hosts" 2 "$("$PY" -c 'import json,sys; print(len({json.loads(l)["host"] for l in open(sys.argv[1])}))' "$SCRATCH/out")"

# Audit policy changes.
run_cmd collect --dry-run -o jsonl "$CORPUS/mdec_ID4719-Audit_policy_deactivation.evtx"
expect_eq "4719" 30 "$(jq_count 'e["event_id"] == 4719 and e["actions"] == ["audit-policy-change"]')"

# Sysmon: 34 file creates in omer_sysmon, 3 deletes in sbou_Sysmon_UACME_64, 851 time changes.
run_cmd collect --dry-run -o jsonl "$CORPUS/omer_sysmon.evtx"
expect_eq "sysmon 11" 34 "$(jq_count 'e["event_id"] == 11 and e["actions"] == ["create"] and e["channel"] == "Microsoft-Windows-Sysmon/Operational"')"
run_cmd collect --dry-run -o jsonl "$CORPUS/sbou_Sysmon_UACME_64.evtx"
expect_eq "sysmon 23" 3 "$(jq_count 'e["event_id"] == 23 and e["actions"] == ["delete"] and e["user"] == "den" and e["domain"] == "DESKTOP-NTSSLJD"')"
run_cmd collect --dry-run -o jsonl "$CORPUS/pyevtx_issue_43.evtx"
expect_eq "sysmon 2" 851 "$(jq_count 'e["event_id"] == 2 and e["actions"] == ["write-attributes"]')"

# Offsets point at record headers whose id is the record id (the container agrees).
run_cmd collect --dry-run --all-events -o jsonl "$CORPUS/omer_security.evtx"
bad=$("$PY" -c '
import json, struct, sys
data = open(sys.argv[2], "rb").read()
bad = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    off = e.get("source_offset")
    if off is None or data[off:off+4] != b"\x2a\x2a\x00\x00" or struct.unpack_from("<Q", data, off+8)[0] != e["record_id"]:
        bad += 1
print(bad)' "$SCRATCH/out" "$CORPUS/omer_security.evtx")
expect_eq "offsets point at their records" 0 "$bad"

finish
