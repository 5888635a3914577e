# shoseki ship and --backend clickhouse:// on two local ClickHouse servers (a
# two-shard cluster): the generated scenario (and the corpus when
# SHOSEKI_CORPUS is set) shipped, then who / what / timeline / scope answer
# exactly as the local index does (CSV compared byte for byte); a re-run
# sends nothing; a batch that failed half-way (a shard down) and is sent
# again is not counted twice; with a shard down every search fails loudly
# and prints no row; credentials from a file, never printed. Skips when
# clickhouse-server is not installed. Stops every server it started, by PID.
source "$(dirname "$0")/../lib/e2e.sh"
source "$(dirname "$0")/../lib/clickhouse.sh"
GEN=${SHOSEKI_GEN:?SHOSEKI_GEN must name the shoseki-gen binary}
if ! ch_have; then
  echo "skipped: clickhouse-server (Debian clickhouse-server, scripts/install-deps) is not installed"
  exit 77
fi
CH=$SCRATCH/ch
trap ch_stop_all EXIT
base=$(ch_free_base) || { echo "no free ports" >&2; exit 1; }
HA=$base TA=$((base + 1)) HB=$((base + 2)) TB=$((base + 3))
ch_start "$CH" a "$HA" "$TA" "$TA" "$TB" || exit 1
ch_start "$CH" b "$HB" "$TB" "$TA" "$TB" || exit 1
URL_A=http://127.0.0.1:$HA URL_B=http://127.0.0.1:$HB

D=$SCRATCH/data
"$GEN" --out "$SCRATCH/logs" --seed 11 --persons 10 --files 40 --hosts 2 --days 3 --events-per-day 80 >/dev/null
"$BIN" -q collect --data "$D" "$SCRATCH/logs" >/dev/null || fail "collect"
"$BIN" -q index --data "$D" >/dev/null || fail "index"

run_cmd ship --data "$D" --clickhouse "$URL_A" --clickhouse "$URL_B" --create --cluster shoseki2 \
  --table ev --batch 300
expect_eq "ship" 0 "$RC"
expect_match "ship summary" "^shipped 1199 events of 4 frames in 3 batches \([0-9]+ bytes gzip\) to ev$" "$OUT"
expect_eq "checkpoint private" 600 "$(stat -c %a "$D"/ship-*.pos)"
expect_eq "both shards hold events" 2 "$(for u in "$URL_A" "$URL_B"; do
  curl -s "$u" --data-binary 'SELECT count() > 100 FROM ev_local'; done | grep -c 1)"
run_cmd ship --data "$D" --clickhouse "$URL_A" --table ev
expect_match "second run sends nothing" "^shipped 0 events of 0 frames" "$OUT"

# same_answers DATA TABLE ARGS...: the command's CSV from the index and from ClickHouse.
same() {
  local d=$1 table=$2 rc1 rc2
  shift 2
  "$BIN" "$@" --data "$d" --tz UTC --format csv --no-refresh >"$SCRATCH/local.csv" 2>"$SCRATCH/local.err"
  rc1=$?
  "$BIN" "$@" --data "$d" --tz UTC --format csv --backend "clickhouse://127.0.0.1:$HA/$table" \
    >"$SCRATCH/ch.csv" 2>"$SCRATCH/ch.err"
  rc2=$?
  if [[ $rc1 -ne $rc2 ]] || ! cmp -s "$SCRATCH/local.csv" "$SCRATCH/ch.csv"; then
    fail "$* differs (exit $rc1 / $rc2): $(diff "$SCRATCH/local.csv" "$SCRATCH/ch.csv" | head -3) $(head -2 "$SCRATCH/ch.err")"
  else
    ok
  fi
}
queries() {
  local d=$1 t=$2
  same "$d" "$t" timeline
  same "$d" "$t" what 'CORP\tanaka'
  same "$d" "$t" what 'corp\高橋'
  same "$d" "$t" what '高橋' --since 2024-04-02 --until 2024-04-03
  same "$d" "$t" what S-1-5-21-1004336348-1177238915-682003330-1102 --actions read,write
  same "$d" "$t" what nobody
  same "$d" "$t" who 'D:\shares\eigyo\mitsumori\見積書_01.docx'
  same "$d" "$t" who 'd:/SHARES/eigyo/'
  same "$d" "$t" who '\\FS01.corp.example.jp\jinji\'
  same "$d" "$t" who '/'
  same "$d" "$t" who --like mitsumori
  same "$d" "$t" who --like "it's\\"
  same "$d" "$t" who --regex '見積書_0[13]'
  same "$d" "$t" timeline --host fs01 --outcome success --limit 50
  same "$d" "$t" timeline --client-ip 192.0.2.10 --actions delete
  same "$d" "$t" scope --user 'CORP\tanaka'
  same "$d" "$t" scope --user 'CORP\高橋' --depth 2
  same "$d" "$t" scope --like keiri --depth 2
  same "$d" "$t" scope --host fs01 --depth 2
}
queries "$D" ev
expect_eq "a regular expression error is a usage error" 2 \
  "$("$BIN" who --regex '(' --backend "clickhouse://127.0.0.1:$HA/ev" >/dev/null 2>&1; echo $?)"

# A batch sent twice (its answer lost: here, the checkpoint removed) is kept once: the
# searches drop repeats until the ReplacingMergeTree's merge removes them.
rm "$D"/ship-*.pos
run_cmd ship --data "$D" --clickhouse "$URL_A" --table ev
expect_match "everything sent again" "^shipped 1199 events" "$OUT"
expect_eq "stored twice" 2398 "$(curl -s "$URL_A" --data-binary 'SELECT count() FROM ev')"
queries "$D" ev
for u in "$URL_A" "$URL_B"; do
  curl -s "$u" --data-binary 'OPTIMIZE TABLE ev_local FINAL' || fail "optimize"
done
expect_eq "merged once" 1199 "$(curl -s "$URL_A" --data-binary 'SELECT count() FROM ev')"

# A batch that fails (shard b down): the checkpoint stays, the next run sends it.
"$GEN" --out "$SCRATCH/logs2" --seed 12 --persons 10 --files 40 --hosts 2 --days 2 --events-per-day 120 >/dev/null
"$BIN" -q collect --data "$D" "$SCRATCH/logs2" >/dev/null || fail "collect 2"
"$BIN" -q index --data "$D" >/dev/null || fail "index 2"
ckpt=$(cat "$D"/ship-*.pos)
ch_stop "$CH" b
run_cmd ship --data "$D" --clickhouse "$URL_A" --table ev
expect_eq "ship with a shard down fails" 5 "$RC"
expect_match "and says why" "ClickHouse at 'http://127.0.0.1:$HA' answered 500: Code: (210|279)" "$ERR"
expect_eq "checkpoint unchanged" "$ckpt" "$(cat "$D"/ship-*.pos)"

# Searches with a shard down fail loudly, without rows.
for cmd in "timeline" "what CORP\\tanaka" "who --like mitsumori" "scope --user CORP\\tanaka"; do
  # shellcheck disable=SC2086
  run_cmd $cmd --format csv --backend "clickhouse://127.0.0.1:$HA/ev"
  expect_eq "$cmd with a shard down: exit" 5 "$RC"
  expect_eq "$cmd with a shard down: no rows" "" "$OUT"
  expect_match "$cmd with a shard down: message" "answered 500: Code: 279" "$ERR"
done

ch_start "$CH" b "$HB" "$TB" "$TA" "$TB" || exit 1
run_cmd ship --data "$D" --clickhouse "$URL_A" --table ev
expect_eq "ship again" 0 "$RC"
expect_eq "every event once" "$(curl -s "$URL_A" --data-binary 'SELECT count() FROM ev')" \
  "$(curl -s "$URL_A" --data-binary 'SELECT uniqExact(frame, idx) FROM ev')"
queries "$D" ev

# Credentials: a user with a password (a backslash in it) read from a file, never printed.
run_cmd ship --data "$D" --clickhouse "$URL_A" --table evu --create --user auditor \
  --password-file "$CH/password"
expect_eq "ship as auditor" 0 "$RC"
printf 'wrong\n' >"$SCRATCH/badpw"
run_cmd ship --data "$D" --clickhouse "$URL_A" --table evu --user auditor --password-file "$SCRATCH/badpw"
expect_eq "wrong password" 5 "$RC"
expect_match "wrong password: message" "answered 401: .*Wrong password for user auditor" "$ERR"
expect_eq "the password is not printed" 0 "$(grep -c 'wrong\|s3cret' <<<"$OUT$ERR")"
run_cmd ship --data "$D" --clickhouse "http://auditor:x@127.0.0.1:$HA"
expect_eq "credentials in a URL are refused" 2 "$RC"
SHOSEKI_CLICKHOUSE_USER=auditor SHOSEKI_CLICKHOUSE_PASSWORD_FILE=$CH/password \
  "$BIN" timeline --data "$D" --tz UTC --format csv --backend "clickhouse://127.0.0.1:$HA/evu" >"$SCRATCH/u.csv"
expect_eq "search as auditor" "$("$BIN" timeline --data "$D" --tz UTC --format csv --no-refresh | sha256sum)" \
  "$(sha256sum <"$SCRATCH/u.csv")"
run_cmd timeline --backend "clickhouse://127.0.0.1:$HA/nosuch"
expect_match "a missing table is named" "answered 404: Code: 60, e.displayText\(\) = DB::Exception: Table default.nosuch_people doesn't exist. \(made with the events table by 'shoseki ship --create'\)$" "$ERR"

# The corpus (public sample logs), when given.
if [[ -n "${SHOSEKI_CORPUS:-}" && -d "$SHOSEKI_CORPUS/evtx" ]]; then
  C=$SCRATCH/corpus
  "$BIN" -q collect --data "$C" "$SHOSEKI_CORPUS/evtx" >/dev/null
  "$BIN" -q index --data "$C" >/dev/null || fail "corpus index"
  run_cmd ship --data "$C" --clickhouse "$URL_A" --clickhouse "$URL_B" --create --cluster shoseki2 --table corpus
  expect_eq "corpus ship" 0 "$RC"
  same "$C" corpus timeline
  "$BIN" timeline --data "$C" --format csv --no-refresh | "$PY" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
people = sorted({r["user_sid"] or (r["domain"] + "\\" + r["user"]) for r in rows if r["user"] or r["user_sid"]})
paths = sorted({r["path"] for r in rows if r["path"]})
for p in people[:: max(1, len(people) // 8)]: print("what\t" + p)
for p in paths[:: max(1, len(paths) // 8)]: print("who\t" + p)' >"$SCRATCH/corpus-queries"
  while IFS=$'\t' read -r c a; do
    same "$C" corpus "$c" "$a"
  done <"$SCRATCH/corpus-queries"
  echo "corpus: $(wc -l <"$SCRATCH/corpus-queries") searches compared"
else
  echo "corpus part skipped: SHOSEKI_CORPUS is not set"
fi

ch_stop_all
finish
