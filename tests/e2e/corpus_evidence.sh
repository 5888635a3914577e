# An evidence pack of every event of the public corpus ($SHOSEKI_CORPUS/evtx): one original
# record per event, each the record its row names (EventRecordID and EventID as in
# events.csv); the pack verifies by sha256sum and against the archive. Skips (77) without
# the corpus.
source "$(dirname "$0")/../lib/e2e.sh"
need_corpus
D=$SCRATCH/data
"$BIN" -q collect --data "$D" "$CORPUS" >/dev/null 2>&1
"$BIN" index --data "$D" >/dev/null
expect_eq "index" 0 "$?"
events=$("$BIN" timeline --data "$D" --format csv | tail -n +2 | wc -l)
run_cmd evidence --out "$SCRATCH/p" --lang ja timeline --data "$D" --tz Asia/Tokyo
expect_eq "evidence exit" 0 "$RC"
expect_match "every event" "^evidence: $events events, .* $events original records" "$OUT"
"$PY" - "$SCRATCH/p" <<'PY'
import csv, os, re, sys
pack = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(pack, "events.csv"), encoding="utf-8", newline=""),
                           fieldnames=None))
head = list(rows[0].keys())
rid, eid, ref = head[5], head[4], head[-1]  # レコードID, イベントID, 参照
assert (rid, eid, ref) == ("レコードID", "イベントID", "参照"), head
for r in rows:
    x = open(os.path.join(pack, "originals", r[ref].replace(":", "-") + ".xml"), encoding="utf-8").read()
    got = re.search(r"<EventRecordID>(\d+)</EventRecordID>", x)
    ev = re.search(r"<EventID[^>]*>(\d+)</EventID>", x)
    assert got and got.group(1) == r[rid], (r[ref], got and got.group(1), r[rid])
    assert ev and ev.group(1) == r[eid], (r[ref], ev and ev.group(1), r[eid])
print(f"{len(rows)} originals match their rows")
PY
expect_eq "originals are the events' records" 0 "$?"
(cd "$SCRATCH/p" && sha256sum -c --quiet MANIFEST.sha256)
expect_eq "sha256sum -c" 0 "$?"
run_cmd verify --pack "$SCRATCH/p" --data "$D"
expect_eq "verify --pack --data" 0 "$RC"
finish
