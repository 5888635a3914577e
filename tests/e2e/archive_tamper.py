#!/usr/bin/python3
"""Tampering with an archive (tests/e2e/archive_tamper.sh): each alteration of a
copy of a good archive must make `shoseki verify` exit 4 and name the right
segment file; verify must never crash. Format: docs/archive-format.md.

usage: archive_tamper.py SHOSEKI DATA_DIR OTHER_DATA_DIR SCRATCH
"""
import collections
import hashlib
import os
import random
import shutil
import struct
import subprocess
import sys

BIN, GOOD, OTHER, SCRATCH = sys.argv[1:5]
fails = 0
checked = 0


def frames(path):
    """(offset, length) of each whole frame of a segment file."""
    d = open(path, "rb").read()
    out, off = [], 8
    while off + 88 <= len(d):
        stored = struct.unpack_from("<I", d, off + 16)[0]
        out.append((off, 88 + stored))
        off += 88 + stored
    return out


def verify(data, *extra):
    p = subprocess.run([BIN, "verify", "--data", data, *extra], capture_output=True, text=True)
    return p.returncode, p.stderr + p.stdout


def case(name, mutate, want_file=None, extra=(), want_rc=4):
    global fails, checked
    d = os.path.join(SCRATCH, "t")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(GOOD, d)
    mutate(os.path.join(d, "archive"))
    rc, out = verify(d, *extra)
    checked += 1
    ok = rc == want_rc and (want_file is None or want_file in out)
    if not ok:
        fails += 1
        print(f"FAIL: {name}: exit {rc}, wanted {want_rc} naming {want_file}: {out.strip()[:300]}")


def seg(a, n):
    return os.path.join(a, "seg-%08d.sho" % n)


def flip(path, off):
    b = bytearray(open(path, "rb").read())
    b[off] ^= 0x40
    open(path, "wb").write(b)


def rewrite(path, f):
    d = open(path, "rb").read()
    open(path, "wb").write(f(d))


good_head = verify(GOOD)[1].split("head: ")[1].split()[0]
segs = sorted(x for x in os.listdir(os.path.join(GOOD, "archive")) if x.startswith("seg-"))
assert len(segs) >= 3, segs
s1 = frames(seg(os.path.join(GOOD, "archive"), 1))
s2 = frames(seg(os.path.join(GOOD, "archive"), 2))
# Frame-level cuts need a segment with at least three frames.
bn = max(range(1, len(segs) + 1), key=lambda n: len(frames(seg(os.path.join(GOOD, "archive"), n))))
bf = frames(seg(os.path.join(GOOD, "archive"), bn))
bname = "seg-%08d.sho" % bn
assert len(bf) >= 3, bf

case("byte flipped in a payload", lambda a: flip(seg(a, 1), s1[-1][0] + 70), "seg-00000001.sho")
case("byte flipped in a frame header", lambda a: flip(seg(a, 2), s2[0][0] + 9), "seg-00000002.sho")
case("byte flipped in a stored hash", lambda a: flip(seg(a, 1), s1[0][0] + s1[0][1] - 1),
     "seg-00000001.sho")
case("segment signature damaged", lambda a: flip(seg(a, 2), 0), "seg-00000002.sho")
case("segment truncated mid-frame", lambda a: os.truncate(seg(a, 1), s1[-1][0] + 20),
     "seg-00000001.sho")
case("segment extended", lambda a: open(seg(a, 1), "ab").write(b"\0" * 40), "seg-00000001.sho")
case("segment deleted", lambda a: os.remove(seg(a, 2)), "seg-00000002.sho")
case("segment renamed (gap)", lambda a: os.rename(seg(a, 2), seg(a, 9)), "seg-00000002.sho")
case("segment from another archive", lambda a: shutil.copy(seg(os.path.join(OTHER, "archive"), 2),
                                                             seg(a, 2)), "seg-0000000")
case("frame removed", lambda a: rewrite(seg(a, bn), lambda d: d[:bf[1][0]] + d[bf[1][0] + bf[1][1]:]),
     bname)
case("frame duplicated", lambda a: rewrite(seg(a, bn), lambda d: d[:bf[1][0] + bf[1][1]] +
                                           d[bf[1][0]:bf[1][0] + bf[1][1]] + d[bf[1][0] + bf[1][1]:]),
     bname)
case("frames swapped", lambda a: rewrite(seg(a, bn), lambda d: d[:bf[1][0]] +
                                         d[bf[2][0]:bf[2][0] + bf[2][1]] +
                                         d[bf[1][0]:bf[1][0] + bf[1][1]] + d[bf[2][0] + bf[2][1]:]),
     bname)
# The last frames cut off at a frame boundary look like an older archive: only a head
# written down earlier shows it.
last = sorted(os.listdir(os.path.join(GOOD, "archive")))[-1]
lf = frames(os.path.join(GOOD, "archive", last))
if len(lf) > 1:
    case("tail cut at a frame boundary, no head", lambda a: os.truncate(os.path.join(a, last),
                                                                         lf[-1][0]), None, (), 0)
    case("tail cut at a frame boundary, --expect-head", lambda a: os.truncate(
        os.path.join(a, last), lf[-1][0]), "expected head", ("--expect-head", good_head))


def rechain(a):
    """Edit a stored record (the collected path), re-store its frame uncompressed with the right
    lengths, and recompute every later hash: a careful forger's edit. Done in the last
    segment, so no later segment record has to be forged too."""
    last = os.path.join(a, sorted(x for x in os.listdir(a) if x.startswith("seg-"))[-1])
    d = bytearray(open(last, "rb").read())
    out, prev, edited = bytearray(d[:8]), None, False
    for off, ln in frames(last):
        fr = bytearray(d[off:off + ln])
        if prev is not None:
            fr[24:56] = prev
        if not edited and fr[4] in (3, 4) and fr[5] in (0, 1):
            raw = bytes(fr[56:ln - 32]) if fr[5] == 0 else subprocess.run(
                ["zstd", "-d", "-c"], input=bytes(fr[56:ln - 32]), capture_output=True).stdout
            i = raw.find(b"samples")
            if i >= 0:
                raw = raw[:i] + b"SAMPLES" + raw[i + 7:]
                fr = fr[:56] + bytearray(raw) + bytearray(32)
                fr[5] = 0
                struct.pack_into("<II", fr, 16, len(raw), len(raw))
                edited = True
        if prev is not None or edited:
            fr[-32:] = hashlib.sha256(bytes(fr[:-32])).digest()
            prev = bytes(fr[-32:])
        out += fr
    assert edited, "no frame to edit in the last segment"
    open(last, "wb").write(bytes(out))


case("edit with every later hash recomputed, no head", rechain, None, (), 0)
case("edit with every later hash recomputed, --expect-head", rechain, "expected head",
     ("--expect-head", good_head))

# Random alterations (SHOSEKI_TAMPERS of them, default 300; `make stress` runs 1000) of every
# kind the issue names, each checked with the head written down before (--expect-head): verify
# must exit 4 and name the segment file altered, or, when the alteration leaves exactly an older
# archive (the last segment cut at a frame boundary or deleted), say the expected head is
# missing. Never a crash: the test runs the sanitizer build, and exit 4 is required.
rng = random.Random(int(os.environ.get("SHOSEKI_TAMPER_SEED", "11")))
A = os.path.join(GOOD, "archive")
O = os.path.join(OTHER, "archive")
nsegs = len(segs)
other_segs = sorted(x for x in os.listdir(O) if x.startswith("seg-"))
seg_frames = {n: frames(seg(A, n)) for n in range(1, nsegs + 1)}
seg_size = {n: os.path.getsize(seg(A, n)) for n in range(1, nsegs + 1)}
kinds = collections.Counter()


def cut_frames(d, fr, order):
    """The segment bytes with its frames `fr` put in `order` (indexes, repeats allowed)."""
    return d[:8] + b"".join(d[fr[i][0]:fr[i][0] + fr[i][1]] for i in order) + \
        d[fr[-1][0] + fr[-1][1]:]


def random_case(i):
    """(name, mutate, what verify must name) of one random alteration."""
    kind = rng.choice(["flip", "flip", "flip", "truncate", "frame-removed", "frames-reordered",
                       "frame-duplicated", "segment-deleted", "segment-swapped"])
    n = rng.randrange(1, nsegs + 1)
    name = "seg-%08d.sho" % n
    fr = seg_frames[n]
    last = n == nsegs
    if kind == "flip":
        pos = rng.randrange(seg_size[n])
        return kind, f"byte {pos} of {name}", lambda a: flip(seg(a, n), pos), name
    if kind == "truncate":
        pos = rng.randrange(seg_size[n])
        at_boundary = pos == 8 and last or any(pos == off for off, _ in fr[1:])
        want = "expected head" if last and at_boundary else name
        if last and pos == 8 and len(fr) > 0:
            want = "expected head"
        return kind, f"{name} cut at {pos}", lambda a: os.truncate(seg(a, n), pos), want
    if kind.startswith("frame") and len(fr) < 2:
        kind = "segment-deleted"
    if kind == "frame-removed":
        k = rng.randrange(len(fr))
        order = [j for j in range(len(fr)) if j != k]
        want = "expected head" if last and k == len(fr) - 1 else name
        return kind, f"frame {k} of {name}", lambda a: rewrite(
            seg(a, n), lambda d: cut_frames(d, fr, order)), want
    if kind == "frames-reordered":
        order = list(range(len(fr)))
        while order == sorted(order):
            rng.shuffle(order)
        return kind, f"{name} as {order}", lambda a: rewrite(
            seg(a, n), lambda d: cut_frames(d, fr, order)), name
    if kind == "frame-duplicated":
        k = rng.randrange(len(fr))
        order = list(range(len(fr)))
        order.insert(rng.randrange(len(fr) + 1), k)
        return kind, f"frame {k} of {name} at {order.index(k)}", lambda a: rewrite(
            seg(a, n), lambda d: cut_frames(d, fr, order)), name
    if kind == "segment-deleted":
        return kind, name, lambda a: os.remove(seg(a, n)), "expected head" if last else name
    m = rng.randrange(1, len(other_segs) + 1)
    return kind, f"{name} replaced by the other archive's seg {m}", lambda a: shutil.copy(
        seg(O, m), seg(a, n)), name


for i in range(int(os.environ.get("SHOSEKI_TAMPERS", "300"))):
    kind, what, mutate, want = random_case(i)
    kinds[kind] += 1
    case(f"random {i} {kind}: {what}", mutate, want, ("--expect-head", good_head))
print("random alterations: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))

print(f"{checked - fails} passed, {fails} failed")
sys.exit(1 if fails else 0)
