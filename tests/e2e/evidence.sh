# Evidence packs (issue 7) on the committed sample logs (samples/evtx, samples/text): a pack of
# a scope selection holds exactly the events scope counts, each with its original record; it
# verifies with sha256sum and with `verify --pack` (and its frames against the archive); the
# same selection gives the same bytes; the output is created 0700 and never written over;
# --zip gives the same files; and every alteration of a pack is detected (evidence_tamper.py).
source "$(dirname "$0")/../lib/e2e.sh"
D=$SCRATCH/data
cd "$SCRATCH" || exit 1
"$BIN" -q collect --data "$D" "$SRC/samples/evtx" >/dev/null
expect_eq "collect evtx" 0 "$?"
"$BIN" -q collect --data "$D" --uid-map "$SRC/samples/text/passwd" "$SRC/samples/text/audit.log" \
  >/dev/null
expect_eq "collect auditd" 0 "$?"
SEL=(scope --data "$D" --user 中村 --depth 2 --tz Asia/Tokyo)

# The pack: as many events as scope counts, one original record each, all verifying.
run_cmd evidence --out p1 --case "案件 A" "${SEL[@]}"
expect_eq "evidence exit" 0 "$RC"
expect_match "evidence summary" "^evidence: 47 events, 3 persons, 13 files, 3 source files, 47 original records in 'p1'" "$OUT"
run_cmd "${SEL[@]}" --format table
expect_match "scope counts 47 events" " 47 events, " "$OUT"
expect_eq "events.csv rows" 48 "$(wc -l <p1/events.csv)"
expect_eq "originals" 47 "$(ls p1/originals | wc -l)"
expect_eq "originals are XML" 47 "$(grep -l '^<Event xmlns=' p1/originals/*.xml | wc -l)"
expect_eq "result.csv is scope's own output" "$("$BIN" "${SEL[@]}" --format csv | sha256sum)" \
  "$(sha256sum <p1/result.csv)"
expect_eq "modes" "700 600 700 600" "$(stat -c %a p1 p1/events.csv p1/originals p1/originals/2-11.xml | xargs)"
(cd p1 && sha256sum -c --quiet MANIFEST.sha256)
expect_eq "sha256sum -c" 0 "$?"
expect_eq "manifest lists every other file" "$(($(wc -l <p1/MANIFEST.sha256) + 1))" \
  "$(find p1 -type f | wc -l)"
run_cmd verify --pack p1 --data "$D"
expect_eq "verify --pack --data" 0 "$RC"
expect_match "verify says" "pack intact: 54 files match MANIFEST.sha256.*the head and 6 frames of chain.txt" "$(echo $OUT)"
manifest=$(sed -n 's/^manifest: //p' <<<"$OUT")
run_cmd verify --pack p1 --expect-manifest "$manifest"
expect_eq "--expect-manifest" 0 "$RC"
run_cmd verify --pack p1 --expect-manifest "${manifest/a/b}"
expect_eq "--expect-manifest wrong" 4 "$RC"
expect_match "README names the case and zone" "Case: +案件 A.*Time zone: +Asia/Tokyo" "$(tr '\n' ' ' <p1/README.txt)"
expect_match "README holds the command" "Command: +shoseki evidence --out p1 --case '案件 A' scope --data $D --user '中村' --depth 2 --tz Asia/Tokyo" "$(cat p1/README.txt)"

# Text sources: the original lines, each after its byte offset.
run_cmd evidence --out p4 what tanaka --data "$D" --since 2025-01-01
expect_eq "text pack" 0 "$RC"
expect_match "auditd original" "^0:node=fs01 type=SYSCALL msg=audit\\(1736899200.120:100\\)" "$(cat p4/originals/*-0.txt)"

# Deterministic: another directory, the same command line, the same bytes but the time line.
mkdir -p again && (cd again && "$BIN" evidence --out p1 --case "案件 A" "${SEL[@]}" >/dev/null)
expect_eq "second pack" 0 "$?"
same=0
for f in $(cd p1 && find . -type f ! -name README.txt ! -name MANIFEST.sha256); do
  cmp -s "p1/$f" "again/p1/$f" || { fail "not deterministic: $f"; same=1; }
done
expect_eq "README but Created" "$(grep -v '^Created:' p1/README.txt)" "$(grep -v '^Created:' again/p1/README.txt)"
expect_eq "MANIFEST but README" "$(grep -v README p1/MANIFEST.sha256)" "$(grep -v README again/p1/MANIFEST.sha256)"

# Never written over; a refused selection leaves nothing behind.
run_cmd evidence --out p1 "${SEL[@]}"
expect_eq "existing --out" 2 "$RC"
expect_match "existing --out says" "'p1': exists already" "$ERR"
run_cmd evidence --out p5 scope --data "$D" --nonsense
expect_eq "bad selection" 2 "$RC"
expect_eq "bad selection leaves nothing" "no" "$([[ -e p5 ]] && echo yes || echo no)"
run_cmd evidence --out p5 frobnicate
expect_eq "unknown selection" 2 "$RC"
run_cmd evidence "${SEL[@]}"
expect_eq "no --out" 2 "$RC"
expect_eq "nothing else written" "again data p1 p4" "$(ls | grep -v '^out$\|^err$' | xargs)"

# --zip: one file whose entries are the pack's files (same bytes but README, MANIFEST).
run_cmd evidence --zip --out p1.zip --case "案件 A" "${SEL[@]}"
expect_eq "zip pack" 0 "$RC"
expect_eq "zip mode" 600 "$(stat -c %a p1.zip)"
expect_eq "zip's own hash printed" "$(sha256sum p1.zip | cut -d' ' -f1)" "$(sed -n 's/^zip: //p' <<<"$OUT")"
expect_eq "no scratch left" "" "$(ls -d p1.zip.partial* 2>/dev/null)"
run_cmd verify --pack p1.zip --data "$D"
expect_eq "verify zip" 0 "$RC"
"$PY" - p1.zip p1 <<'PY'
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = sorted(i.filename for i in z.infolist())
want = sorted(os.path.relpath(os.path.join(d, n), sys.argv[2]) for d, _, ns in os.walk(sys.argv[2]) for n in ns)
assert names == want, (names[:5], want[:5])
for n in names:
    if n not in ("README.txt", "MANIFEST.sha256"):
        assert z.read(n) == open(os.path.join(sys.argv[2], n), "rb").read(), n
PY
expect_eq "zip entries are the pack's files" 0 "$?"

# The archive behind the pack: another archive, or a tampered one, does not hold its frames.
"$BIN" -q collect --data other "$SRC/samples/evtx/Security-FS02.evtx" >/dev/null
run_cmd verify --pack p1 --data other
expect_eq "pack against another archive" 4 "$RC"
expect_match "names chain.txt" "chain.txt.* is not in the archive's chain" "$ERR"
rm -rf other

# Every alteration of a pack is detected; verify never crashes.
"$PY" "$(dirname "$0")/evidence_tamper.py" "$BIN" "$SCRATCH/p1" "$SCRATCH/p1.zip" "$SCRATCH/tamper" 120
expect_eq "every alteration detected" 0 "$?"
finish
