"""HC18 loading: subject-wise split, centre-line ellipse targets, letterboxed tensors cached on disk.

The annotation is a 2–3 px ellipse OUTLINE. We fit an ellipse to the outline pixels (its centre line, the
line the CSV's HC follows) and rasterise that ellipse, area-weighted, at model resolution. Filling the
outline instead would put the mask edge ~1 px outside the centre line and bias HC upward.
"""
from __future__ import annotations

import csv
import hashlib
import math
import os
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image

from geometry import Ellipse, fill_ellipse_soft, fit_ellipse


@dataclass
class Hc18Item:
    name: str
    subject: str
    pixel_mm: float
    hc_mm: float
    width: int
    height: int
    ellipse: Ellipse  # centre-line ellipse in source pixels


def subject_of(filename: str) -> str:
    m = re.match(r"^(\d+)_", filename)
    if not m:
        raise ValueError(f"Unexpected HC18 file name {filename!r}")
    return m.group(1)


def is_validation_subject(subject: str, fraction: float = 0.15) -> bool:
    """Deterministic split by subject: a hash, so adding images never moves a subject across sides."""
    h = int(hashlib.sha256(("hc18-split-v1:" + subject).encode()).hexdigest()[:8], 16)
    return (h / 0xFFFFFFFF) < fraction


def read_items(root: str) -> list[Hc18Item]:
    csv_path = os.path.join(root, "training_set_pixel_size_and_HC.csv")
    items = []
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            name = row["filename"]
            ann = np.array(Image.open(os.path.join(root, "training_set", name.replace(".png", "_Annotation.png"))).convert("L"))
            ys, xs = np.nonzero(ann > 127)
            e = fit_ellipse(xs.astype(np.float64), ys.astype(np.float64))
            if e is None:
                raise ValueError(f"Could not fit the annotation of {name}")
            items.append(Hc18Item(name, subject_of(name), float(row["pixel size(mm)"]),
                                  float(row["head circumference (mm)"]), ann.shape[1], ann.shape[0], e))
    return items


def build_cache(root: str, cache: str, w: int, h: int) -> dict:
    if os.path.exists(cache):
        d = np.load(cache, allow_pickle=False)
        return {k: d[k] for k in d.files}
    items = read_items(root)
    imgs = np.zeros((len(items), h, w), np.uint8)
    tgts = np.zeros((len(items), h, w), np.float32)
    meta = np.zeros((len(items), 8), np.float64)  # scale, pad_x, pad_y, pixel_mm, hc_mm, val, width, height
    names, ell = [], np.zeros((len(items), 5))
    for i, it in enumerate(items):
        img = np.array(Image.open(os.path.join(root, "training_set", it.name)).convert("L"))
        nw, nh = max(1, round(it.width * min(w / it.width, h / it.height))), max(1, round(it.height * min(w / it.width, h / it.height)))
        sx, sy = nw / it.width, nh / it.height
        x0, y0 = (w - nw) // 2, (h - nh) // 2
        small = np.array(Image.fromarray(img).resize((nw, nh), Image.BILINEAR))
        imgs[i, y0:y0 + nh, x0:x0 + nw] = small
        # ellipse into model pixel coordinates (pixel centres: m = (s + 0.5) * k - 0.5 + offset)
        e = it.ellipse
        s = (sx + sy) / 2
        em = Ellipse((e.cx + 0.5) * sx - 0.5 + x0, (e.cy + 0.5) * sy - 0.5 + y0, e.a * s, e.b * s, e.angle)
        tgts[i] = fill_ellipse_soft(em, w, h)
        meta[i] = [s, x0, y0, it.pixel_mm, it.hc_mm, 1.0 if is_validation_subject(it.subject) else 0.0, it.width, it.height]
        ell[i] = [e.cx, e.cy, e.a, e.b, e.angle]
        names.append(it.name)
    out = {"images": imgs, "targets": tgts, "meta": meta, "ellipses": ell, "names": np.array(names)}
    np.savez(cache, **out)
    return out


if __name__ == "__main__":
    import sys
    items = read_items(sys.argv[1])
    diffs = np.array([it.ellipse.perimeter() * it.pixel_mm - it.hc_mm for it in items])
    print(f"{len(items)} images, {len({it.subject for it in items})} subjects; "
          f"centre-line ellipse HC vs CSV: mean {diffs.mean():+.3f} mm, MAE {np.abs(diffs).mean():.3f} mm, max {np.abs(diffs).max():.2f}")
    val = [it for it in items if is_validation_subject(it.subject)]
    print(f"validation: {len(val)} images, {len({it.subject for it in val})} subjects")
