#!/usr/bin/env bash
# run-fuzz.sh: long fuzzing for developers (`make fuzz FUZZ_SECONDS=600`).
# Runs every libFuzzer binary of BUILD_DIR (tests/fuzz/fuzz_*, built by a clang
# configure) for SECONDS each, one after the other, on a scratch copy of its
# seeds plus its past regressions, with its dictionary when it has one. The
# seed corpus in the source tree is never modified. A crash, leak, timeout or
# out-of-memory input is kept in tests/fuzz/regressions/<target>/, where
# ctest's fuzz/replay_<target> replays it from then on: commit it with the fix.
#
# usage: tests/fuzz/run-fuzz.sh BUILD_DIR [SECONDS] [TARGET...]
# exit:  0 no findings, 1 at least one target found something, 2 usage
set -euo pipefail

if [[ $# -lt 1 || ! -d $1 ]]; then
  echo "usage: $0 BUILD_DIR [SECONDS] [TARGET...]" >&2
  exit 2
fi
build=$1
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
here=$(cd "$(dirname "$0")" && pwd)
export LSAN_OPTIONS=suppressions=$here/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for bin in "$build"/tests/fuzz/fuzz_*; do
    [[ -x $bin && -f $bin ]] && targets+=("${bin##*/fuzz_}")
  done
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "run-fuzz: no fuzz_* binaries in '$build/tests/fuzz' (configure with clang)" >&2
  exit 2
fi

status=0
for target in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$target
  if [[ ! -x $bin ]]; then
    echo "run-fuzz: no binary '$bin'" >&2
    status=1
    continue
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/shoseki-fuzz-$target.XXXXXX")
  mkdir "$work/corpus" "$work/artifacts"
  cp "$here/corpus/$target"/* "$work/corpus/"
  if [[ -d $here/regressions/$target ]]; then
    cp "$here/regressions/$target"/* "$work/corpus/" 2>/dev/null || true
  fi
  dict=()
  [[ -f $here/$target.dict ]] && dict=("-dict=$here/$target.dict")
  echo "run-fuzz: $target for ${seconds}s"
  if "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/" ${dict[@]+"${dict[@]}"} "$work/corpus"; then
    :
  else
    status=1
  fi
  # Keep the findings libFuzzer wrote; slow-unit-* inputs are not failures.
  for found in "$work/artifacts"/crash-* "$work/artifacts"/leak-* "$work/artifacts"/timeout-* \
      "$work/artifacts"/oom-*; do
    [[ -f $found ]] || continue
    mkdir -p "$here/regressions/$target"
    cp "$found" "$here/regressions/$target/"
    echo "run-fuzz: $target: kept tests/fuzz/regressions/$target/${found##*/}" >&2
    status=1
  done
  rm -rf "$work"
done
exit $status
