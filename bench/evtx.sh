#!/usr/bin/env bash
# EVTX benchmark: reading generated Security logs with `collect --dry-run`
# against libevtx's own `evtxexport -f xml` on the same files in the same run
# (a ratio, because these machines are noisy), then storing them in the
# archive, its size against zstd -3 / -19, and each step's peak RSS.
# Prints a Markdown section on stdout.
#
# usage: bench/evtx.sh SHOSEKI_BINARY SHOSEKI_GEN_BINARY MEGABYTES [RUNS] [WORKDIR]
set -euo pipefail
bin=$1
gen=$2
mb=$3
runs=${4:-3}
work=${5:-$(mktemp -d)}
mkdir -p "$work"
trap 'rm -rf "$work/in" "$work/d"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # run a command, print "SECONDS KIB" (stdout discarded)
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
  tail -1 "$work/time"
}
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1048576 / s; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# About 0.25 MB of Security log per 1000 accesses (measured with these settings).
days=10
per_day=$(( mb * 4000 / days ))
[[ $per_day -lt 20 ]] && per_day=20
rm -rf "$work/in"
"$gen" --out "$work/in" --seed 42 --persons 2000 --files 4000 --hosts 4 --days "$days" \
  --events-per-day "$per_day" --no-truth
inputs=("$work"/in/Security-*.evtx)
bytes=$(cat "${inputs[@]}" | wc -c | tr -d ' ')
records=$("$bin" collect --dry-run --all-events -o jsonl "${inputs[@]}" 2>/dev/null | wc -l | tr -d ' ')

ref=(); dry=(); store=()
for i in $(seq "$runs"); do
  ref+=("$(measure bash -c 'for f in "$@"; do evtxexport -f xml "$f"; done' _ "${inputs[@]}")")
  dry+=("$(measure "$bin" collect --dry-run -o jsonl "${inputs[@]}")")
  rm -rf "$work/d"
  store+=("$(measure "$bin" collect --data "$work/d" "${inputs[@]}")")
done
col() { printf '%s\n' "$@" | cut -d' ' -f"$col_n" | median; }
col_n=1; ref_s=$(col "${ref[@]}"); dry_s=$(col "${dry[@]}"); store_s=$(col "${store[@]}")
col_n=2; ref_kb=$(col "${ref[@]}"); dry_kb=$(col "${dry[@]}"); store_kb=$(col "${store[@]}")
archive=$(du -cb "$work"/d/archive/seg-*.sho | tail -1 | cut -f1)
z3=$(cat "${inputs[@]}" | zstd -q -c -3 -T0 | wc -c | tr -d ' ')
z19=$(cat "${inputs[@]}" | zstd -q -c -19 -T0 | wc -c | tr -d ' ')

cat <<EOT
## Reading EVTX (\`collect\`)

Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, release build; \`bench/evtx.sh\`, median of
$runs runs. Input: $((${#inputs[@]})) Security logs written by \`shoseki-gen --seed 42\` (4 file
servers, 2000 persons), $bytes bytes, $records records.

| step | seconds | MB/s | records/s | peak RSS (KiB) |
|---|---:|---:|---:|---:|
| libevtx \`evtxexport -f xml\` (reference) | $ref_s | $(mbs "$bytes" "$ref_s") | $(awk -v r="$records" -v s="$ref_s" 'BEGIN { printf "%.0f", r / s }') | $ref_kb |
| \`shoseki collect --dry-run -o jsonl\` | $dry_s | $(mbs "$bytes" "$dry_s") | $(awk -v r="$records" -v s="$dry_s" 'BEGIN { printf "%.0f", r / s }') | $dry_kb |
| \`shoseki collect\` into a new archive | $store_s | $(mbs "$bytes" "$store_s") | $(awk -v r="$records" -v s="$store_s" 'BEGIN { printf "%.0f", r / s }') | $store_kb |

\`collect --dry-run\` reads at $(ratio "$ref_s" "$dry_s") times the speed of \`evtxexport\` (target for our own
decoder: at least 40); storing keeps $(awk -v d="$dry_s" -v s="$store_s" 'BEGIN { printf "%.0f", 100 * d / s }') % of the dry run's speed.

| size | bytes | vs input |
|---|---:|---:|
| input | $bytes | 1.000 |
| shoseki archive | $archive | $(ratio "$archive" "$bytes") |
| \`zstd -3\` | $z3 | $(ratio "$z3" "$bytes") |
| \`zstd -19\` | $z19 | $(ratio "$z19" "$bytes") |
EOT
