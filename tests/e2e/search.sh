# Index and searches on generated logs with known answers (truth.json): every
# access found by who / what / timeline; rebuild, incremental indexing and an
# index killed mid-way all give identical answers; searches run while collect
# writes; files private. No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
D=$SCRATCH/data

"$GEN" --out "$SCRATCH/logs" --seed 11 --persons 10 --files 40 --hosts 2 --days 3 --events-per-day 80 >/dev/null
run_cmd collect --data "$D" "$SCRATCH/logs"
expect_eq "collect" 0 "$RC"
run_cmd index --data "$D"
expect_eq "index" 0 "$RC"
expect_match "index summary" "index: [0-9]+ events added from [0-9]+ frames" "$OUT"
expect_eq "index file private" 600 "$(stat -c %a "$D/index.sqlite")"
expect_eq "path index file private" 600 "$(stat -c %a "$D/index-fts.sqlite")"
run_cmd index --data "$D"
expect_match "second run adds nothing" "index: 0 events added" "$OUT"

"$PY" "$(dirname "$0")/search_truth.py" "$BIN" "$D" "$SCRATCH/logs/truth.json"
expect_eq "answers match truth.json" 0 "$?"

dump() { "$BIN" timeline --data "$1" --tz UTC --format csv --no-refresh; }
dump "$D" >"$SCRATCH/full.csv"
who() { "$BIN" what --data "$1" --tz UTC --format csv --no-refresh --summary 'CORP\tanaka'; }
who "$D" >"$SCRATCH/full-what.csv"

# --rebuild gives identical results.
run_cmd index --data "$D" --rebuild
expect_eq "rebuild" 0 "$RC"
expect_eq "rebuild: same timeline" "$(sha256sum <"$SCRATCH/full.csv")" "$(dump "$D" | sha256sum)"
expect_eq "rebuild: same summary" "$(sha256sum <"$SCRATCH/full-what.csv")" "$(who "$D" | sha256sum)"

# Incremental: one file at a time, indexing after each, gives the same index.
D2=$SCRATCH/incr
for f in "$SCRATCH"/logs/*.evtx; do
  "$BIN" -q collect --data "$D2" "$f" >/dev/null || fail "collect $f"
  "$BIN" index --data "$D2" >/dev/null || fail "index after $f"
done
# The archive differs (collection order) but holds the same events: compare without refs.
norefs() { "$PY" -c '
import csv, sys
r = csv.reader(sys.stdin)
h = next(r)
i = h.index("ref")
for row in r:
    print(",".join(row[:i] + row[i + 1:]))'; }
expect_eq "incremental: same timeline" "$(norefs <"$SCRATCH/full.csv" | sha256sum)" "$(dump "$D2" | norefs | sha256sum)"

# A searcher brings the index up to date by itself.
rm -f "$D2"/index.sqlite*
run_cmd what --data "$D2" --tz UTC --format csv --summary 'CORP\tanaka'
expect_eq "search refreshes the index" 0 "$RC"
expect_eq "refreshed summary" "$(sha256sum <"$SCRATCH/full-what.csv")" "$(echo "$OUT" | sha256sum)"

# kill -9 during index, then a re-run: the same answers, nothing twice.
big=$SCRATCH/big
"$GEN" --out "$SCRATCH/biglogs" --seed 12 --persons 30 --files 400 --hosts 2 --days 4 --events-per-day 1500 >/dev/null
"$BIN" -q collect --data "$big" "$SCRATCH/biglogs" >/dev/null || fail "collect big"
"$BIN" index --data "$big" --batch 2000 >/dev/null || fail "index big"
dump "$big" >"$SCRATCH/big.csv"
kills=${SHOSEKI_KILLS:-4}
for i in $(seq 1 "$kills"); do
  "$BIN" index --data "$big" --rebuild --batch 1024 >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  "$BIN" index --data "$big" --batch 1024 >/dev/null 2>&1 || fail "index after kill $i"
  expect_eq "after kill $i: same timeline" "$(sha256sum <"$SCRATCH/big.csv")" "$(dump "$big" | sha256sum)"
done

# Searches while collect writes: never blocked, never an error.
"$GEN" --out "$SCRATCH/more" --seed 13 --persons 30 --files 400 --hosts 2 --days 5 --events-per-day 1500 >/dev/null
"$BIN" -q collect --data "$big" "$SCRATCH/more" >/dev/null &
cpid=$!
errors=0
runs=0
while kill -0 "$cpid" 2>/dev/null; do
  "$BIN" what --data "$big" --summary 'CORP\tanaka' >/dev/null 2>"$SCRATCH/search.err"
  rc=$?
  [[ $rc -le 1 ]] || { errors=$((errors + 1)); cat "$SCRATCH/search.err" >&2; }
  runs=$((runs + 1))
done
wait "$cpid"
expect_eq "collect alongside searches" 0 "$?"
expect_eq "searches during collect failed" 0 "$errors"
echo "searches during collect: $runs"
run_cmd index --data "$big"
expect_eq "index after concurrent collect" 0 "$RC"
total=$("$BIN" timeline --data "$big" --no-refresh --format csv | tail -n +2 | wc -l)
events=$("$BIN" export --data "$big" | wc -l)
expect_eq "index holds every archived event" "$events" "$total"

finish
