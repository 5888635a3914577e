#!/usr/bin/python3
"""kill -9 of `collect` and of `index` (issue 10), on generated multi-file input.

usage: kill_index_test.py SHOSEKI SCRATCH KILLS SEED INPUT...

Promise under test: SIGKILL at any moment of `collect` or of `index` leaves a data directory
whose archive `verify` accepts, with every frame it had before still in the chain (--expect-head
of the previous head), and whose index holds only whole batches (no event twice, every event it
holds in the archive); re-running finishes the work. At the end the archive and the index hold
exactly the events of one uninterrupted run: the same count, the same content, no duplicate.

1. Reference: one uninterrupted `collect` then `index` into SCRATCH/ref; `export` (JSON lines,
   "ref" dropped: the only value that depends on frame numbers) and `timeline` (CSV, ref column
   dropped) give the two multisets every finished round must equal; the run times set the range
   the kill moments are drawn from (0 to 1.2 times a whole run, some within 20 ms: startup).
2. Until KILLS kills have stopped a run mid-way (at most 4 x KILLS tries): pick `collect` or
   `index` (half each), start it on the data directory, SIGKILL it after a random delay (fixed
   seed), then check the state as described above. A run that ends before its kill is a re-run
   that finished: when both a collect and a later index have
   finished, the round is compared with the reference and the next kills go to a fresh
   directory (so they keep landing in real work).
3. After the last kill: finish the round and compare once more; a second collect and index add
   nothing. Prints "kill test (collect and index): ..." and exits 1 on any failure.
"""
import collections
import csv
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

BIN, SCRATCH, KILLS, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
INPUTS = sys.argv[5:]
SEGMENT = ["--segment-size", "64K"]  # the writer rolls over, and is killed doing so
BATCH = ["--batch", "500"]  # many index commits per run
failures = []


def run(*argv, check=True):
    p = subprocess.run([BIN, *argv], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.strip()[-400:]}")
    return p


def collect_argv(d):
    return ["-q", "collect", "--data", d, *SEGMENT, *INPUTS]


def index_argv(d):
    return ["index", "--data", d, *BATCH]


def head_of(d, expect=None):
    extra = ["--expect-head", expect] if expect else []
    m = re.search(r"^head: ([0-9a-f]{64})$", run("verify", "--data", d, *extra).stdout, re.M)
    return m.group(1) if m else None  # "head: (empty ...)": a collect killed before its first frame


def archive_events(d):
    """(multiset of events without ref, set of refs) of the archive."""
    lines, refs = collections.Counter(), set()
    for line in run("export", "--data", d).stdout.splitlines():
        e = json.loads(line)
        refs.add(e.pop("ref"))
        lines[json.dumps(e, sort_keys=True, ensure_ascii=False)] += 1
    return lines, refs


def archive_refs(d):
    """The set of refs of the archive (without parsing every event: this runs after each kill)."""
    return set(re.findall(r'"ref":"([0-9]+:[0-9]+)"', run("export", "--data", d).stdout))


def index_events(d):
    """(multiset of index rows without ref, list of refs) as a search sees them."""
    p = run("timeline", "--data", d, "--no-refresh", "--format", "csv", "--tz", "UTC",
            check=False)
    if p.returncode == 3 and "no index yet" in p.stderr:
        return collections.Counter(), []
    if p.returncode not in (0, 1):
        raise AssertionError(f"timeline: exit {p.returncode}: {p.stderr.strip()[-300:]}")
    rows = list(csv.reader(io.StringIO(p.stdout)))
    i = rows[0].index("ref")
    return collections.Counter(tuple(r[:i] + r[i + 1:]) for r in rows[1:]), [r[i] for r in rows[1:]]


def check_state(d, prev_head, what):
    """After a kill: the archive verifies and keeps what it had; the index is sound."""
    head = head_of(d, prev_head) if os.path.isdir(os.path.join(d, "archive")) else None
    if os.path.exists(os.path.join(d, "index.sqlite")):
        archived = archive_refs(d)
        _, refs = index_events(d)
        if len(refs) != len(set(refs)):
            raise AssertionError(f"{what}: the index holds an event twice")
        if not set(refs) <= archived:
            raise AssertionError(f"{what}: the index holds events the archive does not")
    return head


def compare(d, ref, what):
    """A finished round: exactly the reference's events in the archive and in the index."""
    lines, refs = archive_events(d)
    rows, irefs = index_events(d)
    if lines != ref["lines"]:
        lost, extra = ref["lines"] - lines, lines - ref["lines"]
        raise AssertionError(f"{what}: archive has {sum(lines.values())} events, reference "
                             f"{sum(ref['lines'].values())}: {sum(lost.values())} lost, "
                             f"{sum(extra.values())} extra")
    if rows != ref["rows"] or len(irefs) != len(set(irefs)) or set(irefs) != refs:
        raise AssertionError(f"{what}: index has {len(irefs)} rows ({len(set(irefs))} distinct), "
                             f"reference {sum(ref['rows'].values())}; same rows: "
                             f"{rows == ref['rows']}")


def timed(argv):
    t = time.monotonic()
    run(*argv)
    return time.monotonic() - t


def main():
    shutil.rmtree(SCRATCH, ignore_errors=True)
    os.makedirs(SCRATCH)
    r = os.path.join(SCRATCH, "ref")
    t_collect = timed(collect_argv(r))
    t_index = timed(index_argv(r))
    lines, _ = archive_events(r)
    rows, _ = index_events(r)
    ref = {"lines": lines, "rows": rows}
    rng = random.Random(SEED)
    rounds, kills = 0, collections.Counter()
    landed = collections.Counter()  # kills that stopped a run before it ended

    def fresh():
        nonlocal rounds
        rounds += 1
        return os.path.join(SCRATCH, f"d{rounds}")

    d, head, done = fresh(), None, set()
    k = 0
    while sum(landed.values()) < KILLS and k < 4 * KILLS:
        k += 1
        what = rng.choice(["collect", "index"])
        span = t_collect if what == "collect" else t_index
        delay = rng.uniform(0, 0.02) if rng.random() < 0.1 else rng.uniform(0, 1.2 * span)
        argv = collect_argv(d) if what == "collect" else index_argv(d)
        p = subprocess.Popen([BIN, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        finished = p.poll() is not None
        p.send_signal(signal.SIGKILL)
        p.wait()
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        kills[what] += 1
        label = f"kill {k} of {what} after {delay * 1000:.0f} ms in {d}"
        try:
            if finished and p.returncode not in (0,) and not (what == "index" and
                                                              "no archive here" in err):
                raise AssertionError(f"{label}: the run failed by itself: {err.strip()[-300:]}")
            landed[what] += not finished
            head = check_state(d, head, label)
            if finished and p.returncode == 0:
                # a collect that finished restarts the pair; an index after it completes it
                done = {"collect"} if what == "collect" else done | {what}
                if done == {"collect", "index"}:
                    compare(d, ref, label)
                    d, head, done = fresh(), None, set()
        except AssertionError as e:
            failures.append(str(e))
            d, head, done = fresh(), None, set()
    if sum(landed.values()) < KILLS:
        failures.append(f"only {sum(landed.values())} of {k} kills stopped a run mid-way")
    try:
        run(*collect_argv(d))
        run(*index_argv(d))
        head = head_of(d, head)
        compare(d, ref, "after the last kill")
        if "0 events stored" not in run(*collect_argv(d)[1:]).stdout:
            raise AssertionError("a second collect stored events")
        if "0 events added" not in run(*index_argv(d)).stdout:
            raise AssertionError("a second index added events")
    except AssertionError as e:
        failures.append(str(e))
    for f in failures:
        print("FAIL:", f)
    print(f"kill test (collect and index): {sum(landed.values())} kills mid-run "
          f"({landed['collect']} of collect, {landed['index']} of index) out of "
          f"{sum(kills.values())} signals sent (the others found the run over: re-runs), "
          f"{rounds} rounds compared with one uninterrupted run of "
          f"{sum(lines.values())} events, {len(failures)} failures")
    return 1 if failures else 0


sys.exit(main())
