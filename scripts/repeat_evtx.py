#!/usr/bin/env python3
"""Write an event log made of TIMES copies of another's chunks, for benchmarks (docs/benchmarks.md).

    python3 scripts/repeat_evtx.py IN.evtx OUT.evtx TIMES

Each copy's record ids continue after the previous copy's and its record times move on by the log's span, so the
result reads as one longer log of the same events (the writer would need the whole event list in memory for a
1 GB log). Record and chunk headers are patched and their CRC32 checksums recomputed; the file header says the new
chunk count and next record id.
"""
import struct
import sys
import zlib

CHUNK = 65536


def records(chunk):
    """Offsets of the records of a chunk, by walking their sizes up to the free space."""
    at, free = 512, struct.unpack_from("<I", chunk, 0x30)[0]
    while at < free and chunk[at:at + 4] == b"\x2a\x2a\x00\x00":
        yield at
        at += struct.unpack_from("<I", chunk, at + 4)[0]


def main():
    src, dst, times = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(src, "rb").read()
    header, body = bytearray(data[:4096]), data[4096:]
    chunks = [bytearray(body[i:i + CHUNK]) for i in range(0, len(body) - CHUNK + 1, CHUNK)]
    chunks = [c for c in chunks if c[:8] == b"ElfChnk\x00"]
    first_id = struct.unpack_from("<Q", chunks[0], 0x18)[0]
    last_id = struct.unpack_from("<Q", chunks[-1], 0x20)[0]
    count = last_id - first_id + 1
    times_ft = [struct.unpack_from("<Q", c, r + 16)[0] for c in (chunks[0], chunks[-1]) for r in records(c)]
    span = max(times_ft) - min(times_ft) + 10_000_000
    with open(dst, "wb") as out:
        total = len(chunks) * times
        struct.pack_into("<QQQ", header, 8, 0, total - 1, first_id + count * times)
        struct.pack_into("<H", header, 42, total)
        struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
        out.write(header)
        for k in range(times):
            for c in chunks:
                c = bytearray(c)
                shift = count * k
                for field in (0x08, 0x10, 0x18, 0x20):
                    struct.pack_into("<Q", c, field, struct.unpack_from("<Q", c, field)[0] + shift)
                end = 512
                for r in records(c):
                    rid, ft = struct.unpack_from("<QQ", c, r + 8)
                    struct.pack_into("<QQ", c, r + 8, rid + shift, ft + span * k)
                    end = r + struct.unpack_from("<I", c, r + 4)[0]
                struct.pack_into("<I", c, 0x34, zlib.crc32(bytes(c[512:end])))
                struct.pack_into("<I", c, 0x7C, zlib.crc32(bytes(c[:120]) + bytes(c[128:512])))
                out.write(c)


if __name__ == "__main__":
    main()
