"""Geometry shared by training, evaluation and export: letterboxing, ellipse fit, sub-pixel edges.

The runtime (src/analysis) implements the same maths in TypeScript; the numbers here are only used to
build training targets and to report validation figures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Letterbox:
    """Maps source pixels into a model input of size (width, height), aspect kept, centred, zero padded."""
    scale: float
    pad_x: float
    pad_y: float

    @staticmethod
    def fit(src_w: int, src_h: int, dst_w: int, dst_h: int) -> "Letterbox":
        s = min(dst_w / src_w, dst_h / src_h)
        return Letterbox(s, (dst_w - src_w * s) / 2.0, (dst_h - src_h * s) / 2.0)


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    a: float  # semi-axis along angle
    b: float  # semi-axis perpendicular
    angle: float  # radians

    def perimeter(self) -> float:
        """Ramanujan's second approximation."""
        a, b = self.a, self.b
        h = ((a - b) / (a + b)) ** 2
        return math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))


def fit_ellipse(x: np.ndarray, y: np.ndarray) -> Ellipse | None:
    """Direct least-squares ellipse fit (Fitzgibbon, Pilu & Fisher 1999, Halir & Flusser 1998 form)."""
    if x.size < 6:
        return None
    mx, my = x.mean(), y.mean()
    sx = max(x.std(), 1e-9)
    sy = max(y.std(), 1e-9)
    xn, yn = (x - mx) / sx, (y - my) / sy
    d1 = np.stack([xn * xn, xn * yn, yn * yn], axis=1)
    d2 = np.stack([xn, yn, np.ones_like(xn)], axis=1)
    s1, s2, s3 = d1.T @ d1, d1.T @ d2, d2.T @ d2
    try:
        t = -np.linalg.solve(s3, s2.T)
    except np.linalg.LinAlgError:
        return None
    m = s1 + s2 @ t
    m = np.array([m[2] / 2, -m[1], m[0] / 2])
    w, v = np.linalg.eig(m)
    v = np.real(v)
    cond = 4 * v[0] * v[2] - v[1] ** 2
    idx = np.where(cond > 0)[0]
    if idx.size == 0:
        return None
    a1 = v[:, idx[0]]
    a2 = t @ a1
    A, B, C, D, E, F = a1[0], a1[1], a1[2], a2[0], a2[1], a2[2]
    # undo normalisation: x = (X - mx)/sx
    A2, B2, C2 = A / sx**2, B / (sx * sy), C / sy**2
    D2 = D / sx - 2 * A * mx / sx**2 - B * my / (sx * sy)
    E2 = E / sy - 2 * C * my / sy**2 - B * mx / (sx * sy)
    F2 = F + A * mx**2 / sx**2 + B * mx * my / (sx * sy) + C * my**2 / sy**2 - D * mx / sx - E * my / sy
    return conic_to_ellipse(A2, B2, C2, D2, E2, F2)


def conic_to_ellipse(A, B, C, D, E, F) -> Ellipse | None:
    den = B * B - 4 * A * C
    if den >= 0:
        return None
    cx = (2 * C * D - B * E) / den
    cy = (2 * A * E - B * D) / den
    f0 = A * cx * cx + B * cx * cy + C * cy * cy + D * cx + E * cy + F
    mat = np.array([[A, B / 2], [B / 2, C]])
    w, v = np.linalg.eigh(mat)
    if f0 == 0 or np.any(-f0 / w <= 0):
        return None
    axes = np.sqrt(-f0 / w)
    i = int(np.argmax(axes))
    ang = math.atan2(v[1, i], v[0, i])
    return Ellipse(float(cx), float(cy), float(axes[i]), float(axes[1 - i]), ang)


def fill_ellipse_soft(e: Ellipse, width: int, height: int, supersample: int = 4) -> np.ndarray:
    """Area fraction of each pixel inside the ellipse (pixel centres at integer coordinates)."""
    ss = supersample
    offs = (np.arange(ss) + 0.5) / ss - 0.5
    ys = (np.arange(height)[:, None] + offs[None, :]).reshape(-1)
    xs = (np.arange(width)[:, None] + offs[None, :]).reshape(-1)
    X, Y = np.meshgrid(xs, ys)
    c, s = math.cos(e.angle), math.sin(e.angle)
    dx, dy = X - e.cx, Y - e.cy
    u = (dx * c + dy * s) / e.a
    v = (-dx * s + dy * c) / e.b
    inside = (u * u + v * v) <= 1.0
    return inside.reshape(height, ss, width, ss).mean(axis=(1, 3)).astype(np.float32)


def subpixel_edge_points(prob: np.ndarray, level: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Points where the probability map crosses `level`, linearly interpolated between neighbours."""
    p = prob.astype(np.float64)
    xs, ys = [], []
    a, b = p[:, :-1], p[:, 1:]
    m = (a - level) * (b - level) < 0
    r, c = np.nonzero(m)
    t = (level - a[r, c]) / (b[r, c] - a[r, c])
    xs.append(c + t)
    ys.append(r.astype(np.float64))
    a, b = p[:-1, :], p[1:, :]
    m = (a - level) * (b - level) < 0
    r, c = np.nonzero(m)
    t = (level - a[r, c]) / (b[r, c] - a[r, c])
    xs.append(c.astype(np.float64))
    ys.append(r + t)
    return np.concatenate(xs), np.concatenate(ys)


def largest_component(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage
    lab, n = ndimage.label(mask)
    if n <= 1:
        return mask
    sizes = ndimage.sum(mask, lab, range(1, n + 1))
    return lab == (1 + int(np.argmax(sizes)))


def ellipse_from_prob(prob: np.ndarray) -> Ellipse | None:
    """Largest component's sub-pixel 0.5-crossing, fitted with an ellipse (model-input coordinates)."""
    from scipy import ndimage
    mask = largest_component(prob >= 0.5)
    if mask.sum() < 20:
        return None
    keep = ndimage.binary_dilation(mask, iterations=2)
    x, y = subpixel_edge_points(np.where(keep, prob, 0.0))
    return fit_ellipse(x, y)


def hadlock_ga_weeks(hc_mm: float) -> float:
    hc = hc_mm / 10.0
    return 8.96 + 0.540 * hc + 0.0003 * hc**3
