#!/usr/bin/python3
"""Searches while `collect` and `index` run on a growing input (issue 10).

usage: concurrency_test.py SHOSEKI DATA_DIR INPUT_DIR LOG_DIR...

A feeder moves the .evtx files of each LOG_DIR, one at a time, into INPUT_DIR (written under
another name, then renamed: files arrive whole, as from a log shipper); a collect loop runs
`collect --wait INPUT_DIR` over and over, an index loop `index --wait --batch 1024` over and
over, both at once, until every file has arrived and been collected and indexed. Meanwhile
two searchers loop: `timeline --no-refresh` (reads the index as it stands) and `timeline`
(refreshes it first, so searches index too). Required:
  - no error: every search exits 0 or 1 (1: no rows yet), every collect and index exits 0
    (index may find the lock taken by a searcher's refresh: it waits);
  - counts never go down, for each searcher;
  - no partial batch visible: a batch is whole frames, so every answer holds, for some frame
    F, exactly the events of every EVENTS frame up to F (checked at the end against the
    archive's `export`, which never changes what it held);
  - at the end the index holds every archived event once.
Prints "concurrency: ..." and exits 1 on any failure.
"""
import collections
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time

BIN, DATA, INPUT = sys.argv[1:4]
LOGS = sys.argv[4:]
failures = []
lock = threading.Lock()


def fail(msg):
    with lock:
        failures.append(msg)


def run(*argv):
    return subprocess.run([BIN, *argv], capture_output=True, text=True)


def feeder(state):
    n = 0
    for i, d in enumerate(LOGS):
        for name in sorted(os.listdir(d)):
            if not name.endswith(".evtx"):
                continue
            tmp = os.path.join(INPUT, f".{i}-{name}.part")
            shutil.copyfile(os.path.join(d, name), tmp)
            os.rename(tmp, os.path.join(INPUT, f"{i}-{name}"))
            n += 1
            time.sleep(0.4)
    state["fed"] = n
    state["feeding"] = False


def writer(state, argv, key, last_run, ready=lambda: True):
    """Run argv over and over once ready() holds (index: once an archive exists, else it
    rightly exits 3); the run that starts once last_run() holds is the last."""
    while not ready():
        time.sleep(0.02)
    while True:
        last = last_run()
        p = run(*argv)
        state[key] += 1
        if p.returncode != 0:
            fail(f"{argv[1]} run {state[key]}: exit {p.returncode}: {p.stderr[-300:]}")
        if last:
            break
    state[key + "_done"] = True


def searcher(state, refresh, snaps):
    argv = ["timeline", "--data", DATA, "--format", "csv", "--tz", "UTC"]
    if not refresh:
        argv.append("--no-refresh")
    prev = 0
    while not state["stop"]:
        p = run(*argv)
        state["searches"] += 1
        if p.returncode not in (0, 1):
            fail(f"search {argv[-1]}: exit {p.returncode}: {p.stderr[-300:]}")
            continue
        rows = list(csv.reader(io.StringIO(p.stdout)))
        refs = [r[rows[0].index("ref")] for r in rows[1:]] if rows else []
        if len(refs) < prev:
            fail(f"search {argv[-1]}: {len(refs)} rows after {prev}")
        prev = len(refs)
        snaps.append(refs)


def check_snapshot(refs, frames, order):
    """The events of every EVENTS frame up to some frame, each exactly once."""
    seen = collections.Counter(int(r.split(":")[0]) for r in refs)
    if len(set(refs)) != len(refs):
        return "an event twice"
    top = max(seen) if seen else 0
    for f in order:
        if f > top:
            break
        if seen.get(f, 0) != frames[f]:
            return f"frame {f}: {seen.get(f, 0)} of its {frames[f]} events"
    return None


def main():
    os.makedirs(INPUT, exist_ok=True)
    state = collections.defaultdict(int, feeding=True, stop=False, collects_done=False)
    snaps = {False: [], True: []}
    collect = ["-q", "collect", "--data", DATA, "--wait", INPUT]
    index = ["index", "--data", DATA, "--wait", "--batch", "1024"]
    threads = [threading.Thread(target=feeder, args=(state,)),
               threading.Thread(target=writer, args=(state, collect, "collects",
                                                     lambda: not state["feeding"])),
               threading.Thread(target=writer, args=(state, index, "indexes",
                                                     lambda: state["collects_done"],
                                                     lambda: state["collects"] > 0))]
    for t in threads:
        t.start()
    # Searching starts once there is an index to read.
    while run("timeline", "--data", DATA, "--no-refresh").returncode not in (0, 1) and \
            threads[2].is_alive():
        time.sleep(0.05)
    searchers = [threading.Thread(target=searcher, args=(state, r, snaps[r])) for r in (False, True)]
    for t in searchers:
        t.start()
    for t in threads:
        t.join()
    state["stop"] = True
    for t in searchers:
        t.join()

    frames = collections.Counter()
    for line in run("export", "--data", DATA).stdout.splitlines():
        frames[int(json.loads(line)["ref"].split(":")[0])] += 1
    order = sorted(frames)
    bad = 0
    for refresh in (False, True):
        for refs in snaps[refresh]:
            why = check_snapshot(refs, frames, order)
            if why is not None:
                bad += 1
                if bad <= 5:
                    fail(f"a search saw a partial batch ({len(refs)} rows): {why}")
    final = run("timeline", "--data", DATA, "--no-refresh", "--format", "csv").stdout
    indexed = len(final.splitlines()) - 1
    if indexed != sum(frames.values()):
        fail(f"the index holds {indexed} events, the archive {sum(frames.values())}")
    if run("verify", "--data", DATA).returncode != 0:
        fail("the archive does not verify")
    for f in failures:
        print("FAIL:", f)
    counts = [len(s[-1]) if s else 0 for s in (snaps[False], snaps[True])]
    print(f"concurrency: {state['fed']} files fed, {state['collects']} collects and "
          f"{state['indexes']} index runs at once, {len(snaps[False])} searches without and "
          f"{len(snaps[True])} with refresh (last saw {counts[0]} and {counts[1]} events), "
          f"{sum(frames.values())} events in {len(frames)} frames, {len(failures)} failures")
    return 1 if failures else 0


sys.exit(main())
