# Crash safety of collect and index together (issue 10): kill -9 delivered to `collect` and to
# `index` at SHOSEKI_KILLS (default 10; 200 in `make stress`) random moments over generated
# multi-file input; after each, verify passes with the previous head and the index holds whole
# batches only; at the end the archive and the index hold exactly the events of one
# uninterrupted run (see kill_index_test.py). SHOSEKI_KILL_SEED picks another sequence.
# No corpus needed (corpus_archive_kill*.sh do the same for collect on the public logs).
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}

"$GEN" --out "$SCRATCH/logs" --seed 21 --persons 20 --files 200 --hosts 2 --days 3 \
  --events-per-day 1500 >/dev/null
"$PY" "$(dirname "$0")/kill_index_test.py" "$BIN" "$SCRATCH/kill" "${SHOSEKI_KILLS:-10}" \
  "${SHOSEKI_KILL_SEED:-1}" "$SCRATCH"/logs/*.evtx
expect_eq "kill -9 of collect and index" 0 "$?"
finish
