# An --excel --lang ja evidence pack read by LibreOffice Calc (headless): events.csv, imported
# as UTF-8 CSV as a user would in the import dialog, comes back cell for cell (the BOM gone,
# Japanese headers, names and paths intact). One conversion, about two seconds. Skipped
# where soffice is missing (scripts/install-deps installs libreoffice-calc-nogui).
source "$(dirname "$0")/../lib/e2e.sh"
if ! command -v soffice >/dev/null; then
  echo "skipped: soffice (LibreOffice) is not installed"
  exit 77
fi
D=$SCRATCH/data
"$BIN" -q collect --data "$D" "$SRC/samples/evtx" >/dev/null
run_cmd evidence --out "$SCRATCH/p" --excel --lang ja what 中村 --data "$D" --tz Asia/Tokyo
expect_eq "pack" 0 "$RC"
# 76: UTF-8; 1: from line 1; quoted fields as text, no number detection (cells as written).
HOME=$SCRATCH soffice --headless "-env:UserInstallation=file://$SCRATCH/lo" \
  --infilter="CSV:44,34,76,1,,0,true,false" \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true' \
  --outdir "$SCRATCH/calc" "$SCRATCH/p/events.csv" >"$SCRATCH/soffice.log" 2>&1
expect_eq "soffice converted" 0 "$?"
"$PY" - "$SCRATCH/p/events.csv" "$SCRATCH/calc/events.csv" <<'PY'
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw.replace(b"\r\n", b""), "BOM, CRLF"
ours = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
calc = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
assert ours[0][0] == "時刻" and ours[0][-1] == "参照", ours[0]
assert any("中村" in r for r in ours[1:]) and any("個人番号一覧_01.xlsx" in c for r in ours for c in r)
assert len(ours) == len(calc) > 1, (len(ours), len(calc))
for i, (a, b) in enumerate(zip(ours, calc)):
    assert a == b, (i, [(x, y) for x, y in zip(a, b) if x != y][:3])
print(f"calc read {len(calc)} rows intact")
PY
expect_eq "Calc reads the pack intact" 0 "$?"
finish
