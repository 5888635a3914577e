#!/usr/bin/env bash
# CSV benchmark: `collect --dry-run` and `collect` into an archive on a
# generated NAS-style CSV export read with a --csv-map (200 users, Japanese
# paths, a quoted field in every tenth row, a time pattern and a zone, action
# and outcome words), and `collect --dry-run` on a generated `Get-WinEvent |
# Export-Csv` file (4663 rows whose Message spans 24 lines, read through the
# built-in map and the EVTX normalization), against `cat` and `wc -l`.
# Prints a Markdown section on stdout.
#
# usage: bench/csv.sh SHOSEKI_BINARY MEGABYTES [RUNS] [WORKDIR]
set -euo pipefail
bin=$1
mb=$2
runs=${3:-3}
work=${4:-$(mktemp -d)}
mkdir -p "$work"
[[ -n ${BENCH_KEEP:-} ]] || trap 'rm -rf "$work/nas.csv" "$work/win.csv" "$work/d"' EXIT
top=$(cd "$(dirname "$0")/.." && pwd)

source "$(dirname "$0")/lib.sh"

/usr/bin/python3 - "$work" "$mb" <<'PY'
import random, sys
work, mb = sys.argv[1], int(sys.argv[2])
random.seed(42)
limit = mb * 1024 * 1024
acts = ["Read", "Read", "Read", "Write", "Create", "Delete", "Rename", "Login"]
with open(f"{work}/nas.csv", "w", encoding="utf-8", newline="") as f:
    f.write("Date Time,User,IP Address,Computer,Event,File/Folder,Size,Result,Note\r\n")
    size, t, n = 0, 1736899200, 0
    while size < limit:
        u = random.randrange(200)
        path = "/share/dept%02d/マイナンバー/台帳%05d.xlsx" % (random.randrange(40), random.randrange(50000))
        if n % 10 == 0:
            path = '"' + path.replace("台帳", "報告,旧") + '"'
        tt = t + n // 3
        row = "%04d/%02d/%02d %02d:%02d:%02d,CORP\\user%03d,192.168.%d.%d,PC-%03d,%s,%s,%d,%s,\r\n" % (
            2025, 1, 15 + tt // 86400 % 10, tt // 3600 % 24, tt // 60 % 60, tt % 60, u, u // 250, u % 250 + 1,
            u, random.choice(acts), path, random.randrange(1 << 20), "Success" if n % 17 else "Failed")
        f.write(row)
        size += len(row.encode())
        n += 1
msg = ("An attempt was made to access an object.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-21-1004336348-1177238915-682003330-%d\r\n"
       "\tAccount Name:\t\tuser%03d\r\n\tAccount Domain:\t\tCORP\r\n\tLogon ID:\t\t0x%X\r\n\r\nObject:\r\n\tObject Server:\t\tSecurity\r\n"
       "\tObject Type:\t\tFile\r\n\tObject Name:\t\tD:\\Shares\\dept%02d\\file%05d.xlsx\r\n\tHandle ID:\t\t0x%x\r\n\tResource Attributes:\tS:AI\r\n\r\n"
       "Process Information:\r\n\tProcess ID:\t\t0x4\r\n\tProcess Name:\t\t\r\n\r\nAccess Request Information:\r\n"
       "\tAccesses:\t\tReadData (or ListDirectory)\r\n\t\t\t\t\r\n\tAccess Mask:\t\t0x1")
cols = '"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"'
with open(f"{work}/win.csv", "w", encoding="utf-8", newline="") as f:
    f.write("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n" + cols + "\r\n")
    size, n = 0, 0
    while size < limit:
        u = random.randrange(200)
        tt = n // 3
        row = ('"%s","4663","1","","0","12656","0","-9214364837600034816","%d","Microsoft-Windows-Security-Auditing",'
               '"54849625-5478-4994-a5ba-3e3b0328c30d","Security","4","5120","FS01.corp.example.jp","",'
               '"1/%d/2025 %d:%02d:%02d %s","","","Security","System.UInt32[]",'
               '"System.Diagnostics.Eventing.Reader.EventBookmark","Information","Info","File System",'
               '"System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]",'
               '"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"\r\n') % (
            msg % (1000 + u, u, 0x10000 + u, random.randrange(40), random.randrange(50000), n % 4096),
            1000 + n, 15 + tt // 86400 % 10, (tt // 3600 % 12) + 1, tt // 60 % 60, tt % 60, "AM" if tt // 43200 % 2 == 0 else "PM")
        f.write(row)
        size += len(row.encode())
        n += 1
PY
nas_bytes=$(stat -c %s "$work/nas.csv")
win_bytes=$(stat -c %s "$work/win.csv")
nas_lines=$(wc -l <"$work/nas.csv")

map=$top/samples/text/nas.map
run cat cat "$work/nas.csv"
run wc wc -l "$work/nas.csv"
run dry "$bin" collect --dry-run -o jsonl --csv-map "$map" "$work/nas.csv"
events=$("$bin" collect --dry-run -o jsonl --csv-map "$map" "$work/nas.csv" 2>/dev/null | wc -l)
run store "$bin" collect --data "$work/d" --csv-map "$map" "$work/nas.csv"
run win "$bin" collect --dry-run -o jsonl "$work/win.csv"
win_events=$("$bin" collect --dry-run -o jsonl "$work/win.csv" 2>/dev/null | wc -l)

cat <<MD
## Reading CSV exports (\`collect --csv-map\`)

Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, release build; \`bench/csv.sh\`, median of
$runs runs. Inputs: a generated NAS-style export read with \`samples/text/nas.map\` (200 users,
Japanese paths, a quoted field in every tenth row), $nas_bytes bytes, $nas_lines rows, $events
file events; and a generated \`Get-WinEvent | Export-Csv\` file of 4663 records (each Message
24 lines, read through the built-in map and the EVTX normalization), $win_bytes bytes,
$win_events events.

| step | seconds | MB/s | CPU seconds | MB per CPU second | peak RSS (KiB) |
|---|---:|---:|---:|---:|---:|
| \`cat\` (reference) | ${sec[cat]} | $(mbs "$nas_bytes" "${sec[cat]}") | ${cpu[cat]} | $(mbs "$nas_bytes" "${cpu[cat]}") | ${rss[cat]} |
| \`wc -l\` (reference) | ${sec[wc]} | $(mbs "$nas_bytes" "${sec[wc]}") | ${cpu[wc]} | $(mbs "$nas_bytes" "${cpu[wc]}") | ${rss[wc]} |
| NAS: \`shoseki collect --dry-run -o jsonl --csv-map\` | ${sec[dry]} | $(mbs "$nas_bytes" "${sec[dry]}") | ${cpu[dry]} | $(mbs "$nas_bytes" "${cpu[dry]}") | ${rss[dry]} |
| NAS: \`shoseki collect --csv-map\` into a new archive | ${sec[store]} | $(mbs "$nas_bytes" "${sec[store]}") | ${cpu[store]} | $(mbs "$nas_bytes" "${cpu[store]}") | ${rss[store]} |
| Get-WinEvent: \`shoseki collect --dry-run -o jsonl\` | ${sec[win]} | $(mbs "$win_bytes" "${sec[win]}") | ${cpu[win]} | $(mbs "$win_bytes" "${cpu[win]}") | ${rss[win]} |

The goal is the same order as auditd, at least 100 MB/s for reading. Wall-clock figures move
with the load of the shared machine; CPU seconds do much less.
MD
