#!/usr/bin/env bash
# Index benchmark (issue "index and searches"): EVENTS events of PERSONS persons
# and FILES files over a year (shoseki-bench gen, written through the archive
# API like collect), then `shoseki index` from scratch (events/s, peak RSS),
# the index's bytes per event by table, an incremental run that finds nothing
# new, and search latency (p50/p95/max, in-process and through the CLI).
# Prints a Markdown section on stdout.
#
# usage: bench/index.sh SHOSEKI_BINARY SHOSEKI_BENCH_BINARY [EVENTS] [PERSONS] [FILES] [WORK]
set -euo pipefail
bin=$1
tool=$2
events=${3:-10000000}
persons=${4:-2000}
files=${5:-500000}
hosts=8
work=${6:-}
if [[ -z "$work" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
data=$work/data

/usr/bin/time -f '%e %M' -o "$work/gen.time" "$tool" gen "$data" "$work/scratch" "$events" \
  "$persons" "$files" "$hosts" 1 >/dev/null
rm -rf "$work/scratch"
sync # the generator's writes go to disk now, not while the index is being timed
/usr/bin/time -f '%e %M' -o "$work/index.time" "$bin" index --data "$data" >"$work/index.out"
read -r isecs irss <"$work/index.time"
/usr/bin/time -f '%e %M' -o "$work/again.time" "$bin" index --data "$data" >/dev/null
read -r asecs _ <"$work/again.time"
# Both files of the index: the events and the trigram index of paths (index-fts.sqlite).
ibytes=$(cat "$data/index.sqlite" "$data/index-fts.sqlite" | wc -c)
abytes=$(du -cb "$data"/archive/seg-*.sho | tail -1 | cut -f1)
"$tool" query "$data" 200 "$persons" "$files" "$hosts" 7 >"$work/query.out"

# CLI end to end (process start, index check, search, CSV out). Each helper prints
# "P50_MS P95_MS PEAK_RSS_KIB" over the runs it is given.
cli_stats() { # cli_stats RUNS COMMAND... (the same command RUNS times)
  local runs=$1 i
  shift
  for i in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/cli.time" "$@" >/dev/null 2>&1 || true
    cat "$work/cli.time"
  done | cli_summary
}
cli_summary() { # lines "SECONDS KIB" -> p50 ms, p95 ms, max KiB
  sort -n | awk '{t[NR] = $1 * 1000; if ($2 > m) m = $2}
    END {k = int(NR * 0.95); if (k < 1) k = 1; printf "%.0f %.0f %d", t[int((NR + 1) / 2)], t[k], m}'
}
file_path='\\FS01.corp.example.jp\jinji\project000\個人番号_0000000.xlsx'
read -r who_p50 who_ms who_kb <<<"$(cli_stats 30 "$bin" who --data "$data" "$file_path" --format csv)"
read -r what_p50 what_ms what_kb <<<"$(cli_stats 30 "$bin" what --data "$data" user00001 \
  --since 2025-03-01 --until 2025-03-31 --format csv)"
# scope --depth 2 over a month from 20 persons spread over the workload (not the busiest).
read -r scope_p50 scope_ms scope_kb <<<"$(
  for i in $(seq 1 20); do
    p=$(( (i * 97 + 1) % persons ))
    [[ $((p % 5)) -eq 0 ]] && p=$((p + 1))
    /usr/bin/time -f '%e %M' -o "$work/cli.time" "$bin" scope --data "$data" \
      --user "$(printf 'user%05d' "$p")" --depth 2 --since 2025-03-01 --until 2025-03-31 \
      --format csv >/dev/null 2>&1 || true
    cat "$work/cli.time"
  done | cli_summary)"

echo "## Index and searches ($events events, $persons persons, $files files, $hosts servers, a year)"
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores; events written by \`shoseki-bench gen\`"
echo "through the archive API. Latency in-process: the index opened once, 200 searches of each"
echo "kind on random paths and persons of the workload (half of the paths popular)."
echo
echo "| step | figure |"
echo "|---|---|"
printf '| `shoseki index` from scratch | %s s, %.0f events/s, peak RSS %d MiB |\n' "$isecs" \
  "$(echo "$events $isecs" | awk '{print $1 / $2}')" $((irss / 1024))
printf '| `shoseki index` again, nothing new | %s s |\n' "$asecs"
printf '| index files | %d MiB, %.1f bytes per event (archive: %.1f bytes per event) |\n' \
  $((ibytes / 1048576)) "$(echo "$ibytes $events" | awk '{print $1 / $2}')" \
  "$(echo "$abytes $events" | awk '{print $1 / $2}')"
if command -v sqlite3 >/dev/null; then
  sqlite3 "$data/index.sqlite" "ATTACH '$data/index-fts.sqlite' AS fts;
    SELECT name, sum(pgsize) FROM (SELECT name, pgsize FROM dbstat('main')
    UNION ALL SELECT name, pgsize FROM dbstat('fts')) GROUP BY name ORDER BY 2 DESC LIMIT 8" 2>/dev/null |
    awk -F'|' -v n="$events" '{printf "| — %s | %.1f bytes per event |\n", $1, $2 / n}' || true
fi
echo
echo "| search | runs | p50 ms | p95 ms | max ms | rows (mean) | rows (max) |"
echo "|---|---|---|---|---|---|---|"
awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}' "$work/query.out"
echo
echo "Through the CLI (a new process each time: start-up, the index's up-to-date check, the"
echo "search, CSV out):"
echo
echo "| command | runs | p50 ms | p95 ms | peak RSS (MiB) |"
echo "|---|---|---|---|---|"
echo "| \`who PATH\` | 30 | $who_p50 | $who_ms | $((who_kb / 1024)) |"
echo "| \`what PERSON\` over a month | 30 | $what_p50 | $what_ms | $((what_kb / 1024)) |"
echo "| \`scope --user PERSON --depth 2\` over a month | 20 persons | $scope_p50 | $scope_ms | $((scope_kb / 1024)) |"
