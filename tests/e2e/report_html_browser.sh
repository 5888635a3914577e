# `report html` in a real browser: the demo scenario (samples/evtx, truth.json)
# rendered by headless Chromium, a screenshot taken, and the page checked
# through its DOM (counts equal to scope's, names of the scenario, Japanese
# intact, no script error). A second page whose path and person names are
# HTML must show them as text. Skips where Debian's chromium is absent.
source "$(dirname "$0")/../lib/e2e.sh"
CHROMIUM=${SHOSEKI_CHROMIUM:-$(command -v chromium || true)}
if [[ -z "$CHROMIUM" ]]; then
  echo "skipped: chromium not found (Debian package chromium; scripts/install-deps installs it)"
  exit 77
fi
D=$SCRATCH/data
browser() { # browser ARGS... file: headless, no profile left behind, bounded in time
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$SCRATCH/profile" "$@" 2>>"$SCRATCH/chromium.log"
}

"$BIN" -q collect --data "$D" "$SRC/samples/evtx" >/dev/null
expect_eq "collect" 0 "$?"
# The sample policy with a burst threshold the scenario's burst reaches (6 files in a minute).
sed 's/^files = 500/files = 6/; s/^minutes = 5/minutes = 1/' "$SRC/samples/policy.conf" >"$D/policy.conf"
run_cmd report html --data "$D" --user 中村 --depth 2 --lang ja --out "$SCRATCH/report.html"
expect_eq "report html" 0 "$RC"
"$BIN" scope --data "$D" --user 中村 --depth 2 --format jsonl --no-refresh >"$SCRATCH/scope.jsonl"
"$BIN" scope --data "$D" --user 中村 --depth 2 --format table --no-refresh | head -1 >"$SCRATCH/summary.txt"

browser --dump-dom "file://$SCRATCH/report.html" >"$SCRATCH/dom.html"
expect_eq "chromium --dump-dom" 0 "$?"
"$PY" "$(dirname "$0")/report_html_check.py" "$SCRATCH/dom.html" "$SCRATCH/scope.jsonl" \
  "$SCRATCH/summary.txt" "$SRC/samples/evtx/truth.json"
expect_eq "the page's DOM" 0 "$?"

browser --screenshot="$SCRATCH/report.png" --window-size=1280,2000 "file://$SCRATCH/report.html" >/dev/null
expect_eq "chromium --screenshot" 0 "$?"
sig=$(head -c 8 "$SCRATCH/report.png" | od -An -tx1 | tr -d ' \n')
expect_eq "screenshot is a PNG" "89504e470d0a1a0a" "$sig"
size=$(stat -c %s "$SCRATCH/report.png")
expect_match "screenshot has content ($size bytes)" "^[0-9]{6,}$" "$size"

# Names and paths are attacker-controlled: HTML in them stays text in the browser.
E=$SCRATCH/evil
mkdir -p "$E"
printf '%s\n' \
  'Jan 15 09:00:01 fs09 smbd_audit[9]: <img src=x onerror=alert(1)>|10.0.0.9|PC9|s|connect|ok|s' \
  'Jan 15 09:00:02 fs09 smbd_audit[9]: <img src=x onerror=alert(1)>|10.0.0.9|PC9|s|openat|ok|r|/srv/s/</script><script>alert(2)</script>.txt' \
  'Jan 15 09:00:03 fs09 smbd_audit[9]: <img src=x onerror=alert(1)>|10.0.0.9|PC9|s|pread_send|ok|/srv/s/</script><script>alert(2)</script>.txt' \
  >"$E/samba.log"
touch -d 2025-03-01T00:00:00Z "$E/samba.log"
"$BIN" -q collect --data "$E/data" --tz Asia/Tokyo "$E/samba.log" >/dev/null
run_cmd report html --data "$E/data" --like alert --lang en --out "$E/evil.html"
expect_eq "report html of HTML-like names" 0 "$RC"
browser --dump-dom "file://$E/evil.html" >"$E/dom.html"
"$PY" - "$E/dom.html" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = []; self.text = []
    def handle_starttag(self, tag, attrs): self.tags.append(tag)
    def handle_data(self, d): self.text.append(d)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
text = "".join(p.text)
ok = (p.tags.count("img") == 0 and p.tags.count("script") == 3
      and "<script>alert(2)" in text and "<img src=x onerror=alert(1)>" in text
      and 'data-ready="1"' in open(sys.argv[1], encoding="utf-8").read())
print("ok" if ok else f"FAIL: tags {sorted(set(p.tags))}, img {p.tags.count('img')}, script {p.tags.count('script')}")
sys.exit(0 if ok else 1)
PY
expect_eq "HTML in names stays text" 0 "$?"
finish
