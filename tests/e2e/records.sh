# Records (docs/records.md) on generated logs with known answers: a disposal's
# certificate comes back byte for byte; records show in who/what, cat, the
# reports (deletions, takeouts, handlers) and `record list`; a correction
# supersedes without erasing; verify covers them and finds a changed byte;
# bad input gets one line and the documented exit status. No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
D=$SCRATCH/data
export TZ=UTC SHOSEKI_DATA=$D

"$GEN" --out "$SCRATCH/logs" --seed 21 --persons 10 --files 40 --hosts 2 --days 3 --events-per-day 80 >/dev/null
"$BIN" -q collect "$SCRATCH/logs" >/dev/null
expect_eq "collect" 0 "$?"
# The generated deletions are of 見積書 in eigyo\mitsumori: make that a class here.
cat >"$D/policy.conf" <<'EOF'
[class mitsumori]
path = (?i)\\eigyo\\mitsumori\\
handler = CORP\tanaka
[class mynumber]
path = (?i)\\jinji\\mynumber\\
handler = CORP\tanaka
[removable]
volume = E:
EOF

# ---- disposal: the certificate, byte for byte --------------------------------------------------
head -c 300000 /dev/urandom >"$SCRATCH/cert.pdf"
printf '%%PDF-1.7\n' | dd of="$SCRATCH/cert.pdf" conv=notrunc status=none
sha=$(sha256sum "$SCRATCH/cert.pdf" | cut -d' ' -f1)
run_cmd record disposal --vendor "Acme 溶解処理" --certificate "$SCRATCH/cert.pdf" \
  --covers '*\eigyo\mitsumori\見積書_0?.docx' --date 2024-04-05 --entered-by 'CORP\tanaka' --note 'box 3'
expect_eq "disposal exit" 0 "$RC"
expect_match "disposal: certificate" "^certificate $sha \\(300000 bytes\\) stored" "$OUT"
disp=$(sed -n 's/^disposal \([0-9]*\) stored$/\1/p' "$SCRATCH/out")
expect_match "disposal id" '^[0-9]+$' "$disp"
"$BIN" extract --source "$sha" -o "$SCRATCH/back.pdf"
expect_eq "certificate back byte for byte" "" "$(cmp "$SCRATCH/cert.pdf" "$SCRATCH/back.pdf" 2>&1)"

# ---- report deletions: each deletion with the disposal covering it ----------------------------
run_cmd report deletions --format csv
expect_eq "deletions exit" 0 "$RC"
expect_match "deletions header" '^time,user,user_sid,actions,outcome,class,host,client_ip,event_id,ref,disposal,path' "$OUT"
expect_eq "deletions: covered" "$(grep -c '見積書_0[0-9]\.docx$' "$SCRATCH/out")" "$(grep -c ",$disp,[^,]*見積書_0[0-9]\.docx$" "$SCRATCH/out")"
expect_match "deletions: some covered" '^[1-9]' "$(grep -c ",$disp," "$SCRATCH/out")"
expect_eq "deletions: class files not covered say none" \
  "$(grep ',mitsumori,' "$SCRATCH/out" | grep -vc '見積書_0[0-9]\.docx$')" "$(grep -c ',mitsumori,.*,none,' "$SCRATCH/out")"

# ---- takeouts: open, and matched with removable writes (高橋 writes to E: on 2024-04-02) -------
run_cmd record takeout --person '高橋' --item '給与明細 (USB)' --purpose 'backup' --media 'USB E:' --out 2024-04-02T03:00
expect_eq "takeout exit" 0 "$RC"
t1=$(sed -n 's/^takeout \([0-9]*\) stored$/\1/p' "$SCRATCH/out")
run_cmd record takeout --person 'CORP\sato' --item '申告書 (paper)' --purpose '年末調整' --out 2024-04-03T10:00
t2=$(sed -n 's/^takeout \([0-9]*\) stored$/\1/p' "$SCRATCH/out")
run_cmd report takeouts --format csv --tz UTC
expect_eq "takeouts exit" 0 "$RC"
writes=$("$PY" -c 'import json,sys; print(sum(1 for w in json.load(open(sys.argv[1]))["removable_writes"] if w["user"] == "高橋" and w["time"] >= "2024-04-02T03:00"))' "$SCRATCH/logs/truth.json")
expect_match "takeout 1: open with the writes of truth.json" "^$t1,高橋,2024-04-02T03:00:00.0000000Z,,open,$writes,2024-04-02T03:0" "$(grep "^$t1," "$SCRATCH/out")"
expect_match "takeout 2: open, no writes" "^$t2,CORP\\\\sato,.*,open,0,," "$(grep "^$t2," "$SCRATCH/out")"
run_cmd record return --takeout "$t2" --returned 2024-04-03T18:00
expect_eq "return exit" 0 "$RC"
run_cmd record return --takeout "$t2"
expect_eq "return twice: usage" "2|shoseki record return: --takeout: take-out $t2 is returned already" "$RC|$ERR"
run_cmd report takeouts --format csv --tz UTC
expect_eq "returned, no writes: not listed" 0 "$(grep -c "^$t2," "$SCRATCH/out")"

# ---- a correction supersedes without erasing ----------------------------------------------------
run_cmd record takeout --person '高橋' --item '給与明細 (USB)' --purpose 'backup' --media 'USB E:' \
  --out 2024-04-02T03:00 --returned 2024-04-02T03:02 --corrects "$t1"
expect_eq "correction exit" 0 "$RC"
t1b=$(sed -n 's/^takeout \([0-9]*\) stored$/\1/p' "$SCRATCH/out")
run_cmd record list --format csv --tz UTC
expect_match "list: the first kept, superseded" "^$t1,takeout,.*,superseded by $t1b," "$(grep "^$t1," "$SCRATCH/out")"
expect_match "list: the correction returned" "^$t1b,takeout,.*,returned 2024-04-02T03:02:00.0000000Z," "$(grep "^$t1b," "$SCRATCH/out")"
run_cmd report takeouts --format csv --tz UTC
expect_eq "takeouts: only the correction" "0 1" "$(grep -c "^$t1," "$SCRATCH/out") $(grep -c "^$t1b,.*,returned,1," "$SCRATCH/out")"
run_cmd record takeout --person x --item y --purpose z --corrects "$t1"
expect_eq "correcting a superseded record: usage" 2 "$RC"

# ---- purposes: report handlers --------------------------------------------------------------------
run_cmd report handlers --format csv
before=$(grep -c ',mitsumori,' "$SCRATCH/out")
who1=$(grep ',mitsumori,' "$SCRATCH/out" | head -1 | cut -d, -f3)
day1=$(grep ',mitsumori,' "$SCRATCH/out" | head -1 | cut -c1-10)
run_cmd record purpose --person "$who1" --class mitsumori --purpose '見積の廃棄' --from "$day1" --until "$day1"
expect_eq "purpose exit" 0 "$RC"
pid=$(sed -n 's/^purpose \([0-9]*\) stored$/\1/p' "$SCRATCH/out")
run_cmd report handlers --format csv
inside=$(grep -c ",$pid," "$SCRATCH/out")
expect_match "handlers: accesses inside the purpose marked" '^[1-9]' "$inside"
expect_eq "handlers: every access of that person that day inside" "$inside" "$(grep "^$day1" "$SCRATCH/out" | grep -c ",$who1,.*,mitsumori,")"
expect_match "handlers: the handler outside any purpose now listed" '^[1-9]' "$(grep -c ',CORP\\tanaka,.*,none,' "$SCRATCH/out")"
expect_eq "handlers: without purposes, as before" "$before" "$(grep ',mitsumori,' "$SCRATCH/out" | grep -vc ',CORP\\tanaka,')"

# ---- who/what/cat see records; verify covers them ---------------------------------------------------
run_cmd what '高橋' --format jsonl
expect_eq "what: the take-outs" 2 "$(jq_count 'e.get("channel") == "shoseki-records" and e["object_type"] == "record:takeout"')"
ref=$("$BIN" export | "$PY" -c 'import json,sys; print(next(e["ref"] for e in map(json.loads, sys.stdin) if e.get("record_id") == int(sys.argv[1])))' "$disp")
run_cmd cat "$ref"
expect_eq "cat: the record's text" "shoseki-record 1|kind disposal|vendor Acme 溶解処理|covers *\\eigyo\\mitsumori\\見積書_0?.docx|certificate $sha" \
  "$(sed -n '1p' "$SCRATCH/out")|$(sed -n '2p' "$SCRATCH/out")|$(grep '^vendor ' "$SCRATCH/out")|$(grep '^covers ' "$SCRATCH/out")|$(grep '^certificate ' "$SCRATCH/out")"
run_cmd verify
expect_eq "verify" 0 "$RC"

# ---- bad input: one line, exit status -----------------------------------------------------------------
run_cmd record disposal --vendor v --certificate "$SCRATCH/none.pdf" --covers x
expect_eq "missing certificate" "3|1" "$RC|$(wc -l <"$SCRATCH/err")"
run_cmd record disposal --vendor v --certificate "$SCRATCH/cert.pdf" --covers x --max-certificate 100K
expect_match "certificate over the limit" "^3\\|.*300000 bytes, more than the limit of 102400" "$RC|$ERR"
run_cmd record takeout --person p --item i --purpose q --out 2024-13-01
expect_eq "bad date" "2|1" "$RC|$(wc -l <"$SCRATCH/err")"
run_cmd record purpose --person p --class nosuch --purpose q --from 2024-04-01 --until 2024-04-02
expect_eq "unknown class" "2|shoseki record purpose: unknown class 'nosuch' (the policy's [class ...] names it)" "$RC|$ERR"
run_cmd record purpose --person p --class mynumber --purpose q --from 2024-04-02 --until 2024-04-01
expect_eq "until before from" "2|shoseki record purpose: --until is not after --from" "$RC|$ERR"
run_cmd record takeout --person p --item i --purpose q --out 2024-04-02T10:00 --returned 2024-04-02T09:00
expect_eq "returned before out" "2|shoseki record takeout: --returned is not after --out" "$RC|$ERR"
run_cmd record takeout --person p --item "$(printf 'two\nlines')" --purpose q
expect_eq "a value of two lines" "2|shoseki record takeout: 'item' is more than one line" "$RC|$ERR"
run_cmd record return --takeout 12345
expect_eq "return of no take-out" "2|shoseki record return: --takeout: no take-out 12345" "$RC|$ERR"
run_cmd record takeout --vendor v
expect_eq "option of another kind" "2|shoseki record takeout: --vendor is not an option of this kind" "$RC|$ERR"

# ---- evidence packs carry the records and their certificates -----------------------------------
run_cmd evidence --out "$SCRATCH/pack" who --like '見積書' --tz UTC
expect_eq "pack of the deletions and their disposal" 0 "$RC"
expect_eq "pack: the certificate, byte for byte" "" "$(cmp "$SCRATCH/cert.pdf" "$SCRATCH/pack/certificates/$sha.bin" 2>&1)"
expect_eq "pack: the certificate in sources.csv" 1 "$(grep -c "$sha" "$SCRATCH/pack/sources.csv")"
expect_eq "pack: the certificate in the manifest" 1 "$(grep -c "  certificates/$sha.bin$" "$SCRATCH/pack/MANIFEST.sha256")"
expect_match "pack: the record's text among the originals" "certificate $sha" "$(cat "$SCRATCH"/pack/originals/*)"
run_cmd verify --pack "$SCRATCH/pack" --data "$D"
expect_eq "pack verifies" 0 "$RC"

# ---- a changed byte of the certificate is found ------------------------------------------------------
seg=$(ls "$D"/archive/seg-*.sho | head -1)
off=$("$PY" -c 'import sys; d=open(sys.argv[1],"rb").read(); print(d.find(b"%PDF-1.7"))' "$seg")
if [[ "$off" -gt 0 ]]; then
  printf 'X' | dd of="$seg" bs=1 seek=$((off + 2)) conv=notrunc status=none
  run_cmd verify
  expect_eq "verify finds the changed certificate" 4 "$RC"
else
  fail "the certificate's bytes are stored compressed: cannot flip one (offset $off)"
fi
finish
