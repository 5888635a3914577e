# A small run of the benchmark suite (bench/evtx.sh) so that `make bench` cannot rot:
# it must generate its input, measure every step and print its tables.
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
finish
