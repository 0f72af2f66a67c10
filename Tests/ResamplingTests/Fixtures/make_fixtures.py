"""Reference values for bicubic resampling from Pillow (Image.resize with BICUBIC on
mode "F" float images). Run from this folder: python3 make_fixtures.py (needs Pillow, numpy)."""
import json

import numpy as np
import PIL
from PIL import Image

rng = np.random.default_rng(20261125)
cases = []
for (w, h), targets in [((13, 9), [(5, 4), (29, 20), (7, 17), (13, 9), (1, 1)]),
                        ((64, 48), [(28, 28), (17, 11), (100, 77)]),
                        ((3, 2), [(11, 8)])]:
    source = rng.random((h, w), dtype=np.float32)
    for tw, th in targets:
        out = np.asarray(Image.fromarray(source, mode="F").resize((tw, th), Image.BICUBIC), dtype=np.float32)
        cases.append({"width": w, "height": h, "targetWidth": tw, "targetHeight": th,
                      "source": [float(v) for v in source.reshape(-1)],
                      "expected": [float(v) for v in out.reshape(-1)]})
json.dump({"pillow": PIL.__version__, "cases": cases}, open("pillow-bicubic.json", "w"))
