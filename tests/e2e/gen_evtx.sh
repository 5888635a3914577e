# shoseki-gen: generated EVTX files are valid (libevtx and python-evtx read
# every record alike, CRCs check), the same seed gives the same bytes, and
# shoseki finds in them exactly what truth.json says happened. No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}

"$GEN" --out "$SCRATCH/a" --seed 7 --days 3 --events-per-day 60
expect_eq "gen exit" 0 "$?"
"$GEN" --out "$SCRATCH/b" --seed 7 --days 3 --events-per-day 60
expect_eq "same seed, same bytes" "$(cd "$SCRATCH/a" && sha256sum * | sha256sum)" \
  "$(cd "$SCRATCH/b" && sha256sum * | sha256sum)"
"$GEN" --out "$SCRATCH/c" --seed 8 --days 3 --events-per-day 60
[[ "$(sha256sum <"$SCRATCH/a/Security-FS01.evtx")" != "$(sha256sum <"$SCRATCH/c/Security-FS01.evtx")" ]] && ok || fail "another seed gives the same bytes"

out=$("$PY" "$(dirname "$0")/gen_check.py" readers "$SCRATCH/a" 2>&1)
expect_eq "libevtx and python-evtx agree" 0 "$?"
expect_match "readers summary" "readers: [0-9]+ records checked" "$out"
echo "$out" | tail -1

# python-evtx also checks every chunk's and the header's CRC32.
crc=$("$PY" -c '
import sys, glob
import Evtx.Evtx as e
bad = 0
for p in glob.glob(sys.argv[1] + "/*.evtx"):
    with e.Evtx(p) as log:
        h = log.get_file_header()
        bad += (not h.verify()) + sum(not c.verify() for c in h.chunks())
print(bad)' "$SCRATCH/a")
expect_eq "all CRC32s verify" 0 "$crc"

run_cmd collect --dry-run -o jsonl "$SCRATCH/a"
expect_eq "collect reads everything" 0 "$RC"
expect_match "collect summary" "4 files read, 0 unreadable; [0-9]+ records read, [0-9]+ events, 0 skipped" "$ERR"
out=$("$PY" "$(dirname "$0")/gen_check.py" truth "$SCRATCH/a" "$SCRATCH/out" 2>&1)
expect_eq "truth holds" 0 "$?"
echo "$out"

# Japanese names and paths survive end to end.
expect_eq "kanji account" 1 "$(jq_count 'e.get("user") == "鈴木" and e["event_id"] == 4624' | awk '{print ($1 > 0)}')"
expect_eq "kanji path" 1 "$(jq_count '"個人番号一覧" in e.get("path", "")' | awk '{print ($1 > 0)}')"

# Stored: the collector's copies in ForwardedEvents are the servers' own records (same host,
# channel, record id and time), so each is stored once.
fwd=$("$PY" -c '
import sys, Evtx.Evtx as e
with e.Evtx(sys.argv[1]) as log:
    print(sum(1 for _ in log.records()))' "$SCRATCH/a/ForwardedEvents.evtx")
run_cmd collect --data "$SCRATCH/data" "$SCRATCH/a"
expect_eq "store exit" 0 "$RC"
expect_match "forwarded copies are duplicates" "collect: [0-9]+ events stored, $fwd duplicates skipped" "$OUT"
run_cmd verify --data "$SCRATCH/data"
expect_eq "verify generated archive" 0 "$RC"

# A bigger run spans many chunks in every file.
"$GEN" --out "$SCRATCH/big" --seed 3 --days 5 --events-per-day 400 --persons 20 --files 200
run_cmd collect --dry-run --all-events -o jsonl "$SCRATCH/big"
expect_eq "big collect" 0 "$RC"
chunks=$(( ($(stat -c %s "$SCRATCH/big/Security-FS01.evtx") - 4096) / 65536 ))
[[ $chunks -gt 10 ]] && ok || fail "only $chunks chunks"
out=$("$PY" "$(dirname "$0")/gen_check.py" truth "$SCRATCH/big" "$SCRATCH/out" 2>&1)
expect_eq "big truth holds" 0 "$?"

# Decoding threads prepare each record's normalization and the caller's thread finishes it in
# record order (the handle table gives 4658/4660 their paths): any number of threads writes the
# same bytes as one, with the default filter that depends on those paths.
one=$("$BIN" collect --dry-run -o jsonl --threads 1 "$SCRATCH/big" 2>/dev/null | sha256sum)
for t in 2 3 5; do
  expect_eq "--threads $t writes what one thread writes" "$one" \
    "$("$BIN" collect --dry-run -o jsonl --threads "$t" "$SCRATCH/big" 2>/dev/null | sha256sum)"
done
deletes=$("$BIN" collect --dry-run -o jsonl --threads 2 "$SCRATCH/big" 2>/dev/null |
  grep -c '"event_id":4660,.*"path":"')
[[ $deletes -gt 0 ]] && ok || fail "no 4660 with a path resolved through the handle table"

finish
