"""Checks of `who` / `what` / `timeline` against shoseki-gen's truth.json.

Usage: search_truth.py BIN DATA TRUTH
Every access truth.json lists must be found by `who PATH` (in its logged form
and in other spellings of the same path), by `what SID` / `what name` /
`what DOMAIN\\name`, and by `timeline`, with the exact time, action and
outcome; per file, `who` must name exactly the persons truth names; filters
must keep exactly what they say.
"""
import json
import subprocess
import sys

BIN, DATA, TRUTH = sys.argv[1], sys.argv[2], sys.argv[3]
truth = json.load(open(TRUTH, encoding="utf-8"))
fails = 0
checks = 0


def run(*args, expect_rc=(0,)):
    zone = [] if "--tz" in args else ["--tz", "UTC"]
    p = subprocess.run([BIN, *args, "--data", DATA, *zone, "--no-refresh"], capture_output=True)
    if p.returncode not in expect_rc:
        raise SystemExit(f"{args}: exit {p.returncode}: {p.stderr.decode()}")
    return p


def rows(*args):
    p = run(*args, "--format", "jsonl", expect_rc=(0, 1))
    return [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]


def check(what, cond):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
        print("FAIL:", what, file=sys.stderr)


def key(r):
    return (r["user_sid"], r["path"].lower(), r["time"])


def truth_time(t):
    return t.replace("Z", "Z")  # the index prints UTC with Z under --tz UTC


everything = rows("timeline")
check("timeline in time order", [r["time"] for r in everything] == sorted(r["time"] for r in everything))
check("timeline refs unique", len({r["ref"] for r in everything}) == len(everything))
index = {}
for r in everything:
    if r.get("path"):
        index.setdefault(key(r), []).append(r)

# Every access truth knows is in the timeline, exactly.
for a in truth["accesses"]:
    got = index.get((a["sid"], a["path"].lower(), truth_time(a["time"])), [])
    check(f"access {a['sid']} {a['action']} {a['path']} at {a['time']}",
          any(a["action"] in r["actions"] and r["outcome"] == a["outcome"] for r in got))

# who PATH: for each file, the persons truth names, whatever the spelling.
for path, sids in truth["by_file"].items():
    for spelling in (path, path.upper(), path.replace("\\", "/")):
        got = {r["user_sid"] for r in rows("who", spelling, "--outcome", "success")
               if r["path"].lower() == path.lower()}
        check(f"who {spelling}: {sorted(got)} != {sorted(sids)}", got == set(sids))

# what: by SID, by name, by DOMAIN\name: the files truth names.
names = {p["sid"]: p for p in truth["persons"]}
for sid, person in truth["by_person"].items():
    want = {f.lower() for f in person["files"]}
    p = names[sid]
    for selector in (sid, sid.lower(), p["user"], p["domain"] + "\\" + p["user"]):
        got = {r["path"].lower() for r in rows("what", selector)
               if r.get("path") and r["path"].lower() in want}
        check(f"what {selector}: {len(got)} of {len(want)} files", got == want)
    summary = rows("what", sid, "--summary")
    check(f"what {sid} --summary has one row per file",
          len({r["path"] for r in summary}) == len(summary))

# Filters keep exactly what they say.
fails_rows = rows("timeline", "--outcome", "failure")
check("outcome filter", fails_rows and all(r["outcome"] == "failure" for r in fails_rows))
for f in truth["failures"]:
    check(f"failure {f['path']} found",
          any(r["user_sid"] == f["sid"] and r.get("path", "").lower() == f["path"].lower()
              for r in fails_rows))
deletes = rows("timeline", "--actions", "delete")
check("actions filter", deletes and all("delete" in r["actions"] for r in deletes))
for d in truth["deletions"]:
    check(f"deletion {d['path']} found",
          any(r["user_sid"] == d["sid"] and (r.get("path") or "").lower() == d["path"].lower()
              for r in deletes))
burst = truth["burst"]
window = rows("what", burst["sid"], "--since", burst["start"], "--until", burst["end"][:19] + "Z")
check("since/until window", window and all(burst["start"] <= r["time"] < burst["end"][:19] + "Z" for r in window))
host = everything[0]["host"]
short = host.split(".")[0]
check("host filter by short name",
      {r["host"] for r in rows("timeline", "--host", short.lower())} == {host})
check("limit", len(rows("timeline", "--limit", "3")) == 3)
check("nothing found exits 1", run("who", "Z:\\no\\such\\file", expect_rc=(1,)).returncode == 1)

# --like and --regex select the same files as Python does.
some = truth["accesses"][0]["path"]
frag = some.split("\\")[-1][:4]
like = {r["path"] for r in rows("who", "--like", frag)}
check(f"like {frag}", like and all(frag.lower() in p.lower() for p in like)
      and like == {r["path"] for r in everything if r.get("path") and frag.lower() in r["path"].lower()})
regex = {r["path"] for r in rows("who", "--regex", "(?i)mynumber\\\\.*_0[12]\\.")}
check("regex", regex and all("mynumber" in p.lower() for p in regex))

# Times in another zone: same instants, explicit offset.
tokyo = rows("timeline", "--limit", "1", "--tz", "Asia/Tokyo")
check("Asia/Tokyo offset", tokyo[0]["time"].endswith("+09:00"))

# Excel CSV: BOM, CRLF, formula-like cells neutralized.
x = run("timeline", "--limit", "2", "--excel").stdout
check("excel BOM", x.startswith(b"\xef\xbb\xbf"))
check("excel CRLF", x.count(b"\r\n") == 3)

print(f"search_truth: {checks} checks, {fails} failed, {len(truth['accesses'])} accesses")
sys.exit(1 if fails else 0)
