#!/usr/bin/python3
"""Build a series of overlapping "nightly exports" of one EVTX log.

A live log grows chunk by chunk; a nightly copy of it shares every chunk of
the night before and adds the new ones. Export k holds the first
first + k*step chunks (capped at the log's size) behind a file header whose
chunk count, last chunk number and CRC32 are set to match, so every export is
a valid EVTX file that libevtx reads without complaint.

With WINDOW, the log is a full one that rolls over: Windows keeps at most
its maximum size (20 MiB by default) and overwrites the oldest chunk, so
export k holds only the last WINDOW chunks of the first + k*step. Each export
then shares all but its newest STEP chunks with the night before, far apart
in a stream of all the exports (WINDOW chunks back).

usage: make_exports.py SOURCE.evtx OUTDIR COUNT [FIRST] [STEP] [WINDOW]
"""
import os
import struct
import sys
import zlib

HEADER = 4096
CHUNK = 65536


def main():
    src, outdir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    step = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    window = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    data = open(src, "rb").read()
    chunks = (len(data) - HEADER) // CHUNK
    used = struct.unpack_from("<H", data, 42)[0]
    chunks = min(chunks, used) if used else chunks
    os.makedirs(outdir, exist_ok=True)
    for k in range(count):
        end = min(chunks, first + k * step)
        start = max(0, end - window) if window else 0
        n = end - start
        last = HEADER + (end - 1) * CHUNK
        head = bytearray(data[:HEADER])
        struct.pack_into("<Q", head, 8, 0)          # first chunk number
        struct.pack_into("<Q", head, 16, n - 1)     # last chunk number
        # next record id: one past the last chunk's last record id
        struct.pack_into("<Q", head, 24, struct.unpack_from("<Q", data, last + 32)[0] + 1)
        struct.pack_into("<H", head, 42, n)         # number of chunks
        struct.pack_into("<I", head, 120, 0)        # flags: clean
        struct.pack_into("<I", head, 124, zlib.crc32(bytes(head[:120])) & 0xFFFFFFFF)
        path = os.path.join(outdir, "export-%02d.evtx" % (k + 1))
        with open(path, "wb") as f:
            f.write(head)
            f.write(data[HEADER + start * CHUNK:HEADER + end * CHUNK])
        print(path)


if __name__ == "__main__":
    main()
