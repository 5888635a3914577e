#!/usr/bin/python3
"""Differential test: our EVTX reading against python-evtx, record by record.

python-evtx (Debian python3-evtx) is an independent implementation of the
EVTX format. For every .evtx in $SHOSEKI_CORPUS/evtx, each record that
python-evtx renders must appear in `shoseki collect --dry-run --all-events`
output with the same record id, event id, time (to the microsecond, which is
python-evtx's precision), computer, channel and provider. A record python-evtx
reads that we neither emit nor report as unreadable is a failure: a record
silently lost. Exit 77 (skip) when the corpus is not available.

usage: pyevtx_compare.py SHOSEKI_BINARY
"""
import datetime
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

try:
    import Evtx.Evtx as evtx
except ImportError:
    print("skipped: python3-evtx is not installed")
    sys.exit(77)

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def reference(path):
    """Records python-evtx can render: record id -> fields."""
    out = {}
    with evtx.Evtx(path) as log:
        for rec in log.records():
            try:
                root = ET.fromstring(rec.xml())
            except Exception:  # python-evtx fails on some records; those are not compared
                continue
            sysel = root.find(NS + "System")
            if sysel is None:
                continue
            rid = sysel.findtext(NS + "EventRecordID")
            eid = sysel.findtext(NS + "EventID")
            tc = sysel.find(NS + "TimeCreated")
            prov = sysel.find(NS + "Provider")
            if not rid or not eid or not rid.isdigit() or not eid.isdigit():
                continue
            t = tc.get("SystemTime") if tc is not None else None
            out.setdefault(int(rid), {
                "chunk": (rec.offset() - 4096) // 65536,
                "event_id": int(eid),
                "time": t,
                "host": sysel.findtext(NS + "Computer"),
                "channel": sysel.findtext(NS + "Channel"),
                "provider": prov.get("Name") if prov is not None else None,
            })
    return out


def ours(binary, path):
    proc = subprocess.run([binary, "collect", "--dry-run", "--all-events", "-o", "jsonl", path],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"{path}: shoseki exited {proc.returncode}: {proc.stderr[-500:]}")
    events = {}
    for line in proc.stdout.splitlines():
        e = json.loads(line)
        events.setdefault(e["record_id"], e)
    problems = set(int(m) for m in re.findall(r": record (\d+): ", proc.stderr))
    bad_chunks = set((int(m) - 4096) // 65536
                     for m in re.findall(r"':(\d+): chunk (?:is all zeros|signature damaged)",
                                         proc.stderr))
    return events, problems, bad_chunks


def us_time(t):
    """'2019-02-16 17:54:26.956251' or '...T...Z' -> microseconds since the epoch.

    python-evtx converts FILETIME through a float of seconds (about 0.25 us of
    resolution at today's dates, plus rounding) and is seen up to 2 us off;
    times are compared within 2 us for that reason only.
    """
    if t is None:
        return None
    t = t.replace(" ", "T").rstrip("Z")
    frac = "0"
    if "." in t:
        t, frac = t.split(".", 1)
    dt = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1000000 + int((frac + "000000")[:6])


def main():
    corpus = os.environ.get("SHOSEKI_CORPUS")
    if not corpus or not os.path.isdir(os.path.join(corpus, "evtx")):
        print("skipped: SHOSEKI_CORPUS is not set to a directory with evtx/ (public sample logs)")
        return 77
    binary = sys.argv[1]
    failures = compared = 0
    for name in sorted(os.listdir(os.path.join(corpus, "evtx"))):
        if not name.lower().endswith(".evtx"):
            continue
        path = os.path.join(corpus, "evtx", name)
        ref = reference(path)
        got, problems, bad_chunks = ours(binary, path)
        lost = matched = 0
        for rid, r in ref.items():
            e = got.get(rid)
            if e is None:
                # Reported: as an unreadable record, or inside a chunk reported damaged.
                if rid not in problems and r["chunk"] not in bad_chunks:
                    lost += 1
                continue
            mine = {"event_id": e.get("event_id"), "time": us_time(e.get("time")),
                    "host": e.get("host"), "channel": e.get("channel"),
                    "provider": e.get("provider")}
            theirs = dict(r, time=us_time(r["time"]))
            del theirs["chunk"]
            if mine["time"] is not None and theirs["time"] is not None and \
                    abs(mine["time"] - theirs["time"]) <= 2:
                mine["time"] = theirs["time"]
            if mine != theirs:
                failures += 1
                if failures <= 20:
                    print(f"FAIL: {name}: record {rid}: ours {mine} != python-evtx {theirs}")
            else:
                matched += 1
        if lost:
            failures += 1
            print(f"FAIL: {name}: {lost} records python-evtx reads are neither emitted nor reported")
        compared += matched
        print(f"{name}: python-evtx {len(ref)}, shoseki {len(got)}, equal {matched}, "
              f"reported unreadable {len(problems)}, lost {lost}")
    print(f"{compared} records equal; {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
