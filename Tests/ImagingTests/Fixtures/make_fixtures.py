"""Makes the PNG/JPEG decoding fixtures. Run from this folder: python3 make_fixtures.py
(needs Pillow, and ImageMagick's `convert` for the interlaced PNG). The tests recompute
the expected pixel values from the same formulas, so no expected arrays are stored."""
import io
import struct
import subprocess
import zlib

from PIL import Image

W, H = 7, 5  # odd sizes catch row-stride mistakes


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(name, color_type, depth, rows, extra=b""):
    """rows: list of bytes objects, already packed at the given depth."""
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", W, H, depth, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(name, "wb").write(data)
    return data


def v8(x, y, c):
    return (x * 37 + y * 11 + c * 71) % 256


def v16(x, y, c):
    return (x * 4099 + y * 1031 + c * 7919) % 65536


def pack_bits(values, depth):
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | v
        n += depth
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


for depth in (1, 2, 4):
    png("gray%d.png" % depth, 0, depth, [pack_bits([(x + y) % (1 << depth) for x in range(W)], depth) for y in range(H)])
png("gray8.png", 0, 8, [bytes(v8(x, y, 0) for x in range(W)) for y in range(H)])
png("gray16.png", 0, 16, [b"".join(struct.pack(">H", v16(x, y, 0)) for x in range(W)) for y in range(H)])
png("graya8.png", 4, 8, [bytes(v for x in range(W) for v in (v8(x, y, 0), v8(x, y, 3))) for y in range(H)])
png("rgb8.png", 2, 8, [bytes(v8(x, y, c) for x in range(W) for c in range(3)) for y in range(H)])
png("rgb16.png", 2, 16, [b"".join(struct.pack(">H", v16(x, y, c)) for x in range(W) for c in range(3)) for y in range(H)])
png("rgba8.png", 6, 8, [bytes(v8(x, y, c) for x in range(W) for c in range(4)) for y in range(H)])
png("rgba16.png", 6, 16, [b"".join(struct.pack(">H", v16(x, y, c)) for x in range(W) for c in range(4)) for y in range(H)])
# Palette of 4 colors at 2 bits; entry 1 transparent via tRNS.
palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
plte = chunk(b"PLTE", bytes(v for rgb in palette for v in rgb))
png("palette2.png", 3, 2, [pack_bits([(x + 2 * y) % 4 for x in range(W)], 2) for y in range(H)], plte)
png("palette2-trns.png", 3, 2, [pack_bits([(x + 2 * y) % 4 for x in range(W)], 2) for y in range(H)],
    plte + chunk(b"tRNS", bytes([255, 0, 255, 255])))
# tRNS on an RGB image: color (v8 at (0,0)) = (0, 71, 142) becomes transparent.
png("rgb8-trns.png", 2, 8, [bytes(v8(x, y, c) for x in range(W) for c in range(3)) for y in range(H)],
    chunk(b"tRNS", struct.pack(">HHH", 0, 71, 142)))
subprocess.run(["convert", "rgb8.png", "-interlace", "PNG", "-define", "png:color-type=2", "rgb8-interlaced.png"], check=True)

# Corrupt and foreign files.
good = open("rgb8.png", "rb").read()
open("truncated.png", "wb").write(good[: len(good) // 2])
bad_crc = bytearray(good)
bad_crc[40] ^= 0xFF  # inside IDAT: the CRC no longer matches
open("bad-crc.png", "wb").write(bytes(bad_crc))
open("empty.png", "wb").write(b"")
open("text.png", "wb").write(b"this is not an image\n")
zero = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 5, 8, 0, 0, 0, 0)) + chunk(b"IEND", b"")
open("zero-width.png", "wb").write(zero)

# JPEG: a smooth gradient (so lossy coding stays close) in the kinds libjpeg writes.
grad = Image.new("RGB", (40, 24))
grad.putdata([(x * 6, y * 10, 128 + x - y) for y in range(24) for x in range(40)])
grad.save("source-rgb.png")
grad.save("baseline-rgb.jpg", quality=95)
grad.save("progressive-rgb.jpg", quality=95, progressive=True)
grad.convert("L").save("baseline-gray.jpg", quality=95)
grad.convert("L").save("source-gray.png")
grad.convert("CMYK").save("cmyk.jpg", quality=95)
exif = Image.Exif()
exif[0x0112] = 6  # "rotate 90 clockwise to view"
grad.save("orientation6.jpg", quality=95, exif=exif.tobytes())
jpeg = open("baseline-rgb.jpg", "rb").read()
open("truncated.jpg", "wb").write(jpeg[: len(jpeg) // 2])
