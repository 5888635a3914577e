# Bad input and faults (issue 10): unknown options, malformed times and zones, invalid and
# catastrophic regular expressions, missing and unreadable paths, a directory given as a file
# (and a file as a directory), a data directory on a read-only file system, a full disk (a
# small tmpfs) and a file size limit (ulimit -f). Each must give exactly one error line naming
# the problem, the documented exit status (README: 2 usage, 3 input unusable, 5 system), and
# leave the archive intact: `verify --expect-head` of the head taken before still passes.
# Mounts need root; without them those cases say they are skipped. No corpus needed.
source "$(dirname "$0")/../lib/e2e.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
D=$SCRATCH/data
tried=0

run_cmd collect --data "$D" "$SRC/samples/evtx"
expect_eq "collect samples" 0 "$RC"
# A path of 3000 'a's then 'b': the classic input on which (a+)+$ backtracks without end.
long=$(printf 'a%.0s' $(seq 1 3000))
printf 'Jan 15 09:00:02 fs02 smbd_audit[2101]: tanaka|192.0.2.21|PC021|keiri|openat|ok|r|/srv/samba/keiri/%sb\n' \
  "$long" >"$SCRATCH/long.log"
touch -d 2025-03-01T00:00:00Z "$SCRATCH/long.log"
run_cmd collect --data "$D" "$SCRATCH/long.log"
expect_eq "collect long path" 0 "$RC"
run_cmd index --data "$D"
expect_eq "index" 0 "$RC"
run_cmd verify --data "$D"
HEAD=$(sed -n 's/^head: //p' <<<"$OUT")
expect_match "head" '^[0-9a-f]{64}$' "$HEAD"

# bad WHAT RC REGEX ARGS...: exit RC, exactly one line on stderr that is an error matching
# REGEX, and the archive as it was.
bad() {
  local what=$1 want=$2 re=$3
  shift 3
  tried=$((tried + 1))
  run_cmd "$@"
  expect_eq "$what: exit" "$want" "$RC"
  expect_eq "$what: one line on stderr" 1 "$(grep -c '' <<<"$ERR")"
  expect_match "$what: message" "$re" "$ERR"
  "$BIN" verify --data "$D" --expect-head "$HEAD" >/dev/null 2>&1 || fail "$what: archive no longer verifies"
}

# ---- options, times, zones --------------------------------------------------------------
for cmd in collect verify sources extract cat export stats index who what timeline scope; do
  bad "$cmd unknown option" 2 "^shoseki $cmd: unknown option '--no-such-option'$" \
    "$cmd" --data "$D" --no-such-option
done
bad "report unknown option" 2 "unknown option '--no-such-option'" report handlers --data "$D" --no-such-option
bad "report unknown kind" 2 "'no-such-report'" report no-such-report --data "$D"
bad "missing option value" 2 "--data" who --data
for t in garbage 2024-13-01 2023-02-29 2024-05-01T25:00 '-7y' '-3050057w' '2024-05-01T09:30+99:00' ''; do
  bad "time '$t'" 2 "'${t//+/[+]}' is not a time" timeline --data "$D" --since "$t"
done
bad "--until in a report" 2 "'2024-02-30' is not a time" report after-hours --data "$D" --until 2024-02-30
bad "unknown zone" 2 "unknown time zone 'Mars/Olympus'" what --data "$D" --tz Mars/Olympus x
bad "zone outside zoneinfo" 2 "unknown time zone '../../etc/passwd'" timeline --data "$D" --tz ../../etc/passwd
bad "bad limit" 2 "--limit wants a positive count, not '1x'" timeline --data "$D" --limit 1x
bad "bad batch" 2 "--batch wants a count, not '-3'" index --data "$D" --batch -3
bad "bad segment size" 2 "--segment-size wants 4K..1T, not '12Q'" collect --data "$D" --segment-size 12Q x
bad "bad head" 2 "expect-head" verify --data "$D" --expect-head abc
bad "bad ref" 2 "" cat --data "$D" 99x

# ---- regular expressions ------------------------------------------------------------------
bad "invalid regex" 2 "invalid regular expression '\(unclosed' at offset 9" who --data "$D" --regex '(unclosed'
for re in '(a+)+$' '(a*)*$'; do
  start=$(date +%s%N)
  bad "catastrophic regex $re" 2 "regular expression '.*' too complex \(match limit reached\)" \
    who --data "$D" --regex "$re"
  ms=$((($(date +%s%N) - start) / 1000000))
  [[ $ms -lt 20000 ]] && ok || fail "catastrophic regex $re took $ms ms"
done
bad "catastrophic regex in scope" 2 "match limit reached" scope --data "$D" --regex '(a+)+$'

# ---- paths --------------------------------------------------------------------------------
bad "missing input" 3 "'$SCRATCH/nope.evtx': cannot read: No such file" collect --data "$D" "$SCRATCH/nope.evtx"
bad "missing data dir (search)" 3 "'$SCRATCH/none/archive': no archive here" who --data "$SCRATCH/none" x
bad "missing data dir (index)" 3 "'$SCRATCH/none/archive': no archive here" index --data "$SCRATCH/none"
bad "missing data dir (report)" 3 "no archive here" report failed --data "$SCRATCH/none"
bad "missing data dir (verify)" 5 "'$SCRATCH/none/archive': no archive here" verify --data "$SCRATCH/none"
[[ ! -e $SCRATCH/none ]] && ok || fail "a search or index created the missing data directory"
bad "missing policy" 2 "'?$SCRATCH/nope.conf'?: cannot read the policy: No such file" \
  report handlers --data "$D" --policy "$SCRATCH/nope.conf"
bad "missing uid map" 2 "'$SCRATCH/nope.passwd'" collect --data "$D" --uid-map "$SCRATCH/nope.passwd" "$SCRATCH/long.log"
bad "extract into a missing folder" 5 "$SCRATCH/nodir/x.evtx" \
  extract --data "$D" --source "$("$BIN" sources --data "$D" | awk 'NR==2 {print $1}')" -o "$SCRATCH/nodir/x.evtx"

# A directory given as a file, and a file given as a directory.
mkdir -p "$SCRATCH/adir"
bad "policy is a directory" 2 "'?$SCRATCH/adir'?: cannot read the policy: Is a directory" \
  report handlers --data "$D" --policy "$SCRATCH/adir"
bad "uid map is a directory" 2 "'$SCRATCH/adir'" collect --data "$D" --uid-map "$SCRATCH/adir" "$SCRATCH/long.log"
bad "extract onto a directory" 5 "'$SCRATCH/adir'" \
  extract --data "$D" --source "$("$BIN" sources --data "$D" | awk 'NR==2 {print $1}')" -o "$SCRATCH/adir"
printf 'x' >"$SCRATCH/afile"
bad "data dir is a file (collect)" 5 "'$SCRATCH/afile': cannot create directory: Not a directory" \
  collect --data "$SCRATCH/afile" "$SCRATCH/long.log"
bad "data dir is a file (index)" 3 "'$SCRATCH/afile/archive': no archive here" index --data "$SCRATCH/afile"
expect_eq "a file given as data dir keeps its mode" 644 "$(stat -c %a "$SCRATCH/afile")"

# Unreadable: root reads everything, so the case runs as nobody when we are root.
cp "$SRC/samples/evtx/Sysmon-PC01.evtx" "$SCRATCH/secret.evtx"
chmod 000 "$SCRATCH/secret.evtx"
chmod 755 "$SCRATCH"
as=()
if [[ $(id -u) -eq 0 ]]; then
  as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  "${as[@]}" true 2>/dev/null || as=(skip)
fi
if [[ ${as[0]:-} == skip ]]; then
  echo "skipped: unreadable file (root, and setpriv cannot drop to nobody)"
else
  tried=$((tried + 1))
  "${as[@]}" "$BIN" collect --dry-run "$SCRATCH/secret.evtx" >"$SCRATCH/out" 2>"$SCRATCH/err"
  RC=$?
  expect_eq "unreadable file: exit" 3 "$RC"
  expect_match "unreadable file: message" "'$SCRATCH/secret.evtx': cannot (open|read): Permission denied" "$(cat "$SCRATCH/err")"
fi

# ---- file systems: read-only, full, size limit ------------------------------------------------
# The mount point lies outside the scratch directory and goes away however the test ends.
M=$(mktemp -d "${TMPDIR:-/tmp}/shoseki-bad-input.XXXXXX")
trap 'umount "$M" 2>/dev/null; rmdir "$M"' EXIT
"$GEN" --out "$SCRATCH/big" --seed 5 --persons 10 --files 60 --days 2 --events-per-day 3000 >/dev/null 2>&1 ||
  fail "shoseki-gen"
if mount -t tmpfs -o size=4m,mode=0700 tmpfs "$M" 2>/dev/null; then
  run_cmd collect --data "$M/d" "$SRC/samples/evtx"
  expect_eq "tmpfs collect" 0 "$RC"
  run_cmd index --data "$M/d"
  MHEAD=$("$BIN" verify --data "$M/d" | sed -n 's/^head: //p')
  if mount -o remount,ro "$M" 2>/dev/null; then
    D_SAVE=$D HEAD_SAVE=$HEAD
    D=$M/d HEAD=$MHEAD
    bad "read-only data dir (collect)" 5 "'$M/d[^']*': .*Read-only file system" collect --data "$M/d" "$SCRATCH/long.log"
    bad "read-only data dir (index)" 5 "'$M/d[^']*': .*Read-only file system" index --data "$M/d"
    # A search answers from the index as it stands, with one warning.
    tried=$((tried + 1))
    run_cmd timeline --data "$M/d" --format csv
    expect_eq "read-only search: exit" 0 "$RC"
    expect_match "read-only search: one warning" "^shoseki: warning: cannot bring the index up to date: .*Read-only file system$" "$ERR"
    # A substring search reads the trigram index file there too (immutable, like the index).
    tried=$((tried + 1))
    run_cmd who --data "$M/d" --like mynumber --format csv
    expect_eq "read-only like: exit" 0 "$RC"
    expect_match "read-only like: rows" "mynumber" "$OUT"
    D=$D_SAVE HEAD=$HEAD_SAVE
    mount -o remount,rw "$M"
  else
    echo "skipped: read-only remount not permitted"
  fi
  # Full disk: a filler takes what is left of the 4 MiB.
  D_SAVE=$D HEAD_SAVE=$HEAD
  D=$M/d HEAD=$MHEAD
  dd if=/dev/zero of="$M/fill" bs=64k 2>/dev/null
  bad "full disk (collect)" 5 "'$M/d/[^']*'(:[0-9]+)?: .*No space left on device" -q collect --data "$M/d" "$SCRATCH/big"
  bad "full disk (index)" 5 "'$M/d[^']*': .*(No space left on device|database or disk is full)" \
    index --data "$M/d" --rebuild
  rm -f "$M/fill"
  run_cmd collect --data "$M/d" "$SCRATCH/big"
  expect_eq "full disk: a re-run with room completes" 0 "$RC"
  run_cmd verify --data "$M/d" --expect-head "$MHEAD"
  expect_eq "full disk: the archive verifies after the re-run" 0 "$RC"
  D=$D_SAVE HEAD=$HEAD_SAVE
  umount "$M"
else
  echo "skipped: read-only data dir and full tmpfs (cannot mount tmpfs: not root?)"
fi
# A file size limit: SIGXFSZ is ignored, the write fails with EFBIG and is reported.
F=$SCRATCH/fsize
run_cmd collect --data "$F" "$SRC/samples/evtx"
FHEAD=$("$BIN" verify --data "$F" | sed -n 's/^head: //p')
D_SAVE=$D HEAD_SAVE=$HEAD
D=$F HEAD=$FHEAD
tried=$((tried + 1))
(ulimit -f 200 && exec "$BIN" collect --data "$F" "$SCRATCH/big") >"$SCRATCH/out" 2>"$SCRATCH/err"
RC=$?
expect_eq "ulimit -f: exit" 5 "$RC"
expect_eq "ulimit -f: one error line" 1 "$(grep -c 'error' "$SCRATCH/err")"
expect_match "ulimit -f: message" "'$F/archive/seg-[0-9]+\.sho':[0-9]+: cannot write frame: File too large" "$(cat "$SCRATCH/err")"
"$BIN" verify --data "$F" --expect-head "$FHEAD" >/dev/null 2>&1 || fail "ulimit -f: archive no longer verifies"
run_cmd collect --data "$F" "$SCRATCH/big"
expect_eq "ulimit -f: a re-run without the limit completes" 0 "$RC"
D=$D_SAVE HEAD=$HEAD_SAVE

echo "bad inputs tried: $tried"
finish
