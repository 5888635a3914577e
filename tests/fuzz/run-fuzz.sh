#!/usr/bin/env bash
# Long fuzzing (`make fuzz FUZZ_SECONDS=600`): every libFuzzer target of BUILD_DIR
# for SECONDS each, on a copy of its seeds; crashes are kept as regression seeds
# in tests/fuzz/regressions/<target>/ (replayed by ctest from then on).
set -euo pipefail
build=$1
seconds=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
status=0
export LSAN_OPTIONS=suppressions=$here/lsan.supp
for bin in "$build"/tests/fuzz/fuzz_*; do
  [[ -x "$bin" ]] || continue
  target=${bin##*/fuzz_}
  work=$(mktemp -d)
  cp "$here/corpus/$target"/* "$work/"
  mkdir -p "$here/regressions/$target"
  echo "fuzz: $target for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -artifact_prefix="$here/regressions/$target/" "$work"; then
    echo "fuzz: $target found a crash; kept in tests/fuzz/regressions/$target/" >&2
    status=1
  fi
  rm -rf "$work"
done
exit $status
