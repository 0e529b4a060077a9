#!/usr/bin/env python3
"""Prints what a PNG screenshot shows, for the report test: width, height, the share of
pixels that are not (near) white and the number of distinct colours (quantized to
4 bits per channel). Standard library only (zlib); 8-bit RGB/RGBA, not interlaced.
usage: png-stats.py FILE.png"""
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
pos, idat = 8, b""
while pos < len(data):
    n, = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
    pos += 12 + n
    if kind == b"IHDR":
        w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
assert depth == 8 and colour in (2, 6) and interlace == 0, "expected 8-bit RGB(A), not interlaced"
bpp = 3 if colour == 2 else 4
stride = w * bpp
raw = zlib.decompress(idat)
prev = bytearray(stride)
ink, colours = 0, set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for x in range(bpp, stride): line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for x in range(stride): line[x] = (line[x] + ((line[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            c = prev[x - bpp] if x >= bpp else 0
            b = prev[x]
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, b_ = line[x], line[x + 1], line[x + 2]
        if r < 240 or g < 240 or b_ < 240:
            ink += 1
        colours.add((r >> 4, g >> 4, b_ >> 4))
    prev = line
print(f"size {w} {h}")
print(f"ink {ink / (w * h):.4f}")
print(f"colours {len(colours)}")
