# Tampering (issues 3, 10): an archive of the generated sample logs, in several segments, altered
# in every way the issues name, crafted and at random (SHOSEKI_TAMPERS, default 300; 1000 in
# `make stress`); verify must exit 4 naming the segment, never crash.
source "$(dirname "$0")/../lib/e2e.sh"
run_cmd collect --data "$SCRATCH/good" --segment-size 8K "$SRC/samples/evtx"
expect_eq "collect good" 0 "$RC"
run_cmd collect --data "$SCRATCH/other" --segment-size 8K "$SRC/samples/evtx/Security-FS02.evtx"
expect_eq "collect other" 0 "$RC"
run_cmd verify --data "$SCRATCH/good"
expect_eq "good verifies" 0 "$RC"
"$PY" "$(dirname "$0")/archive_tamper.py" "$BIN" "$SCRATCH/good" "$SCRATCH/other" "$SCRATCH"
expect_eq "every alteration detected" 0 "$?"
finish
