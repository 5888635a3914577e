# `report html` without a browser: the page file (0600, never replacing a file
# unless --force), exit statuses, the summary's counts against scope's, both
# languages, an empty selection, and escaping of names from the data in the
# raw page. tests/e2e/report_html_browser.sh looks at the page in Chromium.
source "$(dirname "$0")/../lib/e2e.sh"
D=$SCRATCH/data
OUTF=$SCRATCH/report.html

"$BIN" -q collect --data "$D" "$SRC/samples/evtx" >/dev/null
expect_eq "collect" 0 "$?"
cp "$SRC/samples/policy.conf" "$D/policy.conf"

run_cmd report html --data "$D" --user 中村
expect_eq "no --out" 2 "$RC"
expect_match "no --out message" "--out FILE.html" "$ERR"
run_cmd report html --data "$D" --user 中村 --out "$OUTF" --lang fr
expect_eq "bad --lang" 2 "$RC"
run_cmd report html --data "$D" --out "$OUTF"
expect_eq "no selector (scope's own message)" 2 "$RC"
[[ ! -e "$OUTF" ]]
expect_eq "nothing written on a usage error" 0 "$?"
run_cmd report html --help
expect_eq "help" 0 "$RC"
expect_match "help names the options" "--out FILE.*--lang ja\\|en" "$(echo $OUT)"

run_cmd report html --data "$D" --user 中村 --depth 2 --lang ja --out "$OUTF"
expect_eq "report html" 0 "$RC"
expect_match "one line on stdout" "report.html: 47 events, 3 persons, 13 files, 2 hosts" "$OUT"
expect_eq "mode 0600" 600 "$(stat -c %a "$OUTF")"
page=$(cat "$OUTF")
expect_match "UTF-8, Japanese" '<meta charset="utf-8">.*アクセス調査レポート' "$(echo $page)"
expect_match "persons card" 'id="sum-persons"><div class="n">3<' "$page"
expect_match "files card" 'id="sum-files"><div class="n">13<' "$page"
expect_match "events card" 'id="sum-events"><div class="n">47<' "$page"
expect_match "classes card names the class" 'id="sum-classes"><div class="n">1<.*mynumber' "$page"
expect_match "log clear marked" 'id="mark-clears"><div class="mh"><span class="mn">1<' "$page"
expect_match "record-id gap of 50 marked" 'id="mark-gaps">.*50 欠落 \(101146' "$(echo $page)"
# sample policy: a burst is 500 files in 5 minutes, which the scenario does not reach
expect_match "no burst at 500 files" 'id="mark-bursts"><div class="mh"><span class="mn">0<' "$page"
expect_match "no external resource" "^[^@]*$" "$(grep -Eo '(src|href)="[^"#]*"|@import|url\(' "$OUTF" | tr '\n' '@')"

before=$(md5sum <"$OUTF")
run_cmd report html --data "$D" --user 中村 --out "$OUTF"
expect_eq "existing file kept" 2 "$RC"
expect_match "existing file message" "exists \\(--force replaces it\\)" "$ERR"
expect_eq "existing file untouched" "$before" "$(md5sum <"$OUTF")"
run_cmd report html --data "$D" --user 中村 --out "$OUTF" --force --lang en
expect_eq "--force" 0 "$RC"
expect_match "English page" '<html lang="en">.*Access report' "$(echo $(cat "$OUTF"))"
expect_eq "no temporary file left" 1 "$(ls "$SCRATCH" | grep -c report)"

run_cmd report html --data "$D" --user nobody --out "$SCRATCH/empty.html" --lang en
expect_eq "empty selection" 1 "$RC"
expect_match "empty page says so" "No event was selected" "$(cat "$SCRATCH/empty.html")"

# HTML in names and paths stays text: entities in HTML, \u003c in the JSON.
E=$SCRATCH/evil
mkdir -p "$E"
printf '%s\n' \
  'Jan 15 09:00:01 fs09 smbd_audit[9]: <b>x|10.0.0.9|PC9|s|openat|ok|r|/srv/s/</script><script>alert(2)</script>&amp;.txt' \
  >"$E/samba.log"
touch -d 2025-03-01T00:00:00Z "$E/samba.log"
"$BIN" -q collect --data "$E/data" --tz Asia/Tokyo "$E/samba.log" >/dev/null
run_cmd report html --data "$E/data" --like alert --lang en --out "$E/evil.html"
expect_eq "report of HTML-like names" 0 "$RC"
evil=$(cat "$E/evil.html")
expect_eq "no raw markup from the data" 0 "$(grep -c -e '<b>x' -e '<script>alert' -e '&amp;.txt' "$E/evil.html")"
expect_match "escaped in HTML" '&lt;b&gt;x' "$evil"
expect_match "escaped in JSON" '\\u003cscript\\u003ealert\(2\)' "$evil"
finish
