#!/usr/bin/env bash
# Scale-out benchmark (issue 12): EVENTS events (shoseki-bench gen, through the
# archive API), the local index for comparison, two ClickHouse shards on this
# machine, `shoseki ship --create --cluster` (events/s), then the same lookups
# against the index and against ClickHouse through the CLI (median of RUNS
# runs, milliseconds): `what` of 10 persons, `who` of 10 files, a folder.
# Prints a Markdown section on stdout. Stops the servers it started.
#
# usage: bench/clickhouse.sh SHOSEKI SHOSEKI_BENCH [EVENTS] [PERSONS] [FILES] [WORK]
set -euo pipefail
bin=$1
tool=$2
events=${3:-1000000}
persons=${4:-2000}
files=${5:-100000}
work=${6:-$(mktemp -d)}
runs=${RUNS:-5}
source "$(dirname "$0")/../tests/lib/clickhouse.sh"
trap ch_stop_all EXIT
mkdir -p "$work"
data=$work/data
rm -rf "$work/ch" "$data"/ship-*.pos
if [[ -z ${REUSE:-} || ! -f $work/index.time ]]; then # REUSE=1: the events and index of a past run
  rm -rf "$data"
  "$tool" gen "$data" "$work/scratch" "$events" "$persons" "$files" 8 1 >/dev/null
  rm -rf "$work/scratch"
  /usr/bin/time -f '%e' -o "$work/index.time" "$bin" index --data "$data" >/dev/null
fi
base=$(ch_free_base)
ch_start "$work/ch" a "$base" $((base + 1)) $((base + 1)) $((base + 3))
ch_start "$work/ch" b $((base + 2)) $((base + 3)) $((base + 1)) $((base + 3))
url=http://127.0.0.1:$base
/usr/bin/time -f '%e %M' -o "$work/ship.time" "$bin" ship --data "$data" --clickhouse "$url" \
  --clickhouse "http://127.0.0.1:$((base + 2))" --create --cluster shoseki2 --table ev >"$work/ship.out"
read -r ssecs srss <"$work/ship.time"
ondisk=$(for p in $base $((base + 2)); do
  curl -s "http://127.0.0.1:$p" --data-binary \
    "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND (table = 'ev_local' OR table LIKE '.inner.ev_%')"
done | awk '{s += $1} END {print s}')
curl -s "$url" --data-binary "SELECT pkey FROM ev WHERE position(pkey, '\\\\') = 0 GROUP BY pkey ORDER BY cityHash64(pkey) LIMIT 10" >"$work/persons"
curl -s "$url" --data-binary "SELECT path FROM ev WHERE path != '' GROUP BY path ORDER BY cityHash64(path) LIMIT 10" >"$work/paths"

# median_ms CMD...: median wall time of `runs` runs of every line of the current list.
median_ms() {
  local t
  for _ in $(seq 1 "$runs"); do
    t=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    echo $((($(date +%s%N) - t) / 1000000))
  done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
lookups() { # KIND LISTFILE BACKEND-ARGS...
  local kind=$1 list=$2 v all=()
  shift 2
  while IFS= read -r v; do
    all+=("$(median_ms "$bin" "$kind" "$v" --data "$data" --format csv "$@")")
  done <"$list"
  printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] " (max " a[NR] ")"}'
}
be=(--backend "clickhouse://127.0.0.1:$base/ev")
folder=$(head -1 "$work/paths" | sed 's/[^\\]*$//')
echo "$folder" >"$work/folder"
rows_what=$("$bin" what "$(head -1 "$work/persons")" --data "$data" --format csv --no-refresh | wc -l)

cat <<EOF_MD
### ClickHouse: $events events, 2 shards on one machine

$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, ClickHouse $(curl -s "$url" --data-binary 'SELECT version()'), shoseki $(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo "?").

| step | result |
|---|---|
| local index (for comparison) | $(cat "$work/index.time") s |
| ship (gzip TabSeparated, insert_distributed_sync=1) | $ssecs s, $(awk -v e="$events" -v s="$ssecs" 'BEGIN {printf "%.0f", e / s}') events/s, peak RSS $((srss / 1024)) MB |
| on disk, both shards (events, by-path view, persons view) | $((ondisk / 1048576)) MB ($(awk -v b="$ondisk" -v e="$events" 'BEGIN {printf "%.1f", b / e}') bytes/event) |
| \`what PERSON\` (about $rows_what rows), 10 persons, ms | index $(lookups what "$work/persons" --no-refresh), ClickHouse $(lookups what "$work/persons" "${be[@]}") |
| \`who FILE\`, 10 files, ms | index $(lookups who "$work/paths" --no-refresh), ClickHouse $(lookups who "$work/paths" "${be[@]}") |
| \`who FOLDER\\\\\`, one folder, ms | index $(lookups who "$work/folder" --no-refresh), ClickHouse $(lookups who "$work/folder" "${be[@]}") |
EOF_MD
