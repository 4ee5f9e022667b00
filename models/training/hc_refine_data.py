"""Second-stage fetal-head refiner (experiment, not shipped): polar resampling around a first ellipse.

For an ellipse E (centre c, semi-axes a, b, angle phi) and K parametric angles t_k, the ray direction is
d_k = a cos t_k u + b sin t_k v (u, v the ellipse's axes); R radial samples sit at c + s d_k for s in
[1 - span, 1 + span]. Sampled at the image's own resolution (bilinear, after a light blur where one radial
step is longer than a pixel), so large heads keep the detail that the 320x224 first stage loses. The
target of angle k is where the ray meets the annotation's centre-line ellipse (closed form below).

First-stage ellipses come from the shipped fp32 graph's probability maps (`onnx_eval.run_graph`, cached by
`quality_probe.py`, or made here when missing), fitted exactly as `geometry.ellipse_from_prob` does, and
mapped from the letterboxed 320x224 input back to source pixels.
"""
from __future__ import annotations

import math
import os

import numpy as np
from PIL import Image
from scipy import ndimage

from geometry import Ellipse, ellipse_from_prob

K_ANGLES = 128
R_SAMPLES = 48
SPAN = 0.12  # radial samples cover 0.88-1.12 of the first ellipse's radius at each angle


def radial_grid(span: float = SPAN, r: int = R_SAMPLES) -> np.ndarray:
    return np.linspace(1.0 - span, 1.0 + span, r)


def ray_dirs(e: np.ndarray, k: int = K_ANGLES) -> np.ndarray:
    """(K, 2) ray directions of ellipse e = (cx, cy, a, b, angle): the point at s = 1 is on the ellipse."""
    t = 2 * math.pi * np.arange(k) / k
    cu, su = math.cos(e[4]), math.sin(e[4])
    x = e[2] * np.cos(t)
    y = e[3] * np.sin(t)
    return np.stack([x * cu - y * su, x * su + y * cu], axis=1)


def ray_hits(e_first: np.ndarray, e_true: np.ndarray, k: int = K_ANGLES) -> np.ndarray:
    """s where each ray of e_first (from its centre) meets e_true: the positive root of A s^2 + B s + C = 0."""
    d = ray_dirs(e_first, k)
    q = np.array([e_first[0] - e_true[0], e_first[1] - e_true[1]])
    cu, su = math.cos(e_true[4]), math.sin(e_true[4])
    du = (d[:, 0] * cu + d[:, 1] * su) / e_true[2]
    dv = (-d[:, 0] * su + d[:, 1] * cu) / e_true[3]
    qu = (q[0] * cu + q[1] * su) / e_true[2]
    qv = (-q[0] * su + q[1] * cu) / e_true[3]
    A = du * du + dv * dv
    B = 2 * (qu * du + qv * dv)
    C = qu * qu + qv * qv - 1.0
    disc = np.maximum(B * B - 4 * A * C, 0.0)
    return (-B + np.sqrt(disc)) / (2 * A)


def polar_sample(img: np.ndarray, e: np.ndarray, span: float = SPAN, k: int = K_ANGLES, r: int = R_SAMPLES) -> np.ndarray:
    """(R, K) bilinear samples of img (float) along the rays of e; zero outside the image."""
    d = ray_dirs(e, k)
    s = radial_grid(span, r)
    x = e[0] + s[:, None] * d[None, :, 0]
    y = e[1] + s[:, None] * d[None, :, 1]
    return ndimage.map_coordinates(img, [y.ravel(), x.ravel()], order=1, mode="constant", cval=0.0).reshape(r, k)


def points_from_s(e: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = ray_dirs(e, len(s))
    return e[0] + s * d[:, 0], e[1] + s * d[:, 1]


def ell_arr(e: Ellipse) -> np.ndarray:
    return np.array([e.cx, e.cy, e.a, e.b, e.angle])


def perimeter(e: np.ndarray) -> float:
    return Ellipse(*[float(v) for v in e]).perimeter()


def first_stage_ellipses(maps: np.ndarray, meta: np.ndarray) -> np.ndarray:
    """Ellipse of each 320x224 probability map (uint8 or float), in source pixels; NaN row where none."""
    out = np.full((len(maps), 5), np.nan)
    for i, m in enumerate(maps):
        p = m.astype(np.float64) / 255.0 if m.dtype == np.uint8 else m.astype(np.float64)
        e = ellipse_from_prob(p)
        if e is None:
            continue
        s, x0, y0 = meta[i, 0], meta[i, 1], meta[i, 2]
        # model pixel m = (src + 0.5) * s - 0.5 + offset  =>  src = (m - offset + 0.5) / s - 0.5
        out[i] = [(e.cx - x0 + 0.5) / s - 0.5, (e.cy - y0 + 0.5) / s - 0.5, e.a / s, e.b / s, e.angle]
    return out


def load_full_images(root: str, names: list[str], blur_for: np.ndarray) -> list[np.ndarray]:
    """Source images as float32 in [0, 1], lightly blurred when one radial step of a head of this size
    (blur_for: the FIRST-stage ellipse's mean semi-axis, known at run time) is longer than a pixel, against
    aliasing."""
    out = []
    for n, rad in zip(names, blur_for):
        img = np.asarray(Image.open(os.path.join(root, "training_set", n)).convert("L"), np.float32) / 255.0
        step = 2 * SPAN * rad / (R_SAMPLES - 1)
        if step > 1.0:
            img = ndimage.gaussian_filter(img, sigma=0.5 * step)
        out.append(img)
    return out
