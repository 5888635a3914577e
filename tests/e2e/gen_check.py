#!/usr/bin/python3
"""Checks of shoseki-gen's output (tests/e2e/gen_evtx.sh).

usage: gen_check.py readers DIR        libevtx and python-evtx read every record alike
       gen_check.py truth DIR EVENTS   shoseki's events (JSON lines) match truth.json
Prints what it checked; exits 1 on the first disagreement.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import Evtx.Evtx as evtx

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def system_fields(root):
    s = root.find(NS + "System")
    t = s.find(NS + "TimeCreated").get("SystemTime").replace(" ", "T").rstrip("Z")
    secs, _, frac = t.partition(".")
    return (int(s.findtext(NS + "EventRecordID")), int(s.findtext(NS + "EventID")),
            s.findtext(NS + "Computer"), secs, int((frac + "000000")[:6]))


def libevtx_records(path):
    out = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"evtxexport failed on {path}: {out.stderr[-300:]}")
    body = out.stdout[out.stdout.index("<Event"):]
    docs = re.findall(r"<Event .*?</Event>", body, re.S)
    return [system_fields(ET.fromstring(d)) for d in docs], docs


def pyevtx_records(path):
    recs = []
    with evtx.Evtx(path) as log:
        for r in log.records():
            recs.append(system_fields(ET.fromstring(r.xml())))
    return recs


def readers(d):
    total = 0
    for name in sorted(os.listdir(d)):
        if not name.endswith(".evtx"):
            continue
        path = os.path.join(d, name)
        a, _ = libevtx_records(path)
        b = pyevtx_records(path)
        if len(a) != len(b) or not a:
            raise SystemExit(f"FAIL: {name}: libevtx {len(a)} records, python-evtx {len(b)}")
        for x, y in zip(a, b):
            # python-evtx has microseconds only; compare to the microsecond, within 2 us.
            if x[:4] != y[:4] or abs(x[4] - y[4]) > 2:
                raise SystemExit(f"FAIL: {name}: libevtx {x} != python-evtx {y}")
        total += len(a)
        print(f"{name}: {len(a)} records, libevtx and python-evtx agree")
    print(f"readers: {total} records checked")


def truth(d, events_path):
    t = json.load(open(os.path.join(d, "truth.json"), encoding="utf-8"))
    events = [json.loads(l) for l in open(events_path, encoding="utf-8")]
    index = {}
    for e in events:
        who = e.get("user_sid") or e.get("user")
        for a in e.get("actions", []):
            index.setdefault((who, e.get("path"), a, e.get("outcome")), []).append(e)
    missing = 0
    for acc in t["accesses"]:
        who = acc["sid"] if acc["how"] != "usb" else acc["user"]
        if (who, acc["path"], acc["action"], acc["outcome"]) not in index:
            missing += 1
            if missing <= 5:
                print(f"FAIL: truth access not found: {acc}")
    if missing:
        raise SystemExit(f"FAIL: {missing} of {len(t['accesses'])} truth accesses not found")
    print(f"truth: all {len(t['accesses'])} accesses found with person, path, action, outcome")
    # The compromised account reads exactly the burst's files, at night, in the burst window.
    b = t["burst"]
    reads = {e["path"] for e in events if e.get("user_sid") == b["sid"] and e["event_id"] == 4663
             and b["start"] <= e["time"][:len(b["end"])] <= b["end"]}
    if len(reads) != b["files"]:
        raise SystemExit(f"FAIL: burst: {len(reads)} files read, truth says {b['files']}")
    others = [e for e in events if e.get("user_sid") == b["sid"] and e["event_id"] == 4663
              and not b["start"] <= e["time"][:len(b["end"])] <= b["end"]]
    if others:
        raise SystemExit(f"FAIL: burst: the account read outside the burst: {others[0]}")
    print(f"truth: burst of {b['files']} My Number files by {b['user']} found, nothing else")
    # The views agree with the accesses: after hours is exactly the compromise.
    if any(a["how"] != "compromise" for a in t["after_hours"]) or not t["after_hours"]:
        raise SystemExit("FAIL: after_hours holds more (or less) than the compromise")
    if sorted(t["by_person"][b["sid"]]["files"]) != sorted(
            {a["path"] for a in t["accesses"] if a["sid"] == b["sid"] and a["outcome"] == "success"}):
        raise SystemExit("FAIL: by_person of the compromised account disagrees with accesses")
    for d in t["deletions"]:
        if (d["sid"], d["path"], "delete", "success") not in index:
            raise SystemExit(f"FAIL: deletion not found: {d}")
    print(f"truth: {len(t['deletions'])} deletions, {len(t['removable_writes'])} removable "
          f"writes, {len(t['failures'])} failures, {len(t['after_hours'])} after-hours accesses")
    c = t["log_cleared"]
    hits = [e for e in events if e["event_id"] == 1102 and e["host"] == c["host"]
            and e.get("user_sid") == c["sid"] and e["time"].startswith(c["time"][:19])]
    if len(hits) != 1:
        raise SystemExit(f"FAIL: log cleared: {len(hits)} matching 1102 events")
    print("truth: log clear found")
    gap = t["record_id_gap"]
    ids = sorted(e["record_id"] for e in events if e["host"] == gap["host"]
                 and e["source"].endswith(gap["host"][:4] + ".evtx"))
    jumps = [b - a - 1 for a, b in zip(ids, ids[1:]) if b - a > 1]
    if gap["missing"] not in jumps:
        raise SystemExit(f"FAIL: record-id gap of {gap['missing']} not seen ({jumps[:5]})")
    print(f"truth: record-id gap of {gap['missing']} after the clear found")


if __name__ == "__main__":
    if sys.argv[1] == "readers":
        readers(sys.argv[2])
    else:
        truth(sys.argv[2], sys.argv[3])
