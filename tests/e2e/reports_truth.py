"""Checks of `scope` and `report` against shoseki-gen's truth.json.

Usage: reports_truth.py BIN DATA TRUTH POLICY
The policy makes `mynumber` the class of \\jinji\\mynumber\\ with tanaka as its only
designated handler, business hours Mon-Fri 09:00-18:00 in Asia/Tokyo, E: removable.
"""
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

BIN, DATA, TRUTH, POLICY = sys.argv[1:5]
truth = json.load(open(TRUTH, encoding="utf-8"))
fails = checks = 0
JST = timezone(timedelta(hours=9))


def run(*args, rc=(0,)):
    p = subprocess.run([BIN, *args, "--data", DATA, "--policy", POLICY, "--tz", "UTC",
                        "--format", "jsonl", "--no-refresh"], capture_output=True)
    if p.returncode not in rc:
        raise SystemExit(f"{args}: exit {p.returncode}: {p.stderr.decode()}")
    return [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]


def check(what, cond):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
        print("FAIL:", what, file=sys.stderr)


def is_my(path):
    return "\\jinji\\mynumber\\" in path.lower()


handler = next(p["sid"] for p in truth["persons"] if p["role"] == "designated-handler")
compromised = next(p for p in truth["persons"] if p["role"] == "compromised")

# handlers: every access to the class by someone else, and nothing else
rows = run("report", "handlers", rc=(0, 1))
check("handlers: only the class", rows and all(r["class"] == "mynumber" for r in rows))
check("handlers: never the handler", all(r["user_sid"] != handler for r in rows))
got = {(r["user_sid"], r["path"].lower(), r["time"]) for r in rows}
for a in truth["accesses"]:
    if is_my(a["path"]) and a["sid"] != handler:
        check(f"handlers: {a['user']} {a['path']} {a['time']}",
              (a["sid"], a["path"].lower(), a["time"]) in got)

# after-hours: truth's after-hours accesses, and only times outside Mon-Fri 09-18 JST
rows = run("report", "after-hours", rc=(0, 1))
got = {(r["user_sid"], r["path"].lower(), r["time"]) for r in rows}
for a in truth["after_hours"]:
    check(f"after-hours: {a['path']} {a['time']}", (a["sid"], a["path"].lower(), a["time"]) in got)
for r in rows:
    t = datetime.fromisoformat(r["time"].replace("Z", "+00:00")[:26] + "+00:00").astimezone(JST)
    check(f"after-hours really after hours: {r['time']}",
          t.weekday() >= 5 or t.hour < 9 or t.hour >= 18)

# failed: one row per person and file, each failure truth knows in it
rows = run("report", "failed", rc=(0, 1))
got = {(r["user_sid"], r["path"].lower()) for r in rows}
check("failed: one row per person and file", len(got) == len(rows))
for f in truth["failures"]:
    check(f"failed: {f['path']}", (f["sid"], f["path"].lower()) in got)

rows = run("report", "deletions", rc=(0, 1))
got = {(r["user_sid"], r["path"].lower()) for r in rows}
check("deletions: all deletes", rows and all("delete" in r["actions"] for r in rows))
for d in truth["deletions"]:
    check(f"deletion: {d['path']}", (d["sid"], d["path"].lower()) in got)

rows = run("report", "removable", rc=(0, 1))
got = {(r["user_sid"], r["path"].lower(), r["time"]) for r in rows if r.get("path")}
for w in truth["removable_writes"]:
    check(f"removable: {w['path']}", (w["sid"], w["path"].lower(), w["time"]) in got)

# scope from the compromised account: every file it read, classed; hop 2 adds later readers
rows = run("scope", "--user", compromised["sid"], "--depth", "2")
files = {r["path"].lower(): r for r in rows if r["section"] == "file"}
mine = {a["path"].lower() for a in truth["accesses"] if a["sid"] == compromised["sid"]}
check(f"scope: {len(mine)} files of the account", mine and mine <= set(files))
check("scope: hop 1 files are the account's", all(
    files[p]["hop"] == 1 for p in mine))
check("scope: classes marked", all(files[p]["class"] == "mynumber" for p in mine if is_my(p)))
persons = {r["user_sid"]: r for r in rows if r["section"] == "person"}
check("scope: the account is hop 1", persons[compromised["sid"]]["hop"] == 1)
later = {a["sid"] for a in truth["accesses"] if a["path"].lower() in mine
         and a["sid"] != compromised["sid"] and a["outcome"] == "success"
         and a["time"] >= min(x["time"] for x in truth["accesses"]
                              if x["sid"] == compromised["sid"] and x["path"].lower() == a["path"].lower())}
hop2 = {sid for sid, r in persons.items() if r["hop"] == 2}
check(f"scope: hop 2 persons {sorted(hop2)} include {sorted(later)}", later <= hop2)
classes = [r for r in rows if r["section"] == "class"]
check("scope: class totals", classes and classes[0]["class"] == "mynumber")

# scope from a file: its persons; depth 2 their other files
path = next(iter(mine))
rows = run("scope", "--file", path, "--depth", "2")
ps = {r["user_sid"] for r in rows if r["section"] == "person" and r["hop"] == 1}
want = {a["sid"] for a in truth["accesses"] if a["path"].lower() == path}
check(f"scope --file: persons {sorted(ps)} include {sorted(want)}", want <= ps)
check("scope --file: hop 2 files are other files",
      all(r["path"].lower() != path for r in rows if r["section"] == "file" and r["hop"] == 2))

# gaps: the generator's record-id gap and cleared log, and nothing else on these logs
rows = run("report", "gaps", rc=(0, 1))
recgaps = [r for r in rows if r["kind"] == "record-gap"]
gap = truth.get("record_id_gap")
check(f"gaps: record gaps {[(r['host'], r['count']) for r in recgaps]} are the truth's {gap}",
      gap is not None and len(recgaps) == 1 and recgaps[0]["host"] == gap["host"]
      and recgaps[0]["count"] == gap["missing"])
cleared = [r for r in rows if r["kind"] == "log-cleared"]
lc = truth.get("log_cleared")
check(f"gaps: cleared {[(r['host'], r['from']) for r in cleared]} is the truth's {lc}",
      lc is not None and len(cleared) == 1 and cleared[0]["host"] == lc["host"]
      and cleared[0]["from"] == lc["time"] and cleared[0]["ref"])
# the logs span three days: with --quiet 1w no silence or stopped host remains
check("gaps --quiet 1w: nothing but the truth's findings", all(
    r["kind"] in ("record-gap", "log-cleared") for r in run("report", "gaps", "--quiet", "1w")))
# a day-long silence is no finding with --quiet 1w; with 1m every pause is one
check("gaps: --quiet 1m finds silences",
      any(r["kind"] == "silence" for r in run("report", "gaps", "--quiet", "1m")))
# health: these logs audit both outcomes and object access, and never wrapped
check("health: no finding on healthy logs", run("report", "health", rc=(1,)) == [])

# sessions, against the archive's own events: each event of a (host, logon id) belongs to
# the latest successful logon at or before it, else to one session without a known logon
exported = subprocess.run([BIN, "export", "--data", DATA], capture_output=True, check=True)
logons, others = {}, []
for line in exported.stdout.decode("utf-8").splitlines():
    e = json.loads(line)
    lid = int(e.get("logon_id", "0"), 16)
    if lid <= 0x3E7:
        continue
    key = (e["host"], lid)
    if "logon" in e.get("actions", []) and e.get("outcome") != "failure":
        logons.setdefault(key, []).append(e["time"])
    others.append((key, e))
want = {}
for key, e in others:
    starts = sorted(t for t in logons.get(key, []) if t <= e["time"])
    sess = want.setdefault((key, starts[-1] if starts else None), [0, set()])
    sess[0] += 1
    if e.get("path"):
        sess[1].add(e["path"])
want = {(k[0][0], hex(k[0][1]), k[1], n, len(f)) for k, (n, f) in want.items() if f}
got = {(r["host"], r["logon_id"], r.get("logon"), r["events"], r["files"])
       for r in run("report", "sessions")}
check(f"sessions: {len(got)} rows equal the {len(want)} from the events "
      f"(only ours {sorted(got - want)[:3]}, only theirs {sorted(want - got)[:3]})", got == want)

print(f"reports_truth: {checks} checks, {fails} failed")
sys.exit(1 if fails else 0)
