#!/usr/bin/python3
"""Crash-safety ("kill") test of the archive (issue 3, point 5).

usage: kill_test.py --bin SHOSEKI --scratch DIR --kills N [--seed S] [--states]
                    [--drop-cache-rate R] [--tear-rate R] [--segment-size N]
                    [--max-failures K] [-v] INPUT.evtx...

Promise under test: `kill -9` at any moment of `collect` leaves an archive that
`verify` accepts (an unfinished frame at the tail is reported and set aside,
never rewritten), and re-running the same collect completes it with nothing
lost and nothing doubled; a second re-run adds nothing.

1. Reference: one uninterrupted `collect` of all inputs into SCRATCH/ref,
   timed, verified and exported; each JSON line is normalised by dropping
   "ref" (the only value that depends on frame numbers).

2. Kill loop (N kills) in a data directory D: start `collect --data D
   INPUTS...`, SIGKILL it after a delay drawn with a fixed seed (most in
   [0, 1.2 x the duration of a whole collect], measured on the reference and
   updated by every whole collect that finishes, as the machine's load varies;
   some within 30 ms: startup, lock, tail recovery), then require:
     - `verify --data D --expect-head PREV` exits 0, PREV being the head the
       previous verify printed: intact, and all that was in the chain before
       is still in it;
     - every segment file that existed after the previous iteration still
       starts with exactly the bytes it had then (sha256 of that prefix):
       nothing committed is rewritten, truncated or removed;
   and go on: the next collect is the re-run that continues the work. When a
   collect finishes before its kill, the round is complete and, if it was
   interrupted at all, checked as in 3; the next kills go to a fresh
   directory, so that they keep landing in real work rather than in no-op
   re-runs of a finished archive.
   A SIGKILL can also stop a large write() part way (the kernel checks for a
   fatal signal between pages) or land between the steps that create a new
   segment; timing alone rarely hits those, so with --tear-rate R the test
   also makes such states itself after some kills (a torn last frame, a
   half-created next segment), only where a kill could have left them.
   With --drop-cache-rate R the dedup cache (DATA/dedup.sqlite with its -wal
   and -shm) is deleted before that fraction of the collects: the writer must
   rebuild it from the archive, and still store nothing twice. With
   --segment-size N every collect gets that option, so that the writer rolls
   over to new segments (and can be killed while doing so).

3. Completing a round (and after the last kill): collect to completion,
   verify, and compare with the reference: `export` gives the same number of
   lines and the same multiset of normalised lines (nothing lost, nothing
   doubled); verify counts the same events, blocks and sources; `sources`
   lists each input once; `extract` gives every input back byte for byte; a
   second re-run stores nothing and leaves every segment byte unchanged.

4. With --states, first a deterministic pass over crash states of a first
   collect of the smallest input: its reference segment cut at and around
   every frame boundary (what a kill leaves, with the cache deleted), and a
   tail, or a clean end (roll-over), followed by a next segment whose creation
   stopped after 0..8 bytes or inside its SEGMENT frame. Each state must verify, then collect, verify and
   compare as in 3.

On a failure the data directory before that collect (state-before) and as it
was left (state-after) are saved under SCRATCH/failures/ with details.txt; the
test goes on in a fresh directory (up to --max-failures) and exits 1. Prints a
summary line "kill test: ...".
"""

import argparse
import collections
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time

CACHE_FILES = ("dedup.sqlite", "dedup.sqlite-wal", "dedup.sqlite-shm", "dedup.sqlite-journal")
IMMEDIATE_SHARE = 0.10  # of the kills land in the first IMMEDIATE_MAX seconds
IMMEDIATE_MAX = 0.03
SEGMENT_MAGIC = b"SHOSEG01"  # docs/archive-format.md
FRAME_MAGIC = b"SHF1"
FRAME_HEADER = 56  # magic, type, codec, reserved, seq u64 @8, stored_len u32 @16, ..prev_hash
FRAME_OVERHEAD = FRAME_HEADER + 32  # then the payload, then the frame's hash[32]
SEGMENT_NAME_RE = re.compile(r"^seg-(\d{8})\.sho$")
HEAD_RE = re.compile(r"^head: ([0-9a-f]{64})$", re.M)
INTACT_RE = re.compile(
    r"verify: intact: (\d+) frames in (\d+) segments, (\d+) sources, (\d+) events, (\d+) blocks")
TAILS_RE = re.compile(r"verify: (\d+) unfinished frames")
STORED_RE = re.compile(r"collect: (\d+) events stored, (\d+) duplicates skipped, (\d+) files "
                       r"already collected")


class Failure(Exception):
    """A broken promise of the archive; the message says which."""


def sha256_file(path, limit=None):
    """sha256 of the file, or of its first `limit` bytes (None if it is shorter)."""
    h = hashlib.sha256()
    left = limit
    with open(path, "rb") as f:
        while left is None or left > 0:
            chunk = f.read(1 << 20 if left is None else min(1 << 20, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
    if left not in (None, 0):
        return None
    return h.hexdigest()


def tail(text, lines=30):
    text = text.strip()
    return "\n".join(text.splitlines()[-lines:]) if text else "(nothing)"


def frames_of(data):
    """Whole frames of a segment's bytes: [(start, end)], and the end of the last one."""
    frames, off = [], len(SEGMENT_MAGIC)
    if not data.startswith(SEGMENT_MAGIC):
        return frames, 0
    while len(data) - off >= FRAME_OVERHEAD and data[off:off + 4] == FRAME_MAGIC:
        (stored,) = struct.unpack_from("<I", data, off + 16)
        end = off + FRAME_OVERHEAD + stored
        if end > len(data):
            break
        frames.append((off, end))
        off = end
    return frames, off


class Run:
    def __init__(self, rc, out, err, secs):
        self.rc, self.out, self.err, self.secs = rc, out, err, secs


class Reference:
    """What an uninterrupted collect of `inputs` gives."""

    def __init__(self, inputs):
        self.inputs = inputs
        self.lines = self.count = self.verify = self.sources = self.duration = None


class KillTest:
    def __init__(self, args):
        self.a = args
        self.bin = os.path.abspath(args.bin)
        self.scratch = os.path.abspath(args.scratch)
        self.rng = random.Random(args.seed)
        self.log_f = open(os.path.join(self.scratch, "log.txt"), "w", encoding="utf-8")
        self.failures = []  # of the kill loop
        self.state_failures = []  # of the deterministic states
        self.st = collections.Counter()  # for the summary
        self.round_no = 0
        self.iteration = 0
        self.round_iters = 0
        self.data = None
        self.last_err = ""
        self.in_loop = False
        self.duration = 10.0  # until the reference is timed
        self.ref = Reference([os.path.abspath(p) for p in args.inputs])

    # ---- running shoseki ------------------------------------------------------------

    def log(self, msg):
        self.log_f.write(msg + "\n")
        self.log_f.flush()
        if self.a.verbose:
            print(msg, flush=True)

    def run(self, *argv, timeout=300):
        t0 = time.monotonic()
        try:
            p = subprocess.run([self.bin, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise Failure(f"`shoseki {' '.join(argv)}` did not finish in {timeout} s (hang?)")
        return Run(p.returncode, p.stdout.decode("utf-8", "replace"),
                   p.stderr.decode("utf-8", "replace"), time.monotonic() - t0)

    def collect_argv(self, data, ref=None):
        size = ["--segment-size", str(self.a.segment_size)] if self.a.segment_size else []
        return ["collect", "--data", data, *size, *(ref or self.ref).inputs]

    def collect_to_end(self, data, what, ref=None):
        r = self.run(*self.collect_argv(data, ref), timeout=max(120.0, 30 * self.duration))
        self.last_err = r.err
        if r.rc not in (0, 1):
            raise Failure(f"{what}: collect exited {r.rc}\nstdout:\n{tail(r.out)}\n"
                          f"stderr:\n{tail(r.err)}")
        return r

    def export_lines(self, data, what):
        r = self.run("export", "--data", data)
        if r.rc != 0:
            raise Failure(f"{what}: export exited {r.rc}\nstderr:\n{tail(r.err)}")
        lines = []
        for n, line in enumerate(r.out.splitlines(), 1):
            try:
                e = json.loads(line)
            except ValueError as exc:
                raise Failure(f"{what}: export line {n} is not JSON ({exc}): {line[:200]}")
            if "ref" not in e:
                raise Failure(f"{what}: export line {n} has no ref: {line[:200]}")
            del e["ref"]
            lines.append(json.dumps(e, sort_keys=True, ensure_ascii=False))
        return collections.Counter(lines), len(lines)

    def sources_list(self, data, what):
        r = self.run("sources", "--data", data)
        if r.rc != 0:
            raise Failure(f"{what}: sources exited {r.rc}\nstderr:\n{tail(r.err)}")
        # One line per source, starting with its SHA-256 (a heading line may come first).
        return sorted(line.split()[0] for line in r.out.splitlines()
                      if re.match(r"[0-9a-f]{64}\s", line))

    def verify(self, data, what, expect_head=None):
        """verify must exit 0; returns its counts, tails and head."""
        argv = ["verify", "--data", data]
        if expect_head is not None:
            argv += ["--expect-head", expect_head]
        r = self.run(*argv)
        if r.rc != 0:
            raise Failure(f"{what}: `shoseki {' '.join(argv)}` exited {r.rc}\n"
                          f"stdout:\n{tail(r.out)}\nstderr:\n{tail(r.err)}")
        m = INTACT_RE.search(r.out)
        if m is None:
            raise Failure(f"{what}: verify exited 0 but printed no counts:\n{tail(r.out)}")
        t = TAILS_RE.search(r.out)
        h = HEAD_RE.search(r.out)
        frames, segments, sources, events, blocks = (int(x) for x in m.groups())
        return {"frames": frames, "segments": segments, "sources": sources, "events": events,
                "blocks": blocks, "tails": int(t.group(1)) if t else 0,
                "head": h.group(1) if h else None}

    def segments(self, data=None):
        d = os.path.join(data or self.data, "archive")
        if not os.path.isdir(d):
            return {}
        return {n: os.path.join(d, n) for n in sorted(os.listdir(d))
                if os.path.isfile(os.path.join(d, n))}

    # ---- references -------------------------------------------------------------------

    def make_reference(self, ref, name):
        d = os.path.join(self.scratch, name)
        r = self.collect_to_end(d, f"reference {name}", ref)
        ref.duration = r.secs
        ref.dir = d
        ref.verify = self.verify(d, f"reference {name}")
        ref.lines, ref.count = self.export_lines(d, f"reference {name}")
        ref.sources = self.sources_list(d, f"reference {name}")
        want = sorted({sha256_file(p) for p in ref.inputs})
        if ref.sources != want:
            raise Failure(f"reference {name}: sources {ref.sources} are not the inputs' {want}")
        if ref.count == 0:
            raise Failure(f"reference {name}: no events: choose inputs that hold some")
        self.log(f"reference {name}: {ref.count} events, {ref.verify['frames']} frames, "
                 f"{ref.verify['blocks']} blocks, collect {r.secs:.2f} s")

    # ---- checks -----------------------------------------------------------------------

    def new_round(self):
        self.round_no += 1
        self.data = os.path.join(self.scratch, f"run-{self.round_no:03d}")
        shutil.rmtree(self.data, ignore_errors=True)
        self.prefixes = {}  # segment name -> (size, sha256 of those bytes)
        self.prev_head = None
        self.prev_frames = 0
        self.prev_tails = 0
        self.round_iters = 0

    def check_prefixes(self, what):
        segs = self.segments()
        for name, (size, digest) in self.prefixes.items():
            if name not in segs:
                raise Failure(f"{what}: segment {name} ({size} bytes before) has disappeared")
            have = os.path.getsize(segs[name])
            if have < size:
                raise Failure(f"{what}: segment {name} shrank from {size} to {have} bytes")
            if sha256_file(segs[name], size) != digest:
                raise Failure(f"{what}: the first {size} bytes of segment {name} changed "
                              f"(bytes written before were rewritten)")
        self.prefixes = {n: (os.path.getsize(p), sha256_file(p)) for n, p in segs.items()}

    def check_state(self, what):
        """After a collect, killed or not: intact, and nothing before it changed."""
        self.check_prefixes(what)
        if not os.path.isdir(os.path.join(self.data, "archive")):
            self.st["no_archive_yet"] += 1
            return None
        v = self.verify(self.data, what, self.prev_head)
        if v["frames"] < self.prev_frames:
            raise Failure(f"{what}: {v['frames']} frames, {self.prev_frames} before")
        if v["tails"] > self.prev_tails and self.in_loop:
            self.st["unfinished_frames"] += 1
        self.prev_frames, self.prev_tails = v["frames"], v["tails"]
        self.prev_head = v["head"] or self.prev_head
        return v

    def compare(self, what, ref):
        """The data directory holds a finished collect of ref.inputs: same as ref."""
        v = self.verify(self.data, f"{what}: completed archive", self.prev_head)
        lines, count = self.export_lines(self.data, what)
        if count != ref.count or lines != ref.lines:
            missing = ref.lines - lines
            doubled = lines - ref.lines
            msg = [f"{what}: export has {count} events, the reference {ref.count}; "
                   f"{sum(missing.values())} missing, {sum(doubled.values())} extra"]
            for title, c in (("missing", missing), ("extra (doubled)", doubled)):
                for line, n in list(c.items())[:10]:
                    msg.append(f"  {title} x{n}: {line[:300]}")
            raise Failure("\n".join(msg))
        for key in ("events", "blocks", "sources"):
            if v[key] != ref.verify[key]:
                raise Failure(f"{what}: verify counts {v[key]} {key}, the reference "
                              f"{ref.verify[key]} (stored twice or lost)")
        srcs = self.sources_list(self.data, what)
        if srcs != ref.sources:
            raise Failure(f"{what}: sources lists {srcs}, the reference {ref.sources}")
        for sha in srcs:
            out = os.path.join(self.scratch, "extracted")
            r = self.run("extract", "--data", self.data, "--source", sha, "-o", out)
            if r.rc != 0 or not os.path.exists(out) or sha256_file(out) != sha:
                raise Failure(f"{what}: extract of {sha} exit {r.rc}, not the original:\n"
                              f"{tail(r.err)}")
            os.unlink(out)
        # A second re-run adds nothing and writes nothing.
        before = {n: sha256_file(p) for n, p in self.segments().items()}
        r = self.collect_to_end(self.data, f"{what}: second re-run", ref)
        m = STORED_RE.search(r.out)
        if m is None or int(m.group(1)) != 0 or int(m.group(3)) != len(ref.sources):
            raise Failure(f"{what}: a second re-run should store nothing and find all "
                          f"{len(ref.sources)} files collected; it printed:\n{tail(r.out)}\n"
                          f"stderr:\n{tail(r.err)}")
        after = {n: sha256_file(p) for n, p in self.segments().items()}
        if after != before:
            changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
            raise Failure(f"{what}: the second re-run changed segment files {changed}")
        v2 = self.verify(self.data, f"{what}: after the second re-run", self.prev_head)
        if v2["head"] != v["head"]:
            raise Failure(f"{what}: the second re-run moved the head")
        return v, count

    def finish_round(self, completed_by):
        what = f"round {self.round_no}"
        t0 = time.monotonic()
        if completed_by is None:
            self.drop_cache_maybe()
            r = self.collect_to_end(self.data, f"{what}: completing collect")
            self.log(f"{what}: completing collect exit {r.rc} in {r.secs:.2f} s: "
                     f"{r.out.strip().splitlines()[0] if r.out.strip() else ''}")
            self.check_state(f"{what}: after the completing collect")
        v, count = self.compare(what, self.ref)
        self.st["rounds_checked"] += 1
        self.log(f"{what}: complete after {self.round_iters} collects ({completed_by or 'final'}):"
                 f" {count} events, {v['frames']} frames, {v['segments']} segments, "
                 f"{v['tails']} tails set aside: same as the reference "
                 f"(checked in {time.monotonic() - t0:.2f} s)")

    # ---- making crash states that timing rarely reaches ---------------------------------

    def drop_cache_maybe(self):
        if self.a.drop_cache_rate <= 0 or self.rng.random() >= self.a.drop_cache_rate:
            return False
        dropped = False
        for name in CACHE_FILES:
            p = os.path.join(self.data, name)
            if os.path.exists(p):
                os.unlink(p)
                dropped = True
        self.st["caches_dropped"] += dropped
        return dropped

    def cache_head(self):
        """(segment, end offset) of the last frame the dedup cache reflects, or None."""
        p = os.path.join(self.data, "dedup.sqlite")
        if not os.path.exists(p):
            return None
        try:
            db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT segment, end_offset FROM head WHERE id = 1").fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:
            self.log(f"  (cannot read the cache head: {exc}; taking everything as committed)")
            return (1 << 31, 1 << 62)
        return tuple(row) if row else None

    def last_segment(self):
        segs = [n for n in self.segments() if SEGMENT_NAME_RE.match(n)]
        if not segs:
            return None
        name = segs[-1]
        path = os.path.join(self.data, "archive", name)
        with open(path, "rb") as f:
            data = f.read()
        frames, valid_end = frames_of(data)
        return name, path, data, frames, valid_end

    def tear_frame(self):
        """
        A write() stopped part way: when the last segment ends with a whole frame
        this collect wrote and has not committed (not in the cache's head), cut the
        file inside it; otherwise append the first part of the frame the writer
        would have written next (right magic, number and previous hash; random
        length and payload). Nothing committed or seen before is touched.
        """
        seg = self.last_segment()
        if seg is None:
            return None
        name, path, data, frames, valid_end = seg
        if not frames or valid_end != len(data):
            return None  # no whole frame yet, or already an unfinished tail
        start, end = frames[-1]
        head = self.cache_head()
        seg_no = int(SEGMENT_NAME_RE.match(name).group(1))
        committed = head is not None and (head[0] > seg_no or
                                          (head[0] == seg_no and head[1] > start))
        if (start >= self.prefixes.get(name, (0, None))[0] and not committed
                and self.rng.random() < 0.5):
            cut = self.rng.randrange(start + 1, end)
            os.truncate(path, cut)
            return f"tore the uncommitted last frame of {name} ({start}..{end}) at {cut}"
        (seq,) = struct.unpack_from("<Q", data, start + 8)
        stored = self.rng.choice((self.rng.randrange(1, 300), self.rng.randrange(300, 200000)))
        if self.a.segment_size:
            # A frame that does not fit would have gone into a new segment.
            stored = min(stored, self.a.segment_size - len(data) - FRAME_OVERHEAD)
            if stored < 1:
                return None
        header = (FRAME_MAGIC + bytes((2, 1, 0, 0)) + struct.pack("<QII", seq + 1, stored,
                                                                   4 * stored)
                  + data[end - 32:end])
        frame = header + self.rng.randbytes(stored + 32)
        part = frame[:self.rng.randrange(1, len(frame))]
        with open(path, "ab") as f:
            f.write(part)
        return f"appended {len(part)} of the {len(frame)} bytes of a next frame to {name}"

    def tear_segment(self):
        """
        The writer starts a new segment when there is none, when the last one ends
        with an unfinished frame, or when the next frame would take it past
        --segment-size: open(O_CREAT), write the 8-byte signature, write the
        SEGMENT frame. A kill between those leaves a new segment of 0 to 8 bytes,
        or the signature and part of the frame.
        """
        if not os.path.isdir(os.path.join(self.data, "archive")):
            return None
        seg = self.last_segment()
        if seg is not None:
            name, _path, data, frames, valid_end = seg
            if not frames:
                # The last segment's own creation was cut short (no SEGMENT frame
                # yet): the next writer finishes it before it could start another.
                return None
            full = self.a.segment_size and len(data) >= self.a.segment_size // 2
            if valid_end == len(data) and data.startswith(SEGMENT_MAGIC) and not full:
                return None  # the next frame goes into this segment
            n = int(SEGMENT_NAME_RE.match(name).group(1)) + 1
        else:
            n = 1
        size = self.rng.choice((0, self.rng.randrange(1, 8), 8, 8, 8 + self.rng.randrange(1, 56)))
        write_segment(os.path.join(self.data, "archive", f"seg-{n:08d}.sho"),
                      (SEGMENT_MAGIC + FRAME_MAGIC + bytes((1, 0, 0, 0)) + bytes(48))[:size])
        return f"left a new segment seg-{n:08d}.sho of {size} bytes (creation interrupted)"

    def tear_maybe(self, wrote):
        done = []
        if wrote and self.rng.random() < self.a.tear_rate:
            t = self.tear_frame()
            if t:
                self.st["torn"] += 1
                done.append(t)
        if self.rng.random() < self.a.tear_rate:
            t = self.tear_segment()
            if t:
                self.st["torn_segments"] += 1
                done.append(t)
        return "; ".join(done) or None

    # ---- the kill loop ----------------------------------------------------------------

    def snapshot(self, dest):
        shutil.rmtree(dest, ignore_errors=True)
        if os.path.isdir(self.data):
            shutil.copytree(self.data, dest)

    def kill_one(self):
        """One collect, killed after a random delay. Returns 'killed' or 'completed'."""
        self.iteration += 1
        self.round_iters += 1
        dropped = self.drop_cache_maybe()
        if self.rng.random() < IMMEDIATE_SHARE:
            delay = self.rng.uniform(0.0, IMMEDIATE_MAX)
        else:
            delay = self.rng.uniform(0.0, 1.2 * self.duration)
        self.snapshot(os.path.join(self.scratch, "state-before"))
        what = (f"iteration {self.iteration} (round {self.round_no}, collect {self.round_iters}"
                f"{', cache deleted' if dropped else ''}, kill at {delay:.3f} s)")
        err_p = os.path.join(self.scratch, "collect.err")
        with open(os.devnull, "wb") as out, open(err_p, "wb") as err:
            t0 = time.monotonic()
            p = subprocess.Popen([self.bin, *self.collect_argv(self.data)], stdout=out,
                                 stderr=err)
            try:
                rc = p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                rc = p.wait()
            secs = time.monotonic() - t0
        with open(err_p, encoding="utf-8", errors="replace") as f:
            self.last_err = f.read()
        if rc == -signal.SIGKILL:
            outcome = "killed"
            self.st["kills"] += 1
            self.st["immediate"] += delay < IMMEDIATE_MAX
        else:
            outcome = "completed"
            if self.round_iters == 1:
                # A whole collect: follow the machine's current speed (other tests may
                # run alongside), so that the kills keep landing inside the collects.
                self.duration = (self.duration + secs) / 2
            if rc not in (0, 1):
                raise Failure(f"{what}: collect exited {rc} by itself after {secs:.2f} s\n"
                              f"stderr:\n{tail(self.last_err)}")
        size_before = sum(s for s, _ in self.prefixes.values())
        size_now = sum(os.path.getsize(p) for p in self.segments().values())
        if rc == -signal.SIGKILL and self.a.tear_rate > 0:
            torn = self.tear_maybe(size_now > size_before)
            if torn:
                what += f", then the test {torn}"
        v = self.check_state(f"{what}: after the {outcome} collect")
        self.st["verified"] += v is not None
        if outcome == "killed":
            self.st["kills_writing" if size_now > size_before else "kills_not_writing"] += 1
        set_aside = "set aside" in self.last_err
        self.st["notes_set_aside"] += set_aside
        self.log(f"{what}: {outcome} after {secs:.3f} s, exit {rc}, "
                 f"+{size_now - size_before} bytes"
                 + (f", {v['frames']} frames, {v['events']} events, {v['tails']} tails"
                    if v else ", no archive yet")
                 + (", writer set a tail aside" if set_aside else ""))
        return outcome

    def record_failure(self, exc, label=None):
        n = len(self.failures) + len(self.state_failures) + 1
        d = os.path.join(self.scratch, "failures",
                         f"{n:02d}-{label or f'iteration-{self.iteration}'}")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        before = os.path.join(self.scratch, "state-before")
        if os.path.isdir(before):
            shutil.copytree(before, os.path.join(d, "state-before"))
        if self.data and os.path.isdir(self.data):
            shutil.copytree(self.data, os.path.join(d, "state-after"))
        with open(os.path.join(d, "details.txt"), "w", encoding="utf-8") as f:
            f.write(f"{exc}\n\ncollect: {self.bin} {' '.join(self.collect_argv('DATA'))}\n"
                    f"seed {self.a.seed}, drop-cache-rate {self.a.drop_cache_rate}, "
                    f"tear-rate {self.a.tear_rate}\n"
                    f"stderr of the last collect:\n{self.last_err}\n")
        (self.state_failures if label else self.failures).append(str(exc))
        self.log(f"FAIL: {exc}")
        print(f"FAIL: {exc}\n  (saved in {d})", file=sys.stderr, flush=True)

    # ---- deterministic crash states (--states) ------------------------------------------

    def states(self):
        small = Reference([min(self.ref.inputs, key=os.path.getsize)])
        self.make_reference(small, "ref-states")
        with open(os.path.join(small.dir, "archive", "seg-00000001.sho"), "rb") as f:
            seg1 = f.read()
        frames, _ = frames_of(seg1)
        cuts = {0, 1, 7, 8, len(seg1)}
        for start, end in frames:
            for c in (start, start + 1, start + FRAME_HEADER, end - 1):
                if 0 <= c <= len(seg1):
                    cuts.add(c)
        cases = [(f"first collect stopped at byte {c} of {len(seg1)}", [seg1[:c]])
                 for c in sorted(cuts)]
        # A tail, then the next segment's creation stopped (the writer's SEGMENT
        # frame for it is not known here: its first bytes are, and a cut inside
        # the frame's header is all that can be left of it).
        start, end = frames[1] if len(frames) > 1 else frames[0]
        mid = (start + end) // 2
        for k in (0, 3, 8, 8 + 20, 8 + 87):
            nxt = (SEGMENT_MAGIC + FRAME_MAGIC + bytes((1, 0, 0, 0)) + bytes(80))[:k]
            cases.append((f"a tail at {mid} of segment 1, then segment 2 stopped at {k} bytes",
                          [seg1[:mid], nxt]))
        # A roll-over to a new segment (collect --segment-size) stopped the same way.
        whole = frames[len(frames) // 2][1]
        for k in (0, 3, 8):
            cases.append((f"segment 1 ends cleanly at {whole}, then segment 2 stopped at {k} "
                          f"bytes (roll-over)", [seg1[:whole], SEGMENT_MAGIC[:k]]))
        for i, (desc, segs) in enumerate(cases, 1):
            self.round_no += 1
            self.data = os.path.join(self.scratch, f"state-{i:03d}")
            what = f"state {i} ({desc})"
            shutil.rmtree(self.data, ignore_errors=True)
            os.makedirs(os.path.join(self.data, "archive"), mode=0o700)
            for n, content in enumerate(segs, 1):
                write_segment(os.path.join(self.data, "archive", f"seg-{n:08d}.sho"), content)
            self.prefixes, self.prev_head, self.prev_frames, self.prev_tails = {}, None, 0, 0
            self.snapshot(os.path.join(self.scratch, "state-before"))
            try:
                self.check_state(f"{what}: as a kill leaves it")
                self.collect_to_end(self.data, f"{what}: re-run", small)
                self.check_state(f"{what}: after the re-run")
                v, _ = self.compare(what, small)
                self.st["states_ok"] += 1
                self.log(f"{what}: ok ({v['frames']} frames, {v['segments']} segments, "
                         f"{v['tails']} tails)")
            except Failure as exc:
                self.record_failure(exc, f"state-{i:03d}")
        self.st["states"] = len(cases)

    # ---- main -------------------------------------------------------------------------

    def main(self):
        t0 = time.monotonic()
        if self.a.states:
            self.states()
        if self.a.kills > 0:
            self.make_reference(self.ref, "ref")
            # Timed again in a fresh directory: the first run also warmed the page cache.
            warm = os.path.join(self.scratch, "ref-timing")
            self.duration = max(self.ref.duration, self.collect_to_end(warm, "timing").secs)
            shutil.rmtree(warm, ignore_errors=True)
        self.new_round()
        self.in_loop = True
        guard = 20 * self.a.kills + 20  # collects, whatever happens
        while (self.st["kills"] < self.a.kills and self.iteration < guard
               and len(self.failures) < self.a.max_failures):
            try:
                if self.kill_one() == "completed":
                    if self.round_iters > 1:  # else nothing was interrupted: no need to compare
                        self.finish_round(f"collect {self.round_iters} finished before its kill")
                    self.new_round()
            except Failure as exc:
                self.record_failure(exc)
                self.new_round()
        if self.round_iters > 0 and len(self.failures) < self.a.max_failures:
            try:
                self.finish_round(None)
            except Failure as exc:
                self.record_failure(exc)
        st = self.st
        parts = []
        if self.a.kills > 0:
            parts.append(
                f"{st['kills']} kills, {st['verified']} verified, {st['kills_writing']} while "
                f"writing, {st['unfinished_frames']} left an unfinished frame ({st['torn']} torn "
                f"frames and {st['torn_segments']} half-created segments made by the test), "
                f"{st['immediate']} within {IMMEDIATE_MAX * 1000:.0f} ms, "
                f"{st['caches_dropped']} caches deleted, {st['rounds_checked']} completed "
                f"archives equal to the reference ({self.ref.count} events)")
        if self.a.states:
            parts.append(f"{st['states_ok']}/{st['states']} crash states recovered")
        print(f"kill test: {', '.join(parts)}, "
              f"{len(self.failures) + len(self.state_failures)} failures; "
              + (f"collect {self.duration:.2f} s, " if self.a.kills > 0 else "")
              + f"total {time.monotonic() - t0:.1f} s, "
              f"seed {self.a.seed}", flush=True)
        if self.iteration >= guard:
            print(f"FAIL: {guard} collects without reaching {self.a.kills} kills", file=sys.stderr)
            return 1
        return 1 if self.failures or self.state_failures else 0


def write_segment(path, content):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the shoseki binary")
    ap.add_argument("--scratch", required=True, help="work directory (emptied first)")
    ap.add_argument("--kills", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--states", action="store_true", help="also the deterministic crash states")
    ap.add_argument("--drop-cache-rate", type=float, default=0.0)
    ap.add_argument("--tear-rate", type=float, default=0.3)
    ap.add_argument("--segment-size", type=int, default=0,
                    help="collect --segment-size: small ones make the writer roll over")
    ap.add_argument("--max-failures", type=int, default=5)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    shutil.rmtree(args.scratch, ignore_errors=True)
    os.makedirs(args.scratch)
    try:
        return KillTest(args).main()
    except Failure as exc:  # a reference could not be made
        print(f"FAIL: {exc}", file=sys.stderr)
        print("kill test: no kills, the reference failed")
        return 1


if __name__ == "__main__":
    sys.exit(main())
