# Crash safety of the archive (issue 3, point 5): `collect` is killed with
# SIGKILL at SHOSEKI_KILLS (default 40) moments spread over its run (some at
# startup, some tearing its last write or its segment creation, see
# kill_test.py); after every kill `verify` must accept the archive and nothing
# written before may change; re-running the collect must end with exactly the
# events, blocks and sources of one uninterrupted collect, and a second re-run
# must add nothing. SHOSEKI_KILL_SEED picks another fixed sequence of kills.
# Skips (77) without the corpus.
source "$(dirname "$0")/../lib/e2e.sh"
need_corpus

inputs=()
for f in sbou_LM_5145_Remote_FileCopy.evtx omer_sysmon.evtx \
  sbou_CA_chrome_firefox_opera_4663.evtx mdec_ID4656-Failed_sethc_replacement_by_CMD.evtx; do
  if [[ -f "$CORPUS/$f" ]]; then inputs+=("$CORPUS/$f"); else fail "corpus file $f is missing"; fi
done

"$PY" "$SRC/tests/e2e/kill_test.py" --bin "$BIN" --scratch "$SCRATCH/kill" \
  --kills "${SHOSEKI_KILLS:-40}" --seed "${SHOSEKI_KILL_SEED:-1}" --tear-rate 0.3 "${inputs[@]}"
expect_eq "kill test (failing states are kept in $SCRATCH/kill/failures)" 0 "$?"

finish
