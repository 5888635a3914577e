# CSV exports on the hand-written samples/text files: a NAS appliance's log
# with its --csv-map (header names, time pattern and zone, action and outcome
# words, quoted commas, doubled quotes, a record spanning lines, identical
# rows kept apart, bad rows located by line), a PowerShell Get-WinEvent
# export read without a map (#TYPE line, Message labels through the EVTX
# normalization), the same files in UTF-16LE, map errors naming their line,
# detection, the archive round trip and `cat` of a record's lines.
source "$(dirname "$0")/../lib/e2e.sh"
T=$SRC/samples/text
LEDGER_NAS=/share/keiri/マイナンバー/台帳.xlsx
LEDGER_WIN='D:\Shares\keiri\マイナンバー\台帳.xlsx'

# ---- NAS export with its map --------------------------------------------------------------
check_nas() { # FILE: the known answers of nas.csv (or its UTF-16 copy); $1 for messages
  run_cmd collect --dry-run -o jsonl --csv-map "$T/nas.map" "$1"
  expect_eq "nas exit ($1)" 1 "$RC"
  expect_eq "nas events" 7 "$(jq_count 'True')"
  expect_eq "nas all on host nas01" 7 "$(jq_count 'e["host"] == "nas01" and e["object_type"] == "File"')"
  expect_eq "nas read, JST, domain split" 1 "$(jq_count 'e["time"] == "2025-01-15T00:00:01.0000000Z" and e["user"] == "tanaka" and e["domain"] == "CORP" and e["path"] == "'"$LEDGER_NAS"'" and e["actions"] == ["read"] and e["outcome"] == "success" and e["client_ip"] == "192.168.10.21"')"
  expect_eq "nas write" 1 "$(jq_count 'e["user"] == "suzuki" and e["path"] == "/share/keiri/report.csv" and e["actions"] == ["write"]')"
  expect_eq "nas create" 1 "$(jq_count 'e["path"] == "/share/keiri/新しいフォルダー" and e["actions"] == ["create"]')"
  expect_eq "nas refused read" 1 "$(jq_count 'e["user"] == "sato" and e["outcome"] == "failure" and e["path"] == "'"$LEDGER_NAS"'"')"
  expect_eq "nas rename, quoted comma" 1 "$(jq_count 'e["actions"] == ["rename"] and e["path"] == "/share/keiri/報告,旧.docx" and e["time"] == "2025-01-15T00:06:00.0000000Z"')"
  expect_eq "nas identical deletes kept apart" 2 "$(jq_count 'e["actions"] == ["delete"] and e["path"] == "/share/keiri/a \"quoted\" name.txt"')"
  expect_eq "nas distinct record ids" 7 "$("$PY" -c 'import json,sys; print(len({json.loads(l)["record_id"] for l in open(sys.argv[1])}))' "$SCRATCH/out")"
  expect_eq "nas Login ignored" 0 "$(jq_count 'e["time"] == "2025-01-15T00:07:00.0000000Z"')"
  expect_match "nas bad time located" "nas[0-9]*\.csv':[0-9]+: line 9: time does not match the map's time format: '2025/01/15 25:00:00': skipped" "$ERR"
  expect_match "nas unknown action located" "line 10: unknown action 'Chmod': skipped" "$ERR"
  expect_match "nas short row located" "line 11: 2 columns, the map needs 8: skipped" "$ERR"
  expect_match "nas summary" "8 records read, 7 events, 3 skipped \(3 bad lines\)" "$ERR"
}
check_nas "$T/nas.csv"
expect_match "nas offsets (UTF-8 BOM counted)" "nas.csv':704: line 9" "$ERR"
expect_eq "nas first record after the BOM and header" 74 "$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["source_offset"])' "$SCRATCH/out")"

# ---- Get-WinEvent export, no map ------------------------------------------------------------
check_win() {
  run_cmd collect --dry-run -o jsonl --tz Asia/Tokyo "$1"
  expect_eq "win exit ($1)" 1 "$RC"
  expect_eq "win events" 4 "$(jq_count 'True')"
  expect_eq "win 4663 read from Message" 1 "$(jq_count 'e["event_id"] == 4663 and e["record_id"] == 1200 and e["user"] == "tanaka" and e["domain"] == "CORP" and e["user_sid"] == "S-1-5-21-1004336348-1177238915-682003330-1104" and e["path"] == r"'"$LEDGER_WIN"'" and e["actions"] == ["read"] and e["outcome"] == "success" and e["time"] == "2025-01-15T00:00:01.0000000Z" and e["host"] == "FS01.corp.example.jp" and e["logon_id"] == "0x3e7a1"')"
  expect_eq "win 5145 UNC path" 1 "$(jq_count 'e["event_id"] == 5145 and e["path"] == r"\\FS01.corp.example.jp\keiri\report.csv" and e["actions"] == ["write"] and e["client_ip"] == "192.168.10.22" and e["user"] == "suzuki"')"
  expect_eq "win 4624 New Logon account, PM time" 1 "$(jq_count 'e["event_id"] == 4624 and e["user"] == "sato" and e["logon_type"] == 3 and e["actions"] == ["logon"] and e["time"] == "2025-01-15T04:15:00.0000000Z"')"
  expect_eq "win 4663 audit failure" 1 "$(jq_count 'e["record_id"] == 1204 and e["outcome"] == "failure" and e["user"] == "sato"')"
  expect_eq "win registry 4663 not kept" 0 "$(jq_count 'e["record_id"] == 1203')"
  expect_match "win bad time located" "line 113: time does not match the map's time format: '15/01/2025 13:25': skipped" "$ERR"
}
check_win "$T/winevent.csv"

# ---- the same files in UTF-16LE (PowerShell -Encoding Unicode) --------------------------------
"$PY" - "$T" "$SCRATCH" <<'PYEOF'
import sys
t, s = sys.argv[1], sys.argv[2]
for name in ("nas", "winevent"):
    text = open(f"{t}/{name}.csv", "rb").read().decode("utf-8-sig")
    open(f"{s}/{name}16.csv", "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
PYEOF
check_nas "$SCRATCH/nas16.csv"
check_win "$SCRATCH/winevent16.csv"
expect_match "UTF-16 offsets are the file's" "winevent16.csv':10466: line 113" "$ERR"

# ---- map errors, detection, --format -------------------------------------------------------------
printf '[columns]\ntime = Date Time\nsize = Size\n' >"$SCRATCH/bad.map"
run_cmd collect --dry-run --csv-map "$SCRATCH/bad.map" "$T/nas.csv"
expect_eq "bad map: usage" 2 "$RC"
expect_match "bad map: file and line" "'.*bad.map': line 3: unknown field \(see docs/sources.md for the list\): 'size'" "$ERR"
printf '[columns]\ntime = Date Time\n[time]\nformat = %%Y-%%q\n' >"$SCRATCH/bad.map"
run_cmd collect --dry-run --csv-map "$SCRATCH/bad.map" "$T/nas.csv"
expect_match "bad pattern: line" "bad.map': line 4: unknown directive in time pattern" "$ERR"
printf '[columns]\ntime = Date Time\n\npath = Pfad\n' >"$SCRATCH/bad.map"
run_cmd collect --dry-run --csv-map "$SCRATCH/bad.map" "$T/nas.csv"
expect_eq "column not in header: file unreadable" 3 "$RC"
expect_match "column not in header: map line" "bad.map': line 4: column 'Pfad' is not in the header of '.*nas.csv'" "$ERR"
run_cmd collect --dry-run "$T/nas.csv"
expect_eq "CSV without map: nothing read" 3 "$RC"
expect_match "CSV without map: named" "nas.csv':0: looks like CSV, but no --csv-map" "$ERR"
run_cmd collect --dry-run --format csv "$T/nas.csv"
expect_eq "--format csv without map: usage" 2 "$RC"
expect_match "--format csv without map: says why" "--format csv needs --csv-map" "$ERR"
run_cmd collect --dry-run -o jsonl --uid-map "$T/passwd" --csv-map "$T/nas.map" "$T/audit.log" "$T/nas.csv"
expect_eq "a map does not turn audit.log into CSV" 14 "$(jq_count 'True')"
printf '# headerless export, semicolons\n2025-01-15T09:00:00+09:00;tanaka;READ;/a\n1736899300;x;READ;/b\n' >"$SCRATCH/nohdr.csv"
printf '[csv]\nheader = no\ndelimiter = ;\nskip-lines = 1\n[columns]\ntime = 1\nuser = 2\naction = 3\npath = 4\n[time]\nformat = iso8601\nformat = epoch\n[actions]\nread = read\n' >"$SCRATCH/nohdr.map"
run_cmd collect --dry-run -o jsonl --csv-map "$SCRATCH/nohdr.map" "$SCRATCH/nohdr.csv"
expect_eq "headerless: exit" 0 "$RC"
expect_eq "headerless: iso with zone" 1 "$(jq_count 'e["time"] == "2025-01-15T00:00:00.0000000Z" and e["user"] == "tanaka" and e["path"] == "/a" and e["actions"] == ["read"]')"
expect_eq "headerless: epoch" 1 "$(jq_count 'e["time"] == "2025-01-15T00:01:40.0000000Z" and e["path"] == "/b"')"

# ---- archive round trip; cat prints the record's lines ------------------------------------------
run_cmd collect --data "$SCRATCH/data" --tz Asia/Tokyo --csv-map "$T/nas.map" "$T/nas.csv" "$SCRATCH/winevent16.csv"
expect_eq "store exit" 1 "$RC"
run_cmd export --data "$SCRATCH/data"
ref() { "$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if eval(sys.argv[2]): print(e["ref"])' "$SCRATCH/out" "$1"; }
rename_ref=$(ref 'e["actions"] == ["rename"]')
share_ref=$(ref 'e.get("event_id") == 5145')
run_cmd cat --data "$SCRATCH/data" "$rename_ref"
expect_eq "cat CSV record spanning two lines" $'510:2025/01/15 09:06:00,tanaka,192.168.10.21,PC-TANAKA,Rename,"/share/keiri/報告,旧.docx",,Success,"renamed to\n621:報告.docx"' "$OUT"
run_cmd cat --data "$SCRATCH/data" "$share_ref"
expect_eq "cat UTF-16 record: its 24 lines" 24 "$(grep -c . "$SCRATCH/out")"
expect_match "cat UTF-16 record as UTF-8" "^2790:\"A network share object was checked" "$OUT"
expect_match "cat UTF-16 record ends with the row" "Relative Target Name:	report.csv" "$OUT"
run_cmd verify --data "$SCRATCH/data"
expect_eq "verify" 0 "$RC"
finish
