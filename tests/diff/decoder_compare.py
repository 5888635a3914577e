#!/usr/bin/python3
"""Differential test: our EVTX decoder against libevtx, record by record.

Both decoders read each file through `shoseki collect --dry-run --all-events
--all-objects -o jsonl`, so every record becomes one JSON line holding every
normalized field (time, host, channel, provider, ids, person, actions, path,
access mask, offset, ...). Each libevtx line must appear, field for field, in
our decoder's output, in the same order (libevtx's recovered records carry no
offset, so for them the offset is not compared). Lines only our decoder gives
are records libevtx cannot read (counted and shown, not failures). A libevtx
line that ours lacks or renders differently fails the test, unless the record
is listed in LIBEVTX_DEFECTS with the reason.

With WINREC_COMPARE (tests/diff/winrec_compare.c) the same files are also
compared one level lower, on the winrec each decoder fills: every EventData
and UserData field, also those normalization never reads.

usage: decoder_compare.py corpus SHOSEKI [WINREC_COMPARE]
           files of $SHOSEKI_CORPUS/evtx
       decoder_compare.py gen SHOSEKI SHOSEKI_GEN [WINREC_COMPARE]
           files written by shoseki-gen
Exit 77 (skip) when the corpus is asked for and SHOSEKI_CORPUS is unset.
"""
import json
import os
import subprocess
import sys
import tempfile

# (file name, record id) -> why libevtx's rendering of that record is wrong.
# Empty: on every corpus file libevtx's records are a subset of ours.
LIBEVTX_DEFECTS = {}

# Records only our decoder reads, per corpus file, and why libevtx does not.
# A file not listed must have none; a different count fails the test.
READ_BEYOND_LIBEVTX = {
    "mdec_ID5140-5145-Bloodhound-SharpHound_enumeration_via_SMB.evtx":
        (91, "written by a Windows Event Collector with values inline (no templates, elements "
             "without dependency ids): libevtx and python-evtx fail on every record"),
    "omer_E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx":
        (3, "records 25, 32 and 142 hold an entity reference inside an attribute value: "
            "libevtx 20181227 fails with 'unsupported type: 0x49'"),
    "omer_sample_with_a_bad_chunk_magic.evtx":
        (3, "records 46741 (offset 12224, wiped), 47640 (470632) and 45933 (650816) sit in "
            "record chains libevtx drops them from (damaged size copies); python-evtx reads "
            "them too"),
    "sbou_CA_chrome_firefox_opera_4663.evtx":
        (12, "records left in slack space when the log was cleared (ids 4408-4516, below the "
             "ids the file holds): libevtx counts them as debris"),
}


def events(shoseki, decoder, path):
    cmd = [shoseki, "collect", "--dry-run", "--all-events", "--all-objects", "-o", "jsonl",
           "--decoder", decoder, path]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode not in (0, 1):
        raise SystemExit("%s: collect --decoder %s exited %d: %s" %
                         (path, decoder, res.returncode, res.stderr.decode()[-500:]))
    return [json.loads(line) for line in res.stdout.decode("utf-8").splitlines()]


def strip(ev, keys):
    return {k: v for k, v in ev.items() if k not in keys}


def compare_file(shoseki, path):
    """Returns (matched, ours only, failures as text)."""
    lib = events(shoseki, "libevtx", path)
    ours = events(shoseki, "ours", path)
    name = os.path.basename(path)
    failures = []
    at = 0
    matched = 0
    for ev in lib:
        ignore = {"source"} if "source_offset" in ev else {"source", "source_offset"}
        want = strip(ev, ignore)
        j = at
        while j < len(ours) and strip(ours[j], ignore) != want:
            j += 1
        if j < len(ours):
            matched += 1
            at = j + 1
            continue
        rid = ev.get("record_id")
        if (name, rid) in LIBEVTX_DEFECTS:
            continue
        same_id = [o for o in ours if o.get("record_id") == rid and rid is not None]
        detail = ""
        if same_id:
            o = strip(same_id[0], ignore)
            keys = sorted(set(o) | set(want))
            detail = "; ".join("%s: libevtx %r, ours %r" % (k, want.get(k), o.get(k))
                               for k in keys if want.get(k) != o.get(k))
        failures.append("%s: record %s (offset %s): %s" %
                        (name, rid, ev.get("source_offset", "recovered"),
                         detail or "not read by our decoder (or out of order)"))
    return matched, len(ours) - matched, failures


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("corpus", "gen"):
        raise SystemExit(__doc__)
    shoseki = sys.argv[2]
    tmp = None
    winrec = sys.argv[3] if sys.argv[1] == "corpus" and len(sys.argv) > 3 else None
    if sys.argv[1] == "gen" and len(sys.argv) > 4:
        winrec = sys.argv[4]
    if sys.argv[1] == "corpus":
        corpus = os.environ.get("SHOSEKI_CORPUS")
        if not corpus:
            print("skipped: SHOSEKI_CORPUS is not set (a directory with evtx/)")
            sys.exit(77)
        root = os.path.join(corpus, "evtx")
    else:
        tmp = tempfile.TemporaryDirectory()
        root = tmp.name
        subprocess.run([sys.argv[3], "--out", root, "--seed", "9", "--hosts", "3", "--days", "3",
                        "--events-per-day", "300", "--no-truth"], check=True)
    files = sorted(os.path.join(root, f) for f in os.listdir(root) if f.lower().endswith(".evtx"))
    total_matched = total_extra = 0
    failures = []
    for path in files:
        matched, extra, bad = compare_file(shoseki, path)
        total_matched += matched
        total_extra += extra
        failures += bad
        expected = READ_BEYOND_LIBEVTX.get(os.path.basename(path), (0, ""))[0]
        if sys.argv[1] == "corpus" and extra != expected:
            failures.append("%s: %d records read only by our decoder, %d expected" %
                            (os.path.basename(path), extra, expected))
        if sys.argv[1] == "gen" and extra != 0:
            failures.append("%s: %d records read only by our decoder in a generated log" %
                            (os.path.basename(path), extra))
        print("%s: %d records equal, %d read only by our decoder, %d different" %
              (os.path.basename(path), matched, extra, len(bad)))
    for f in failures[:50]:
        print("DIFFERENT: " + f)
    print("decoders: %d files, %d records equal, %d read only by our decoder, %d different" %
          (len(files), total_matched, total_extra, len(failures)))
    if not files:
        raise SystemExit("no .evtx files in " + root)
    winrec_failed = False
    if winrec:
        res = subprocess.run([winrec] + files, stdout=subprocess.PIPE, check=False)
        out = res.stdout.decode("utf-8", "replace").splitlines()
        print("\n".join(line for line in out if line.startswith(("DIFFERENT", "winrecs:"))))
        winrec_failed = res.returncode != 0
    sys.exit(1 if failures or winrec_failed else 0)


if __name__ == "__main__":
    main()
