# Crash safety, deterministic part: every state a kill of a first collect can
# leave (the reference segment cut at and around each frame boundary, the
# cache gone), and an unfinished tail followed by a new segment whose creation
# stopped after 0, 3 or 8 bytes or inside its SEGMENT frame. Each must verify,
# and re-running the collect must give the same archive content as one
# uninterrupted collect (see kill_test.py --states). Skips (77) without corpus.
source "$(dirname "$0")/../lib/e2e.sh"
need_corpus

"$PY" "$SRC/tests/e2e/kill_test.py" --bin "$BIN" --scratch "$SCRATCH/kill" --kills 0 --states \
  "$CORPUS/sbou_CA_chrome_firefox_opera_4663.evtx"
expect_eq "crash states (failing states are kept in $SCRATCH/kill/failures)" 0 "$?"

finish
