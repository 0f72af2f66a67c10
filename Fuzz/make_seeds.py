"""Writes the seed corpora under Fuzz/corpus/<target>/ (python3, standard library only).
Run from the repository root: python3 Fuzz/make_seeds.py. Seeds are tiny on purpose:
libFuzzer mutates faster and keeps max_len small. Inputs that made a harness fail are kept
beside them as found-*.<ext> (added by hand; this script leaves them alone)."""
import gzip
import json
import os
import shutil
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- PNG and JPEG -------------------------------------------------------------------------

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, rows=None, extra=b"", color_type=0, depth=8):
    if rows is None:
        rows = [bytes((x * 7 + y * 13) % 256 for x in range(width)) for y in range(height)]
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def bits_to_bytes(bits):
    bits = bits + [1] * (-len(bits) % 8)
    out = bytearray()
    for i in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[i:i + 8])), 2)
        out.append(byte)
        if byte == 0xFF:
            out.append(0)
    return bytes(out)


def progressive_jpeg(width, height, scans):
    """The same file as Tests/ImagingTests/HostileFiles.swift makes: gray, progressive,
    `scans` identical empty AC scans (each one pass over every block)."""
    def segment(marker, body):
        return b"\xFF" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body
    out = b"\xFF\xD8"
    out += segment(0xDB, b"\x00" + b"\x01" * 64)
    out += segment(0xC2, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += segment(0xC4, b"\x10" + bytes([0, 0, 0, 15] + [0] * 12) + bytes(r << 4 for r in range(15)))
    bits, left = [], ((width + 7) // 8) * ((height + 7) // 8)
    while left > 0:
        run = min(left, 32767)
        r = run.bit_length() - 1
        bits += [int(b) for b in format(r, "04b")]
        if r:
            bits += [int(b) for b in format(run - (1 << r), "0%db" % r)]
        left -= run
    entropy = bits_to_bytes(bits)
    for _ in range(scans):
        out += segment(0xDA, b"\x01\x01\x00\x01\x3F\x00") + entropy
    return out + b"\xFF\xD9"


def image_seeds():
    fixtures = os.path.join(os.path.dirname(ROOT), "..", "Tests", "ImagingTests", "Fixtures")
    for name in sorted(os.listdir(fixtures)):
        if name.endswith((".png", ".jpg")):
            shutil.copy(os.path.join(fixtures, name), os.path.join(ROOT, "image", name))
    write("image", "scans-over-limit.jpg", progressive_jpeg(48, 32, 101))
    write("image", "scans-at-limit.jpg", progressive_jpeg(48, 32, 100))
    write("image", "wide.png", png(4000, 1, rows=[bytes(x % 256 for x in range(4000))]))
    bomb = chunk(b"zTXt", b"junk\x00\x00" + zlib.compress(b"a" * 2_000_000, 9))
    write("image", "ztxt-bomb.png", png(8, 8, extra=bomb))
    raw = b"\x00" + b"\x05"
    extra_idat = chunk(b"IDAT", zlib.compress(raw + b"\x00" * 300_000, 9))
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    write("image", "idat-extra.png", b"\x89PNG\r\n\x1a\n" + ihdr + extra_idat + chunk(b"IEND", b""))


# --- dream:settings in PNG text ------------------------------------------------------------

def pngtext_seeds():
    settings = json.dumps({"mode": "downscale", "maps": [56], "steps": 20, "stepSize": 0.004, "loops": 4,
                           "range": "std", "color": "gray", "seed": 1}, sort_keys=True,
                          separators=(",", ":")).encode()
    key = b"dream:settings"
    write("pngtext", "tEXt.png", png(4, 4, extra=chunk(b"tEXt", key + b"\x00" + settings)))
    write("pngtext", "zTXt.png", png(4, 4, extra=chunk(b"zTXt", key + b"\x00\x00" + zlib.compress(settings))))
    write("pngtext", "iTXt.png", png(4, 4, extra=chunk(b"iTXt", key + b"\x00\x00\x00en\x00\x00" + settings)))
    write("pngtext", "layers.png", png(4, 4, extra=chunk(
        b"tEXt", key + b"\x00" + b'{"layers":{"conv2":1,"conv1":0.3},"maps":[],"mode":"tiles","octaves":3}')))
    write("pngtext", "no-text.png", png(4, 4))
    write("pngtext", "other-key.png", png(4, 4, extra=chunk(b"tEXt", b"Comment\x00hello")))


# --- presets -------------------------------------------------------------------------------

def preset_seeds():
    presets = os.path.join(os.path.dirname(ROOT), "..", "presets")
    for name in sorted(os.listdir(presets)):
        shutil.copy(os.path.join(presets, name), os.path.join(ROOT, "preset", name))
    write("preset", "class.json", b'{"classIndex": 4, "maps": [], "mode": "tiles", "tileGrid": "fixed"}')
    write("preset", "range.json", b'{"range": "std", "rangeTarget": 0.2, "invert": true, "color": "keep"}')


# --- model files (safetensors) ------------------------------------------------------------

def model(input_shape, layers, tensors, training=None, extra=()):
    """tensors: (name, shape) in file order; values are small distinct floats."""
    metadata = {"format": "dream-cnn", "version": "1",
                "architecture": json.dumps({"input": input_shape, "layers": layers}, separators=(",", ":"))}
    if training:
        metadata["training"] = json.dumps(training, separators=(",", ":"))
    header, blob, offset = {"__metadata__": metadata}, b"", 0
    for name, shape in list(tensors) + list(extra):
        count = 1
        for d in shape:
            count *= d
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * count]}
        blob += struct.pack("<%df" % count, *[((i * 37) % 19 - 9) / 40 for i in range(count)])
        offset += 4 * count
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def model_seeds():
    conv = [{"activation": "relu", "kind": "conv2d", "name": "conv1", "size": [3, 3], "units": 2},
            {"kind": "maxpool2d", "name": "pool1", "size": [2, 2]},
            {"kind": "flatten", "name": "flatten"},
            {"activation": "softmax", "kind": "dense", "name": "dense1", "units": 3}]
    tensors = [("conv1.weight", [3, 3, 1, 2]), ("conv1.bias", [2]), ("dense1.weight", [8, 3]), ("dense1.bias", [3])]
    write("model", "conv.safetensors", model([6, 6, 1], conv, tensors))
    training = {"batchSize": 4, "dataset": "mnist", "dropEvery": 2, "epochs": 1, "l2": 5e-05, "learningRate": 0.05,
                "learningRateDrop": 0.5, "momentum": 0.9, "seed": 1, "testAccuracy": 0.5, "trainingImages": 8}
    optimizer = [("optimizer." + name, [n]) for name, n in
                 [("conv1.weight", 18), ("conv1.bias", 2), ("dense1.weight", 24), ("dense1.bias", 3)]]
    write("model", "checkpoint.safetensors", model([6, 6, 1], conv, tensors, training, optimizer))
    dense = [{"kind": "flatten", "name": "flatten"},
             {"activation": "relu", "kind": "dense", "name": "dense1", "units": 4},
             {"activation": "softmax", "kind": "dense", "name": "dense2", "units": 2}]
    write("model", "dense.safetensors", model([2, 2, 1], dense, [
        ("dense1.weight", [4, 4]), ("dense1.bias", [4]), ("dense2.weight", [4, 2]), ("dense2.bias", [2])]))


# --- IDX -----------------------------------------------------------------------------------

def idx_seeds():
    labels = b"\x00\x00\x08\x01" + struct.pack(">I", 10) + bytes(range(10))
    images = b"\x00\x00\x08\x03" + struct.pack(">III", 2, 3, 3) + bytes(range(0, 255, 14))
    write("idx", "labels.idx", labels)
    write("idx", "images.idx", images)
    write("idx", "labels.idx.gz", gzip.compress(labels, mtime=0))
    write("idx", "images.idx.gz", gzip.compress(images, mtime=0))


for target in ["image", "pngtext", "preset", "model", "idx"]:
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
image_seeds()
pngtext_seeds()
preset_seeds()
model_seeds()
idx_seeds()
