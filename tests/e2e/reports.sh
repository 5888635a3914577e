# Leak-scope and compliance reports on generated logs with known answers
# (truth.json) and the sample policy; policy files with mistakes are refused
# with the line named. No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
D=$SCRATCH/data

"$GEN" --out "$SCRATCH/logs" --seed 21 --persons 10 --files 40 --hosts 2 --days 3 --events-per-day 80 >/dev/null
"$BIN" -q collect --data "$D" "$SCRATCH/logs" >/dev/null
expect_eq "collect" 0 "$?"
"$BIN" index --data "$D" >/dev/null
expect_eq "index" 0 "$?"
"$PY" "$(dirname "$0")/reports_truth.py" "$BIN" "$D" "$SCRATCH/logs/truth.json" "$SRC/samples/policy.conf"
expect_eq "reports match truth.json" 0 "$?"

# The policy in DATA/policy.conf is found without --policy.
cp "$SRC/samples/policy.conf" "$D/policy.conf"
run_cmd report handlers --data "$D" --format csv
expect_eq "default policy" 0 "$RC"
expect_match "handlers header" "^time,user,user_sid,actions,outcome,class,host" "$OUT"

# Human summary on top of the table (the compromised account has a Japanese name).
who=$("$PY" -c 'import json,sys; print(next(p["user"] for p in json.load(open(sys.argv[1]))["persons"] if p["role"] == "compromised"))' "$SCRATCH/logs/truth.json")
run_cmd scope --data "$D" --user "$who" --format table --tz Asia/Tokyo
expect_eq "scope table" 0 "$RC"
expect_match "scope summary" "^scope of $who: [0-9]+ files reached( \\([0-9]+ mynumber in all\\))? by [0-9]+ persons on [0-9]+ hosts" "$OUT"

# mass-access: the burst truth.json names, with a threshold of 6 files in 1 minute.
printf '[mass-access]\nfiles = 6\nminutes = 1\n' >"$SCRATCH/mass.conf"
run_cmd report mass-access --data "$D" --policy "$SCRATCH/mass.conf" --tz UTC --format jsonl
expect_eq "mass-access" 0 "$RC"
"$PY" - "$SCRATCH/out" "$SCRATCH/logs/truth.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
b = json.load(open(sys.argv[2], encoding="utf-8"))["burst"]
hit = [r for r in rows if r["user_sid"] == b["sid"] and r["start"] <= b["start"]
       and r["end"] >= b["end"][:19] and r["files"] >= b["files"]]
sys.exit(0 if hit else 1)
PY
expect_eq "the burst of truth.json" 0 "$?"

# Mistakes in a policy: exit 2, the file and line named.
bad() {
  printf '%b' "$1" >"$SCRATCH/bad.conf"
  run_cmd report handlers --data "$D" --policy "$SCRATCH/bad.conf"
  expect_eq "bad policy '$2' exit" 2 "$RC"
  expect_match "bad policy '$2' message" "bad.conf: line $3: $2" "$ERR"
}
bad '[class x]\npath = (unclosed\n' "invalid regular expression" 2
bad '# c\n[hours]\nbusiness = 9 to 5\n' "business hours look like" 3
bad '[hours]\nholiday = 2026-02-30\n' "a holiday is a date" 2
bad '[nonsense]\n' "unknown section" 1
bad 'path = x\n' "a key before any section" 1
bad '[class x]\nhandler = tanaka\n' "a handler is a SID" 2
bad '[mass-access]\nfiles = 0\n' "\\[mass-access\\] takes" 2
bad '[class x]\npath = a\n[class x]\n' "class declared twice" 3
run_cmd report handlers --data "$D" --policy "$SCRATCH/none.conf"
expect_eq "missing --policy file" 2 "$RC"
run_cmd report nonsense --data "$D"
expect_eq "unknown report" 2 "$RC"
run_cmd scope --data "$D"
expect_eq "scope needs a selection" 2 "$RC"
finish
