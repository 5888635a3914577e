# A small run of the benchmark suite (bench/evtx.sh, bench/csv.sh, bench/exports.sh) so that `make bench`
# cannot rot: it must generate its input, measure every step and print its tables.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
out=$(bash "$SRC/bench/evtx.sh" "$BIN" "$GEN" 2 1 "$SCRATCH" 2>&1)
expect_eq "bench exit" 0 "$?"
expect_match "reference row" "\\| libevtx \`evtxexport -f xml\` \\(reference\\) \\| [0-9.]+ \\| [0-9.]+ \\|" "$out"
expect_match "dry-run row" "\\| \`shoseki collect --dry-run -o jsonl\` \\| [0-9.]+ \\| [0-9.]+ \\| [0-9]+ \\| [0-9]+ \\|" "$out"
expect_match "one-thread row" "\\| \`shoseki collect --dry-run -o jsonl --threads 1\` \\| [0-9.]+ \\| [0-9.]+ \\|" "$out"
expect_match "libevtx decoder row" "\\| \`shoseki collect --dry-run -o jsonl --decoder libevtx\` \\| [0-9.]+ \\|" "$out"
expect_match "archive row" "\\| shoseki archive \\| [0-9]+ \\| [0-9.]+ \\|" "$out"
expect_match "ratio sentence" "reads at [0-9.]+ times the speed of" "$out"
expect_match "one-core sentence" "One thread reads[[:space:]]+[0-9.]+ MB/s" "$out"

# bench/index.sh on 20000 events: every row of its tables.
TOOL=$(dirname "$BIN")/shoseki-bench
out=$(bash "$SRC/bench/index.sh" "$BIN" "$TOOL" 20000 50 2000 "$SCRATCH/index" 2>&1)
expect_eq "index bench exit" 0 "$?"
expect_match "index from scratch" "\| \`shoseki index\` from scratch \| [0-9.]+ s, [0-9]+ events/s" "$out"
expect_match "bytes per event" "\| index files \| [0-9]+ MiB, [0-9.]+ bytes per event" "$out"
expect_match "who PATH latency" "\| who PATH \| 200 \| [0-9.]+ \| [0-9.]+ \|" "$out"
expect_match "like latency" "\| who --like \| 200 \| [0-9.]+ \| [0-9.]+ \|" "$out"
expect_match "CLI who latency" "\\| \`who PATH\` \\| 30 \\| [0-9]+ \\| [0-9]+ \\| [0-9]+ \\|" "$out"
expect_match "CLI scope latency" "\\| \`scope --user PERSON --depth 2\` over a month \\| 20 persons \\| [0-9]+ \\| [0-9]+ \\| [0-9]+ \\|" "$out"

# bench/csv.sh on 1 MB exports: every row of its table.
out=$(bash "$SRC/bench/csv.sh" "$BIN" 1 1 "$SCRATCH/csv" 2>&1)
expect_eq "csv bench exit" 0 "$?"
expect_match "csv dry-run row" "\| NAS: \`shoseki collect --dry-run -o jsonl --csv-map\` \| [0-9.]+ \| [0-9a-z/]+ \| [0-9.]+ \|" "$out"
expect_match "csv store row" "\| NAS: \`shoseki collect --csv-map\` into a new archive \| [0-9.]+ \|" "$out"
expect_match "csv winevent row" "\| Get-WinEvent: \`shoseki collect --dry-run -o jsonl\` \| [0-9.]+ \|" "$out"
expect_match "csv events counted" "[1-9][0-9]*[[:space:]]+file events" "$out"

# Nightly exports of a 1 MiB log, 3 nights: 16 chunks each, 3 new a night.
out=$(bash "$SRC/bench/exports.sh" "$BIN" "$GEN" 1 3 "$SCRATCH/exports" 2>&1)
expect_eq "exports exit" 0 "$?"
expect_match "exports heading" "### Size: a full 1 MiB Security log exported for 3 nights" "$out"
expect_match "exports archive row" "\\| \\*\\*shoseki archive\\*\\* .* \\| [0-9]+ \\| [0-9.]+ \\| \\*\\*[0-9.]+\\*\\* \\|" "$out"
expect_match "exports events row" "of which events \\(EVENTS frames, [0-9.]+ bytes per event\\) \\| [1-9][0-9]* \\|" "$out"
expect_match "exports long row" "\\| \`zstd -19 --long=27\` of all exports as one stream \\| [1-9][0-9]* \\|" "$out"
# bench/html.sh on 5000 events: its table (the browser row says "not measured" without chromium).
out=$(bash "$SRC/bench/html.sh" "$BIN" "$TOOL" 5000 50 500 "$SCRATCH/html" 2>&1)
expect_eq "html bench exit" 0 "$?"
expect_match "html generation row" "\| \`report html\` \(selection, aggregation, marks, page\) \| [0-9.]+ s, peak RSS [0-9]+ MiB \|" "$out"
expect_match "html size row" "\| page size \| [0-9]+ KiB \|" "$out"
expect_match "html events" "5000 events, 50 persons" "$out"
finish
