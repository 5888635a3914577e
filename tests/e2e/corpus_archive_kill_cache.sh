# Crash safety without the dedup cache: as corpus_archive_kill.sh, but
# DATA/dedup.sqlite (with its -wal and -shm) is deleted before half of the
# collects, so the writer must rebuild it from the archive after a kill and
# still store nothing twice; segments are kept small (--segment-size 64 KiB)
# so that the writer also rolls over, and is killed while it does.
# SHOSEKI_KILLS / 2 kills (default 20).
# Skips (77) without the corpus.
source "$(dirname "$0")/../lib/e2e.sh"
need_corpus

inputs=()
for f in sbou_LM_5145_Remote_FileCopy.evtx omer_sysmon.evtx \
  sbou_CA_chrome_firefox_opera_4663.evtx mdec_ID4656-Failed_sethc_replacement_by_CMD.evtx; do
  if [[ -f "$CORPUS/$f" ]]; then inputs+=("$CORPUS/$f"); else fail "corpus file $f is missing"; fi
done

kills=$(( ${SHOSEKI_KILLS:-40} / 2 ))
"$PY" "$SRC/tests/e2e/kill_test.py" --bin "$BIN" --scratch "$SCRATCH/kill" \
  --kills "$(( kills > 0 ? kills : 1 ))" --seed "${SHOSEKI_KILL_SEED:-2}" --tear-rate 0.3 \
  --drop-cache-rate 0.5 --segment-size 65536 "${inputs[@]}"
expect_eq "kill test with the cache deleted (failing states in $SCRATCH/kill/failures)" 0 "$?"

finish
