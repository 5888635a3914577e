# Crash safety while a file's original blocks, its hash and its events are stored on threads of
# their own, overlapped with decoding (docs/decisions.md, "Storing the blocks beside the events"
# and "Storing's second round"):
# kill -9 delivered to `collect` of one large log at SHOSEKI_KILLS (default 8) random moments,
# nearly all of which land while BLOCK and EVENTS frames are being appended side by side. After
# each, verify passes and keeps the previous head; re-runs complete the archive exactly (the
# events and files of one uninterrupted collect, nothing doubled). No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}

"$GEN" --out "$SCRATCH/logs" --seed 5 --persons 50 --files 300 --hosts 1 --days 4 \
  --events-per-day 2500 --no-truth >/dev/null
"$PY" "$(dirname "$0")/kill_test.py" --bin "$BIN" --scratch "$SCRATCH/kill" \
  --kills "${SHOSEKI_KILLS:-8}" --seed "${SHOSEKI_KILL_SEED:-3}" "$SCRATCH"/logs/Security-*.evtx
expect_eq "kill -9 during overlapped block and event storing" 0 "$?"

# An uninterrupted collect of the same log: every block of the file is named by its SOURCE
# frame and stored once, whichever order the two threads appended their frames in.
run_cmd collect --data "$SCRATCH/one" "$SCRATCH"/logs/Security-*.evtx
expect_eq "collect exit" 0 "$RC"
run_cmd verify --data "$SCRATCH/one"
expect_eq "verify exit" 0 "$RC"
expect_match "verify counts" "intact: [0-9]+ frames in 1 segments, 1 sources" "$OUT"
sha=$(sha256sum "$SCRATCH"/logs/Security-*.evtx | cut -d' ' -f1)
run_cmd extract --data "$SCRATCH/one" --source "$sha" -o "$SCRATCH/back.evtx"
expect_eq "extract exit" 0 "$RC"
expect_eq "extracted bytes" "$(sha256sum <"$SCRATCH"/logs/Security-*.evtx)" \
  "$(sha256sum <"$SCRATCH/back.evtx")"

# Whether a file is collected already: only a file of a collected size is hashed before it is
# read. A copy with one byte changed (the same size) is a new file whose events are all known;
# an identical copy is already collected, also once the cache is rebuilt from the frames.
cp "$SCRATCH"/logs/Security-*.evtx "$SCRATCH/changed.evtx"
printf 'X' | dd of="$SCRATCH/changed.evtx" bs=1 seek=2000 conv=notrunc 2>/dev/null # header padding
run_cmd collect --data "$SCRATCH/one" "$SCRATCH/changed.evtx"
expect_eq "same size, other bytes: exit" 0 "$RC"
expect_match "same size, other bytes: a new file, no new event" \
  "0 events stored, [1-9][0-9]* duplicates skipped, 0 files already collected" "$OUT"
cp "$SCRATCH"/logs/Security-*.evtx "$SCRATCH/copy.evtx"
rm -f "$SCRATCH/one/dedup.sqlite"
run_cmd collect --data "$SCRATCH/one" "$SCRATCH/copy.evtx"
expect_match "identical copy, cache rebuilt: already collected" "1 files already collected" "$OUT"
run_cmd verify --data "$SCRATCH/one"
expect_match "verify counts after both" "intact: [0-9]+ frames in 1 segments, 2 sources" "$OUT"
finish
