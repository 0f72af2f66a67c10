#!/usr/bin/env python3
"""The README's sky mask for samples/china.jpg: white where the pixel is bright, bluish
sky above the horizon, black elsewhere, edges softened over a few pixels.
Usage: tools/make-sky-mask.py samples/china.jpg mask.png (needs numpy and ImageMagick)."""
import subprocess
import sys

import numpy as np


def main(photo, mask):
    ppm = subprocess.run(["convert", photo, "ppm:-"], check=True, capture_output=True).stdout
    header, rest = ppm.split(b"\n", 1)
    size, rest = rest.split(b"\n", 1)
    _, data = rest.split(b"\n", 1)
    w, h = map(int, size.split())
    rgb = np.frombuffer(data, dtype=np.uint8).reshape(h, w, 3).astype(float)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    sky = (luma > 165) & (b >= r) & (b - r < 70)
    # Above the far shore only: the lake is as pale as the sky.
    sky[int(0.48 * h):, :] = False
    m = sky.astype(float)
    for _ in range(3):  # three box blurs: a soft edge of about 6 px
        padded = np.pad(m, 2, mode="edge")
        m = sum(padded[dy:dy + h, dx:dx + w] for dy in range(5) for dx in range(5)) / 25
    pgm = b"P5\n%d %d\n255\n" % (w, h) + (m * 255).round().astype(np.uint8).tobytes()
    subprocess.run(["convert", "pgm:-", mask], input=pgm, check=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
