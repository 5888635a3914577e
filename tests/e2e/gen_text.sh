# shoseki-gen --auditd/--samba (issue 4): the generated company's file
# accesses written as a Linux server's auditd log (with its passwd file) and
# as Samba full_audit lines; collecting each gives exactly the accesses of
# truth.json (person, path, action, outcome, time to the second); the same
# seed gives the same bytes.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
G=$SCRATCH/gen
ARGS=(--seed 3 --persons 8 --files 24 --hosts 2 --days 2 --events-per-day 30)
"$GEN" --out "$G" "${ARGS[@]}" --auditd "$G/audit.log" --samba "$G/samba.log"
expect_eq "gen exit" 0 "$?"
"$GEN" --out "$SCRATCH/again" "${ARGS[@]}" --auditd "$SCRATCH/again/audit.log" --samba "$SCRATCH/again/samba.log"
expect_eq "same seed, same auditd bytes" "$(sha256sum <"$G/audit.log")" "$(sha256sum <"$SCRATCH/again/audit.log")"
expect_eq "same seed, same samba bytes" "$(sha256sum <"$G/samba.log")" "$(sha256sum <"$SCRATCH/again/samba.log")"
expect_eq "same seed, same passwd" "$(sha256sum <"$G/audit.log.passwd")" "$(sha256sum <"$SCRATCH/again/audit.log.passwd")"

# compare KIND: the events in $SCRATCH/out against truth.json's accesses.
compare() {
  "$PY" - "$G/truth.json" "$SCRATCH/out" "$1" <<'PY'
import collections, json, sys
truth, out, kind = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
def second(t):
    return t[:19]
want = collections.Counter()
for a in truth["accesses"]:
    p, ok = a["path"], a["outcome"] == "success"
    if p.startswith("D:\\") and ok:
        rel = p[len("D:\\shares\\"):]
    elif p.startswith("\\\\") and not ok:
        rel = p.split("\\", 3)[3]
    else:
        continue  # the share-level copy of a success, and the USB copies
    host = a["host"]
    if kind == "auditd":
        path = "/srv/shares/" + rel.replace("\\", "/")
    else:
        path = "\\\\" + host + "\\" + rel
    want[(a["user"], path, a["action"], a["outcome"], second(a["time"]))] += 1
got = collections.Counter()
for line in open(out, encoding="utf-8"):
    e = json.loads(line)
    acts = e["actions"]
    action = "delete" if "delete" in acts else "write" if "write" in acts else "read" if "read" in acts else "+".join(acts)
    got[(e.get("user"), e.get("path"), action, e.get("outcome"), second(e["time"]))] += 1
missing, extra = want - got, got - want
print(sum(want.values()), len(missing), len(extra))
for k in list(missing)[:3]:
    print("missing", k, file=sys.stderr)
for k in list(extra)[:3]:
    print("extra", k, file=sys.stderr)
PY
}

run_cmd collect --dry-run -o jsonl --uid-map "$G/audit.log.passwd" "$G/audit.log"
expect_eq "auditd exit" 0 "$RC"
read -r n missing extra < <(compare auditd)
expect_match "auditd: accesses in the truth" "^[1-9][0-9]+$" "$n"
expect_eq "auditd: none missing" 0 "$missing"
expect_eq "auditd: none extra" 0 "$extra"
expect_eq "auditd: persons named from the passwd file" 0 "$(jq_count 'e["user"].isdigit()')"

run_cmd collect --dry-run -o jsonl "$G/samba.log"
expect_eq "samba exit" 0 "$RC"
read -r n2 missing extra < <(compare samba)
expect_eq "samba: as many accesses" "$n" "$n2"
expect_eq "samba: none missing" 0 "$missing"
expect_eq "samba: none extra" 0 "$extra"
expect_eq "samba: refused reads" 4 "$(jq_count 'e["outcome"] == "failure"')"
expect_eq "samba: deletions of the disposal" 3 "$(jq_count 'e["actions"] == ["delete"]')"
finish
