#!/usr/bin/env bash
# HTML report benchmark (issue "HTML report"): EVENTS generated events of
# PERSONS persons on FILES files of one server over a year (shoseki-bench gen),
# indexed, then `shoseki report html --host FS01...` selecting every event:
# generation time and peak RSS, the page's size, and (with Debian's chromium)
# the time a headless browser takes to load it and run its script.
# Prints a Markdown section on stdout.
#
# usage: bench/html.sh SHOSEKI_BINARY SHOSEKI_BENCH_BINARY [EVENTS] [PERSONS] [FILES] [WORK]
set -euo pipefail
bin=$1
tool=$2
events=${3:-100000}
persons=${4:-500}
files=${5:-20000}
work=${6:-}
if [[ -z "$work" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
data=$work/data
rm -rf "$data" "$work/report.html"

"$tool" gen "$data" "$work/scratch" "$events" "$persons" "$files" 1 1 >/dev/null
rm -rf "$work/scratch"
"$bin" index --data "$data" >/dev/null
/usr/bin/time -f '%e %M' -o "$work/html.time" "$bin" report html --data "$data" \
  --host FS01.corp.example.jp --tz Asia/Tokyo --lang ja --out "$work/report.html" >"$work/html.out"
read -r secs rss <"$work/html.time"
bytes=$(stat -c %s "$work/report.html")
browser="not measured (no chromium)"
chromium=$(command -v chromium || true)
if [[ -n "$chromium" ]]; then
  start=$(date +%s.%N)
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" \
    --dump-dom "file://$work/report.html" >"$work/dom.html" 2>/dev/null
  end=$(date +%s.%N)
  grep -q 'data-ready="1"' "$work/dom.html" || { echo "bench html: the page's script did not finish" >&2; exit 1; }
  browser=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f s", e - s }')
fi

cat <<MD
### HTML report: $events events

\`shoseki report html --host FS01.corp.example.jp\` selecting all $events generated events
($persons persons, $files files, one year; \`bench/html.sh\`):

| measure | value |
|---|---|
| \`report html\` (selection, aggregation, marks, page) | $secs s, peak RSS $((rss / 1024)) MiB |
| page size | $((bytes / 1024)) KiB |
| headless Chromium: load, parse, render the tables (\`--dump-dom\`) | $browser |

$(cat "$work/html.out")
MD
