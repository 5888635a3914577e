# Concurrency (issue 10): searches in a loop while collect and index run at once on a growing
# input (files arriving one by one): no error, counts never go down, no partial batch visible,
# and at the end every archived event indexed once (see concurrency_test.py). No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}

for seed in 31 32 33; do
  "$GEN" --out "$SCRATCH/logs$seed" --seed "$seed" --persons 15 --files 120 --hosts 2 --days 2 \
    --events-per-day 1200 >/dev/null
done
"$PY" "$(dirname "$0")/concurrency_test.py" "$BIN" "$SCRATCH/data" "$SCRATCH/in" \
  "$SCRATCH/logs31" "$SCRATCH/logs32" "$SCRATCH/logs33"
expect_eq "searches during collect and index" 0 "$?"
finish
