# Every public corpus file is read without a crash (this binary is built with
# ASan and UBSan in `make check`), with every record kept (--all-events); bad
# records are named with file and offset; damaged copies (truncated, a chunk
# overwritten) still give their readable records. Skips (77) without corpus.
source "$(dirname "$0")/../lib/e2e.sh"
need_corpus

for f in "$CORPUS"/*.evtx; do
  name=${f##*/}
  run_cmd collect --dry-run --all-events -o jsonl "$f"
  if [[ $RC -ne 0 && $RC -ne 1 ]]; then fail "$name: exit $RC"; continue; fi
  ok
  # Output is valid JSON lines, each with its System fields.
  bad=$("$PY" -c '
import json, sys
bad = 0
for l in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(l)
    if "event_id" not in e or "record_id" not in e:
        bad += 1
print(bad)' "$SCRATCH/out" 2>&1)
  expect_eq "$name: JSON lines with System fields" 0 "$bad"
  expect_match "$name: summary" "collect: '.*$name': [0-9]+ records read" "$ERR"
  if [[ $RC -eq 1 ]]; then
    expect_match "$name: problems located" "'$f':[0-9]+: " "$ERR"
  fi
done

# Files libevtx cannot fully read: the records it can read are still emitted.
run_cmd collect --dry-run --all-events -o jsonl --decoder libevtx "$CORPUS/omer_E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx"
expect_eq "CAPI2 exit (records skipped)" 1 "$RC"
expect_eq "CAPI2 records read" 337 "$(wc -l <"$SCRATCH/out" | tr -d ' ')"
expect_match "CAPI2 bad record located" "':54776: record 25: cannot read record: " "$ERR"
expect_match "CAPI2 summary" "337 records read, 337 events, 3 skipped \(3 unreadable\)" "$ERR"
run_cmd collect --dry-run -o jsonl --decoder libevtx "$CORPUS/mdec_ID5140-5145-Bloodhound-SharpHound_enumeration_via_SMB.evtx"
expect_eq "Bloodhound exit" 1 "$RC"
expect_match "Bloodhound summary" "0 records read, 0 events, 91 skipped \(91 unreadable\)" "$ERR"
expect_match "Bloodhound problems capped" "71 more problems not shown" "$ERR"

# Our decoder reads them whole: an entity reference inside an attribute
# (CAPI2), records a Windows Event Collector wrote with their values inline.
run_cmd collect --dry-run --all-events -o jsonl "$CORPUS/omer_E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx"
expect_eq "ours: CAPI2 exit" 0 "$RC"
expect_match "ours: CAPI2 summary" "340 records read, 340 events, 0 skipped" "$ERR"
run_cmd collect --dry-run -o jsonl "$CORPUS/mdec_ID5140-5145-Bloodhound-SharpHound_enumeration_via_SMB.evtx"
expect_eq "ours: Bloodhound exit" 0 "$RC"
expect_match "ours: Bloodhound summary" "91 records read, 12 events, 0 skipped" "$ERR"

# Records in the chain that libevtx silently drops are named, not lost quietly.
run_cmd collect --dry-run --all-events -o jsonl --decoder libevtx "$CORPUS/omer_sample_with_a_bad_chunk_magic.evtx"
expect_eq "bad chunk magic exit" 1 "$RC"
expect_match "dropped record named" "':470632: record 47640: in the file's record chain but not returned by libevtx" "$ERR"
expect_match "zeroed chunk named" "':69632: chunk is all zeros" "$ERR"
expect_match "damaged chunk named" "':397312: chunk signature damaged" "$ERR"
# ... and read by ours, which still names the chunks that are gone.
run_cmd collect --dry-run --all-events -o jsonl "$CORPUS/omer_sample_with_a_bad_chunk_magic.evtx"
expect_eq "ours: bad chunk magic exit" 1 "$RC"
expect_eq "ours: dropped record read" 1 "$(grep -c '"record_id":47640,' "$SCRATCH/out")"
expect_match "ours: zeroed chunk named" "':69632: chunk is all zeros" "$ERR"
expect_match "ours: damaged chunk named" "':397312: chunk signature damaged" "$ERR"
expect_match "ours: summary" "351 records read, 351 events, 0 skipped; 12 damaged chunks" "$ERR"

# Truncated in the middle of a chunk: the whole chunks before still read.
head -c 200000 "$CORPUS/omer_security.evtx" >"$SCRATCH/truncated.evtx"
run_cmd collect --dry-run --all-events -o jsonl "$SCRATCH/truncated.evtx"
if [[ $RC -le 1 ]]; then ok; else fail "truncated: exit $RC: $ERR"; fi
n=$(wc -l <"$SCRATCH/out" | tr -d ' ')
[[ $n -gt 100 ]] && ok || fail "truncated: only $n records emitted"
expect_eq "truncated exit" 1 "$RC"
expect_match "truncation located" "'$SCRATCH/truncated.evtx':200704: file ends before the chunks its header counts" "$ERR"

# A chunk overwritten with zeros: the other chunks still read.
cp "$CORPUS/omer_security.evtx" "$SCRATCH/zeroed.evtx"
chmod u+w "$SCRATCH/zeroed.evtx"
dd if=/dev/zero of="$SCRATCH/zeroed.evtx" bs=4096 seek=49 count=16 conv=notrunc status=none
run_cmd collect --dry-run --all-events -o jsonl "$SCRATCH/zeroed.evtx"
if [[ $RC -le 1 ]]; then ok; else fail "zeroed chunk: exit $RC: $ERR"; fi
n=$(wc -l <"$SCRATCH/out" | tr -d ' ')
[[ $n -gt 1500 ]] && ok || fail "zeroed chunk: only $n records emitted"
expect_eq "zeroed exit" 1 "$RC"
expect_match "zeroed chunk located" "'$SCRATCH/zeroed.evtx':200704: chunk is all zeros" "$ERR"

# Random bytes inside records (fixed seed): no crash, located problems.
cp "$CORPUS/omer_sysmon.evtx" "$SCRATCH/noisy.evtx"
chmod u+w "$SCRATCH/noisy.evtx"
"$PY" -c '
import random, sys
random.seed(7)
with open(sys.argv[1], "r+b") as f:
    data = bytearray(f.read())
    for _ in range(400):
        i = random.randrange(4096 + 512, len(data))
        data[i] = random.randrange(256)
    f.seek(0); f.write(data)' "$SCRATCH/noisy.evtx"
run_cmd collect --dry-run --all-events -o jsonl "$SCRATCH/noisy.evtx"
if [[ $RC -le 1 ]]; then ok; else fail "noisy: exit $RC: $ERR"; fi

finish
