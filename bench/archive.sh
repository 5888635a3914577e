#!/usr/bin/env bash
# Archive benchmark (issue "the archive"): archive size against the input and
# against zstd -3 / -19 of the same bytes, the rolling-export cases (small
# ones cut from the public corpus, then a full Security log of realistic size
# in bench/exports.sh), and the cost of storing against `collect --dry-run`,
# all measured in one run on this machine. Prints a Markdown section on stdout.
#
# usage: bench/archive.sh SHOSEKI_BINARY CORPUS_EVTX_DIR [RUNS] [SHOSEKI_GEN_BINARY]
# Environment: BENCH_LOG_MIB (default 20) and BENCH_NIGHTS (default 7) size the
# realistic case; BENCH_LARGE_MIB (unset: skipped) adds a second, larger log.
set -euo pipefail
bin=$1
corpus=$2
runs=${3:-5}
gen=${4:-$(dirname "$bin")/shoseki-gen}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bytes() { cat "$@" | wc -c | tr -d ' '; }
zbytes() { local lvl=$1; shift; cat "$@" | zstd -q -c "$lvl" | wc -c | tr -d ' '; }
archive_bytes() { du -cb "$1"/archive/seg-*.sho | tail -1 | cut -f1; }

# Time one command (wall seconds) and its peak RSS (KiB): prints "SECONDS KIB".
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
  tail -1 "$work/time"
}

inputs=("$corpus"/*.evtx)
total=$(bytes "${inputs[@]}")

# 1. The public corpus: every file once.
rm -rf "$work/d1"
"$bin" collect --data "$work/d1" "${inputs[@]}" >/dev/null 2>&1 || true
a1=$(archive_bytes "$work/d1")
z3=$(zbytes -3 "${inputs[@]}")
z19=$(zbytes -19 "${inputs[@]}")

# 2. Rolling exports: each night's copy of a growing log shares the night before.
/usr/bin/python3 "$here/make_exports.py" "$corpus/omer_security.evtx" "$work/exp" 7 4 4 >/dev/null
/usr/bin/python3 "$here/make_exports.py" "$corpus/sbou_LM_5145_Remote_FileCopy.evtx" "$work/exp2" 4 4 4 >/dev/null
exports=("$work"/exp/*.evtx "$work"/exp2/*.evtx)
etotal=$(bytes "${exports[@]}")
rm -rf "$work/d2"
"$bin" collect --data "$work/d2" "${exports[@]}" >/dev/null 2>&1 || true
a2=$(archive_bytes "$work/d2")
ez3=$(zbytes -3 "${exports[@]}")
ez19=$(zbytes -19 "${exports[@]}")
ez19l=$(cat "${exports[@]}" | zstd -q -c -19 --long=27 | wc -c | tr -d ' ')
ez19each=0
for f in "${exports[@]}"; do
  ez19each=$((ez19each + $(zstd -q -c -19 "$f" | wc -c)))
done

# 3. A full Security log exported nightly, at a realistic size (and a larger one on demand).
"$here/exports.sh" "$bin" "$gen" "${BENCH_LOG_MIB:-20}" "${BENCH_NIGHTS:-7}" "$work/x" >"$work/full.md"
if [[ -n "${BENCH_LARGE_MIB:-}" ]]; then
  "$here/exports.sh" "$bin" "$gen" "$BENCH_LARGE_MIB" "${BENCH_NIGHTS:-7}" "$work/x" >"$work/large.md"
else
  : >"$work/large.md"
fi

# 4. Throughput and memory: dry run against storing, same inputs, median of RUNS.
dry=()
store=()
for i in $(seq "$runs"); do
  dry+=("$(measure "$bin" collect --dry-run -o jsonl "${inputs[@]}")")
  rm -rf "$work/d3"
  store+=("$(measure "$bin" collect --data "$work/d3" "${inputs[@]}")")
done
dry_s=$(printf '%s\n' "${dry[@]}" | cut -d' ' -f1 | median)
store_s=$(printf '%s\n' "${store[@]}" | cut -d' ' -f1 | median)
dry_rss=$(printf '%s\n' "${dry[@]}" | cut -d' ' -f2 | median)
store_rss=$(printf '%s\n' "${store[@]}" | cut -d' ' -f2 | median)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1048576 / s; else print "n/a" }'; }

cat <<EOT
## Archive (\`collect\` into the archive)

Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)), release build, libevtx decoder;
\`bench/archive.sh\`, median of $runs runs where timed.

### Size: the public corpus ($((${#inputs[@]})) files, each collected once)

| | bytes | vs input |
|---|---:|---:|
| input | $total | 1.000 |
| shoseki archive (originals + events + chain) | $a1 | $(ratio "$a1" "$total") |
| \`zstd -3\` of the input | $z3 | $(ratio "$z3" "$total") |
| \`zstd -19\` of the input | $z19 | $(ratio "$z19" "$total") |

### Size: rolling nightly exports cut from the public corpus ($((${#exports[@]})) exports of two growing logs)

| | bytes | vs input |
|---|---:|---:|
| input (all exports) | $etotal | 1.000 |
| shoseki archive | $a2 | $(ratio "$a2" "$etotal") |
| \`zstd -3\` of all exports | $ez3 | $(ratio "$ez3" "$etotal") |
| \`zstd -19\` of each export, summed (how exports are usually kept) | $ez19each | $(ratio "$ez19each" "$etotal") |
| \`zstd -19\` of all exports as one stream | $ez19 | $(ratio "$ez19" "$etotal") |
| \`zstd -19 --long=27\` of all exports as one stream | $ez19l | $(ratio "$ez19l" "$etotal") |

Against each export compressed on its own the archive is $(ratio "$a2" "$ez19each") times the size;
against one \`zstd -19\` stream over all of them, $(ratio "$a2" "$ez19") times. These logs are
small: the whole series ($etotal bytes) fits in zstd -19's 8 MiB window, so one stream finds
every repeat, and the archive also stores the normalized events. Real exports are larger:

$(cat "$work/full.md")

<!-- large-exports -->

$(cat "$work/large.md")

<!-- /large-exports -->

### Speed and memory (the public corpus, $total bytes)

| step | seconds | MB/s | peak RSS (KiB) |
|---|---:|---:|---:|
| \`collect --dry-run -o jsonl\` | $dry_s | $(mbs "$total" "$dry_s") | $dry_rss |
| \`collect\` into a new archive | $store_s | $(mbs "$total" "$store_s") | $store_rss |

Storing keeps $(awk -v d="$dry_s" -v s="$store_s" 'BEGIN { printf "%.0f", 100 * d / s }') % of the dry run's throughput (target: at least 80 %).
EOT
