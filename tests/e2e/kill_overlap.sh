# Crash safety while a file's original blocks are stored on their own thread, overlapped with
# decoding and storing its events (docs/decisions.md, "Storing the blocks beside the events"):
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
finish
