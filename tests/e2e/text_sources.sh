# Text sources on the hand-written samples/text logs: known answers for
# auditd (joining out-of-order records, CWD resolution, names from --uid-map
# and ENRICHED fields, gaps), Samba full_audit (year from the file date,
# --tz, UNC paths, identical lines kept apart), damaged input (bad lines
# located by line, late records, wrap-around, a last line without newline),
# the archive round trip and `cat` of the original lines.
source "$(dirname "$0")/../lib/e2e.sh"
T=$SRC/samples/text

run_cmd collect --dry-run -o jsonl --uid-map "$T/passwd" "$T/audit.log"
expect_eq "auditd exit" 0 "$RC"
expect_eq "auditd events" 7 "$(jq_count 'True')"
expect_eq "auditd ledger read (relative to CWD, hex name)" 1 "$(jq_count 'e["record_id"] == 100 and e["path"] == "/srv/share/keiri/マイナンバー/台帳.xlsx" and e["actions"] == ["read"] and e["user"] == "tanaka" and e["host"] == "fs01"')"
expect_eq "auditd create+write, records interleaved" 1 "$(jq_count 'e["record_id"] == 101 and e["path"] == "/srv/share/keiri/report.csv" and e["actions"] == ["write", "create"] and e["user"] == "suzuki"')"
expect_eq "auditd unlinkat relative" 1 "$(jq_count 'e["record_id"] == 102 and e["path"] == "/srv/share/keiri/old.csv" and e["actions"] == ["delete"]')"
expect_eq "auditd rename, PATH before SYSCALL" 1 "$(jq_count 'e["record_id"] == 103 and e["path"] == "/srv/share/keiri/a.txt" and e["actions"] == ["rename"]')"
expect_eq "auditd sudo chmod is the login user" 1 "$(jq_count 'e["record_id"] == 104 and e["user"] == "tanaka" and e["user_sid"] == "1001" and e["actions"] == ["permission-change"]')"
expect_eq "auditd failure" 1 "$(jq_count 'e["record_id"] == 105 and e["outcome"] == "failure" and e["user"] == "sato"')"
expect_eq "auditd execve" 1 "$(jq_count 'e["record_id"] == 110 and e["path"] == "/usr/bin/scp" and e["actions"] == ["execute"] and e["logon_id"] == "0x9"')"
expect_eq "auditd connect() not kept" 0 "$(jq_count 'e["record_id"] == 106')"
expect_match "auditd gap reported with line" "audit.log':[0-9]+: line 30: serial gap: 3 serials missing \(107\.\.109\)" "$ERR"

# Without --uid-map a RAW record keeps the number; ENRICHED names still come through.
run_cmd collect --dry-run -o jsonl "$T/audit.log"
expect_eq "auditd no map: number" 1 "$(jq_count 'e["record_id"] == 101 and e["user"] == "1002"')"
expect_eq "auditd no map: ENRICHED name" 1 "$(jq_count 'e["record_id"] == 100 and e["user"] == "tanaka"')"

run_cmd collect --dry-run -o jsonl "$T/audit-damaged.log"
expect_eq "damaged exit" 1 "$RC"
expect_eq "damaged events" 2 "$(jq_count 'True')"
expect_match "bad line located" "audit-damaged.log':[0-9]+: line 4: not an audit record" "$ERR"
expect_match "late record located" "line 5: record of event 1736900000.000:4294967294 arrived after" "$ERR"
expect_match "wrap-around reported" "line 7: serial wrapped around from 4294967294 to 2" "$ERR"
expect_match "damaged summary" "2 bad lines, 1 late records" "$ERR"

# Samba: the year comes from the file's date, the zone from --tz.
cp "$T/samba.log" "$SCRATCH/samba.log"
touch -d 2025-03-01T00:00:00Z "$SCRATCH/samba.log"
run_cmd collect --dry-run -o jsonl --tz Asia/Tokyo "$SCRATCH/samba.log"
expect_eq "samba exit (one damaged line)" 1 "$RC"
expect_eq "samba events" 12 "$(jq_count 'True')"
expect_eq "samba share connect" 1 "$(jq_count 'e["path"] == "\\\\fs02\\keiri" and e["actions"] == ["share-connect"] and e["time"] == "2025-01-15T00:00:01.0000000Z"')"
expect_eq "samba reads of the ledger (identical lines kept)" 3 "$(jq_count 'e["path"] == "\\\\fs02\\keiri\\マイナンバー\\台帳.xlsx" and e["actions"] == ["read"] and e["outcome"] == "success" and e["user"] == "tanaka" and e["client_ip"] == "192.168.10.21"')"
expect_eq "samba denied read" 1 "$(jq_count 'e["user"] == "sato" and e["outcome"] == "failure"')"
expect_eq "samba rename" 1 "$(jq_count 'e["actions"] == ["rename"] and e["path"] == "\\\\fs02\\keiri\\報告.docx"')"
expect_eq "samba delete" 1 "$(jq_count 'e["actions"] == ["delete"] and e["path"] == "\\\\fs02\\keiri\\tmp\\~$台帳.xlsx"')"
expect_eq "samba mkdir is a directory" 1 "$(jq_count 'e["actions"] == ["create"] and e["object_type"] == "Directory"')"
expect_eq "samba distinct record ids" 12 "$("$PY" -c 'import json,sys; print(len({json.loads(l)["record_id"] for l in open(sys.argv[1])}))' "$SCRATCH/out")"
expect_match "samba bad line located" "samba.log':1646: line 15: not a Samba full_audit" "$ERR"

run_cmd collect --dry-run -o jsonl --tz +00:00 "$SCRATCH/samba.log"
expect_eq "samba --tz offset" 1 "$(jq_count 'e["actions"] == ["share-connect"] and e["time"] == "2025-01-15T09:00:01.0000000Z"')"
run_cmd collect --dry-run --tz Mars/Olympus "$SCRATCH/samba.log"
expect_eq "bad --tz is a usage error" 2 "$RC"
run_cmd collect --dry-run --samba-prefix 'IP=%I | USER=%u' "$SCRATCH/samba.log"
expect_eq "other prefix: nothing matches" 0 "$(grep -c . "$SCRATCH/out")"

# --format overrides detection.
run_cmd collect --dry-run -o jsonl --format samba "$T/audit.log"
expect_eq "forced format: auditd lines are bad samba lines" 1 "$RC"

# Archive round trip; cat prints the original lines with their offsets.
run_cmd collect --data "$SCRATCH/data" --uid-map "$T/passwd" --tz Asia/Tokyo "$T/audit.log" "$SCRATCH/samba.log"
expect_eq "store exit" 1 "$RC"
run_cmd export --data "$SCRATCH/data"
ref=$("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("record_id") == 101: print(e["ref"])' "$SCRATCH/out")
run_cmd cat --data "$SCRATCH/data" "$ref"
expect_eq "cat auditd exit" 0 "$RC"
expect_eq "cat auditd lines" 4 "$(grep -c 'msg=audit(1736899260.500:101)' "$SCRATCH/out")"
expect_match "cat auditd offset prefix" "^984:node=fs01 type=SYSCALL msg=audit\(1736899260.500:101\)" "$OUT"
run_cmd export --data "$SCRATCH/data"
ref=$("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("channel") == "samba-full-audit" and e["actions"] == ["delete"]: print(e["ref"])' "$SCRATCH/out")
run_cmd cat --data "$SCRATCH/data" "$ref"
expect_eq "cat samba line" '866:Jan 15 09:07:00 fs02 smbd_audit[2101]: tanaka|192.168.10.21|PC021|keiri|unlinkat|ok|/srv/samba/keiri/tmp/~$台帳.xlsx' "$OUT"
run_cmd verify --data "$SCRATCH/data"
expect_eq "verify" 0 "$RC"
# The reports see text sources like EVTX: report deletions lists auditd's unlinkat and Samba's.
"$BIN" index --data "$SCRATCH/data" >/dev/null
run_cmd report deletions --data "$SCRATCH/data" --tz UTC --format csv --no-refresh
expect_eq "report deletions exit" 0 "$RC"
expect_eq "report deletions: auditd unlinkat" 1 "$(grep -c ',delete,success,.*/srv/share/keiri/old.csv$' "$SCRATCH/out")"
expect_eq "report deletions: samba unlinkat" 1 "$(grep -cF ',\\fs02\keiri\tmp\~$台帳.xlsx' "$SCRATCH/out")"
expect_eq "report deletions: nothing else" 3 "$(wc -l <"$SCRATCH/out")"
finish
