#!/usr/bin/python3
"""Tampering with evidence packs (tests/e2e/evidence.sh): every alteration of a
copy of a good pack must make `shoseki verify --pack` exit 4, and verify must
never crash. Random byte flips, truncations, extensions, removals, additions,
renames, line swaps and manifest edits on a pack directory (seeded: the same
cases every run), and content changes inside a zip pack.

usage: evidence_tamper.py SHOSEKI PACK_DIR PACK_ZIP SCRATCH [CASES]
"""
import os
import random
import shutil
import subprocess
import sys
import zipfile

BIN, GOOD, GOOD_ZIP, SCRATCH = sys.argv[1:5]
CASES = int(sys.argv[5]) if len(sys.argv) > 5 else 120
rng = random.Random(7)
fails = 0
checked = 0


def files(root):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def verify(pack):
    p = subprocess.run([BIN, "verify", "--pack", pack], capture_output=True, text=True, errors="replace")
    return p.returncode, p.stderr + p.stdout


def check(name, pack):
    global fails, checked
    rc, out = verify(pack)
    checked += 1
    if rc != 4 or "FAILED" not in out:
        fails += 1
        print(f"FAIL: {name}: exit {rc}, wanted 4: {out.strip()[:300]}")


def read(p):
    return bytearray(open(p, "rb").read())


def write(p, b):
    open(p, "wb").write(bytes(b))


def flip(p):
    b = read(p)
    if not b:
        b = bytearray(b"x")
    else:
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    write(p, b)
    return "flip"


def truncate(p):
    b = read(p)
    write(p, b[: rng.randrange(len(b))] if b else b"x")
    return "truncate"


def extend(p):
    write(p, read(p) + bytes([rng.randrange(256)]))
    return "extend"


def remove(p):
    os.unlink(p)
    return "remove"


def swap_lines(p):
    lines = read(p).split(b"\n")
    pairs = [(i, j) for i in range(len(lines)) for j in range(i + 1, len(lines))
             if lines[i] != lines[j]]
    if not pairs:
        return extend(p)
    i, j = rng.choice(pairs)
    lines[i], lines[j] = lines[j], lines[i]
    write(p, b"\n".join(lines))
    return "swap lines"


def rename(p):
    d, n = os.path.split(p)
    os.rename(p, os.path.join(d, "x" + n))
    return "rename"


def symlink(p):
    os.unlink(p)
    os.symlink("/dev/null", p)
    return "symlink"


def add(pack):
    name = rng.choice(["extra.txt", "originals/99-99.xml", "README.txt~", "sub/a.csv"])
    os.makedirs(os.path.dirname(os.path.join(pack, name)), exist_ok=True)
    write(os.path.join(pack, name), b"added\n")
    return "add " + name


def manifest_dup(pack):
    p = os.path.join(pack, "MANIFEST.sha256")
    lines = read(p).split(b"\n")
    k = rng.randrange(len(lines) - 1)
    lines.insert(k, lines[k])
    write(p, b"\n".join(lines))
    return "manifest line doubled"


def manifest_upper(pack):
    p = os.path.join(pack, "MANIFEST.sha256")
    b = read(p)
    hexes = [k for k in range(64) if b[k] in b"abcdef"]
    if not hexes:
        return flip(p)
    i = rng.choice(hexes)
    b[i:i + 1] = b[i:i + 1].upper()
    write(p, b)
    return "manifest hex in upper case"


def one_dir_case(n):
    d = os.path.join(SCRATCH, "t")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(GOOD, d, symlinks=True)
    names = files(d)
    target = os.path.join(d, rng.choice(names))
    kind = rng.choice([flip, flip, flip, truncate, extend, remove, swap_lines, rename, symlink,
                       "add", "dup", "upper"])
    if kind == "add":
        what = add(d)
    elif kind == "dup":
        what = manifest_dup(d)
    elif kind == "upper":
        what = manifest_upper(d)
    else:
        what = kind(target) + " " + os.path.relpath(target, d)
    check(f"dir case {n}: {what}", d)


def one_zip_case(n):
    z = os.path.join(SCRATCH, "t.zip")
    with zipfile.ZipFile(GOOD_ZIP) as src:
        entries = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    k = rng.randrange(len(entries))
    how = rng.choice(["flip", "drop", "add", "truncate"])
    name, data = entries[k]
    if how == "flip":
        b = bytearray(data) or bytearray(b"x")
        b[rng.randrange(len(b))] ^= 0x20
        entries[k] = (name, bytes(b))
    elif how == "drop":
        del entries[k]
    elif how == "add":
        entries.append(("originals/99-99.xml", b"<Event/>"))
    else:
        entries[k] = (name, data[: len(data) // 2])
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as dst:
        for nm, dt in entries:
            dst.writestr(nm, dt)
    check(f"zip case {n}: {how} {name}", z)


def raw_zip_flips(count):
    """Byte flips anywhere in the zip file: verify must never crash (exit 0 or 4); count how
    many are caught (flips in zip metadata outside any entry's content are not evidence)."""
    global fails
    good = read(GOOD_ZIP)
    caught = 0
    for n in range(count):
        b = bytearray(good)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        z = os.path.join(SCRATCH, "f.zip")
        write(z, b)
        rc, out = verify(z)
        if rc not in (0, 4):
            fails += 1
            print(f"FAIL: raw zip flip {n}: exit {rc}: {out.strip()[:300]}")
        caught += rc == 4
    print(f"raw zip byte flips: {caught} of {count} detected, none crashed")


rc, out = verify(GOOD)
if rc != 0:
    print(f"FAIL: the good pack does not verify: {out}")
    sys.exit(1)
for n in range(CASES):
    one_dir_case(n)
for n in range(CASES // 4):
    one_zip_case(n)
raw_zip_flips(CASES // 4)
print(f"{checked} alterations, {fails} not detected")
sys.exit(1 if fails else 0)
