# Helpers for the shell-driven tests in tests/e2e/ (sourced, not run).
# Each test is called as: bash TEST.sh SHOSEKI_BINARY SOURCE_DIR SCRATCH_DIR
set -uo pipefail
BIN=$1
SRC=$2
SCRATCH=$3
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
PY=/usr/bin/python3
fails=0
passes=0

ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [[ "$2" == "$3" ]]; then ok; else fail "$1: expected '$2', got '$3'"; fi
}

# expect_match WHAT REGEX TEXT
expect_match() {
  if [[ "$3" =~ $2 ]]; then ok; else fail "$1: '$3' does not match /$2/"; fi
}

# run_cmd ARGS... : runs the binary, sets OUT, ERR, RC
run_cmd() {
  "$BIN" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
  RC=$?
  OUT=$(cat "$SCRATCH/out")
  ERR=$(cat "$SCRATCH/err")
}

# jq_count FILTER-PYTHON-EXPR : count JSON lines in $SCRATCH/out where expr(e) is true
jq_count() {
  "$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if eval(sys.argv[2]):
        n += 1
print(n)' "$SCRATCH/out" "$1"
}

need_corpus() {
  if [[ -z "${SHOSEKI_CORPUS:-}" || ! -d "${SHOSEKI_CORPUS}/evtx" ]]; then
    echo "skipped: SHOSEKI_CORPUS is not set to a directory with evtx/ (public sample logs)"
    exit 77
  fi
  CORPUS=$SHOSEKI_CORPUS/evtx
}

finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
