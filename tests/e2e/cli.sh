# The command line: help, version, usage errors and exit codes, bad input
# files, and output formats on empty input. Needs no corpus.
source "$(dirname "$0")/../lib/e2e.sh"

run_cmd --version
expect_eq "--version exit" 0 "$RC"
expect_match "--version text" '^shoseki [0-9]+\.[0-9]+\.[0-9]+' "$OUT"

run_cmd help
expect_eq "help exit" 0 "$RC"
expect_match "help lists collect" 'collect +store event logs' "$OUT"
expect_match "help lists verify" 'verify +check the archive' "$OUT"
expect_match "help lists exit codes" '4 verification failed' "$OUT"

run_cmd help collect
expect_eq "help collect exit" 0 "$RC"
expect_match "help collect usage" '^usage: shoseki collect \[--data DIR\] \[--dry-run' "$OUT"
run_cmd collect --help
expect_match "collect --help" '--all-objects' "$OUT"
run_cmd collect -h
expect_eq "collect -h exit" 0 "$RC"

run_cmd frobnicate
expect_eq "unknown command exit" 2 "$RC"
expect_match "unknown command message" "'frobnicate' is not a command" "$ERR"
run_cmd help frobnicate
expect_eq "help unknown exit" 2 "$RC"
run_cmd --bogus
expect_eq "unknown global option" 2 "$RC"
run_cmd collect --bogus x
expect_eq "unknown collect option exit" 2 "$RC"
expect_match "unknown collect option message" "shoseki collect: unknown option '--bogus'" "$ERR"
run_cmd collect --dry-run
expect_eq "no PATH exit" 2 "$RC"
run_cmd collect --dry-run --output xml x
expect_eq "bad format exit" 2 "$RC"
run_cmd collect --dry-run --handles 0 x
expect_eq "bad --handles exit" 2 "$RC"
for cmd in verify sources extract export stats cat evidence; do
  run_cmd "$cmd" --help
  expect_eq "$cmd --help exit" 0 "$RC"
  expect_match "$cmd --help usage" "^usage: shoseki $cmd" "$OUT"
  run_cmd "$cmd" --bogus
  expect_eq "$cmd unknown option" 2 "$RC"
done
run_cmd verify --data "$SCRATCH/no-such-data"
expect_eq "verify without archive exit" 5 "$RC"
expect_match "verify without archive message" "no archive here" "$ERR"
run_cmd verify --data "$SCRATCH" --expect-head abc
expect_eq "verify bad head exit" 2 "$RC"
run_cmd extract --data "$SCRATCH" --source xyz
expect_eq "extract bad source exit" 2 "$RC"

# Not an EVTX file: one line naming the file, exit 3 (no input usable).
printf 'this is not an event log\n' >"$SCRATCH/notes.evtx"
run_cmd collect --dry-run "$SCRATCH/notes.evtx"
expect_eq "non-evtx exit" 3 "$RC"
expect_match "non-evtx message names file" "^shoseki: error: '$SCRATCH/notes.evtx':0: not a readable EVTX file" "$ERR"
expect_eq "non-evtx no output" "" "$OUT"
run_cmd collect --data "$SCRATCH/data" "$SCRATCH/notes.evtx"
expect_eq "non-evtx stored exit" 3 "$RC"
expect_match "non-evtx stored message" "no 'ElfFile' signature" "$ERR"

# A missing path is named; with one good-but-empty run it is exit 3 as well.
run_cmd collect --dry-run "$SCRATCH/does-not-exist.evtx"
expect_eq "missing file exit" 3 "$RC"
expect_match "missing file message" "'$SCRATCH/does-not-exist.evtx': cannot read: No such file" "$ERR"

# An empty directory: nothing to read.
mkdir -p "$SCRATCH/empty"
run_cmd collect --dry-run "$SCRATCH/empty"
expect_eq "empty dir exit" 3 "$RC"
expect_match "empty dir message" "no input files found" "$ERR"

# A directory walk ignores files not named *.evtx.
mkdir -p "$SCRATCH/tree/sub"
printf 'x' >"$SCRATCH/tree/sub/readme.txt"
cp "$SCRATCH/notes.evtx" "$SCRATCH/tree/sub/b.EVTX"
run_cmd collect --dry-run "$SCRATCH/tree"
expect_eq "walk exit" 3 "$RC"
expect_match "walk finds .EVTX in any case" "tree/sub/b.EVTX" "$ERR"
[[ "$ERR" != *readme.txt* ]] && ok || fail "walk read a non-evtx file"

# CSV on no events still has its header.
run_cmd collect --dry-run --output csv "$SCRATCH/notes.evtx"
expect_eq "csv header" "time,host,channel,provider,event_id,record_id,user_sid,user,domain,logon_id,actions,outcome,object_type,path,process,process_id,client_ip,share,share_local_path,access_mask,handle_id,logon_type,source,source_offset" "$OUT"

# With three threads or more, events are stored or written on a consumer thread: the same bytes
# as on one thread, the same archive contents.
run_cmd collect --dry-run --output jsonl --threads 4 "$SRC/samples/evtx"
one=$("$BIN" collect --dry-run --output jsonl --threads 1 "$SRC/samples/evtx" 2>/dev/null | sha256sum)
expect_eq "consumer thread: dry run as on one thread" "$one" "$(sha256sum <"$SCRATCH/out")"
"$BIN" -q collect --data "$SCRATCH/t4" --threads 4 "$SRC/samples/evtx" >/dev/null 2>&1
"$BIN" -q collect --data "$SCRATCH/t1" --threads 1 "$SRC/samples/evtx" >/dev/null 2>&1
expect_eq "consumer thread: the same events stored" \
  "$("$BIN" export --data "$SCRATCH/t1" | sha256sum)" "$("$BIN" export --data "$SCRATCH/t4" | sha256sum)"
expect_match "consumer thread: stored some" '^[1-9][0-9]* ' "$("$BIN" export --data "$SCRATCH/t4" | wc -l) "

finish
