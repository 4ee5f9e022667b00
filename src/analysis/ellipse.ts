/** Ellipse geometry: direct least-squares fit and Ramanujan perimeter. Pure functions. */
import { eigenvectors3, solve3 } from './linalg3.js';

export interface Ellipse {
  cx: number;
  cy: number;
  /** semi-major axis */
  a: number;
  /** semi-minor axis */
  b: number;
  /** angle of the major axis from +x, radians, in (-π/2, π/2] */
  angle: number;
}

/** Ramanujan's second approximation of the perimeter (error < 1e-9 relative for head-like shapes). */
export function ellipsePerimeter(a: number, b: number): number {
  const h = ((a - b) / (a + b)) ** 2;
  return Math.PI * (a + b) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h)));
}

/** Conic A x² + B xy + C y² + D x + E y + F = 0 → ellipse, or undefined if it is not a real ellipse. */
export function conicToEllipse(A: number, B: number, C: number, D: number, E: number, F: number): Ellipse | undefined {
  const den = B * B - 4 * A * C;
  if (!(den < 0)) return undefined;
  const cx = (2 * C * D - B * E) / den;
  const cy = (2 * A * E - B * D) / den;
  const f0 = A * cx * cx + B * cx * cy + C * cy * cy + D * cx + E * cy + F;
  // Quadratic form [[A, B/2], [B/2, C]]: smaller eigenvalue ↔ major axis (the symmetric 2×2 eigen-decomposition,
  // in scalars: the larger eigenvalue's direction is atan2/2, the smaller one's perpendicular to it).
  const q = B / 2;
  const t = (A + C) / 2;
  const d = Math.sqrt(((A - C) / 2) ** 2 + q * q);
  const lSmall = t - d;
  const lBig = t + d;
  const angSmall = 0.5 * Math.atan2(2 * q, A - C) + Math.PI / 2;
  const a2 = -f0 / lSmall;
  const b2 = -f0 / lBig;
  if (!(a2 > 0 && b2 > 0)) return undefined;
  let angle = angSmall;
  while (angle > Math.PI / 2) angle -= Math.PI;
  while (angle <= -Math.PI / 2) angle += Math.PI;
  return { cx, cy, a: Math.sqrt(Math.max(a2, b2)), b: Math.sqrt(Math.min(a2, b2)), angle: a2 >= b2 ? angle : normalise(angle + Math.PI / 2) };
}

function normalise(angle: number): number {
  let a = angle;
  while (a > Math.PI / 2) a -= Math.PI;
  while (a <= -Math.PI / 2) a += Math.PI;
  return a;
}

// Scratch of fitEllipse, reused by every call (the live path fits three ellipses a frame and must not allocate
// for it). Safe to share: the fit is synchronous, so no two calls interleave, and every entry is written before
// it is read; nothing here escapes into a result.
const S1 = new Float64Array(9);
const S2 = new Float64Array(9);
const S3 = new Float64Array(9);
const T = new Float64Array(9);
const M = new Float64Array(9);
const R = new Float64Array(9);
const COL = new Float64Array(3);
/** eigenvectors3's vectors, flat [x, y, z] at 3·k */
const VECS = new Float64Array(9);

/**
 * Direct least-squares ellipse fit (Fitzgibbon, Pilu & Fisher 1999, in the numerically stable form of
 * Halíř & Flusser 1998) on points normalised to zero mean and unit spread. Undefined when the points
 * do not define an ellipse (fewer than 6, collinear, a hyperbola).
 */
export function fitEllipse(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): Ellipse | undefined {
  if (n < 6) return undefined;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += xs[k]!;
    my += ys[k]!;
  }
  mx /= n;
  my /= n;
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < n; k++) {
    sx += (xs[k]! - mx) ** 2;
    sy += (ys[k]! - my) ** 2;
  }
  sx = Math.sqrt(sx / n) || 1;
  sy = Math.sqrt(sy / n) || 1;
  // Scatter matrices S1 = D1ᵀD1, S2 = D1ᵀD2, S3 = D2ᵀD2 with D1 = [x², xy, y²], D2 = [x, y, 1].
  // Their entries are the moments Σ xⁱyʲ (i + j ≤ 4), summed in scalars: no array per point.
  let x4 = 0,
    x3y = 0,
    x2y2 = 0,
    xy3 = 0,
    y4 = 0,
    x3 = 0,
    x2y = 0,
    xy2 = 0,
    y3 = 0,
    x2 = 0,
    xy = 0,
    y2 = 0,
    x1 = 0,
    y1 = 0;
  for (let k = 0; k < n; k++) {
    const x = (xs[k]! - mx) / sx;
    const y = (ys[k]! - my) / sy;
    const xx = x * x;
    const xyk = x * y;
    const yy = y * y;
    x4 += xx * xx;
    x3y += xx * xyk;
    x2y2 += xx * yy;
    xy3 += xyk * yy;
    y4 += yy * yy;
    x3 += xx * x;
    x2y += xx * y;
    xy2 += x * yy;
    y3 += yy * y;
    x2 += xx;
    xy += xyk;
    y2 += yy;
    x1 += x;
    y1 += y;
  }
  const s1 = S1;
  s1[0] = x4;
  s1[1] = x3y;
  s1[2] = x2y2;
  s1[3] = x3y;
  s1[4] = x2y2;
  s1[5] = xy3;
  s1[6] = x2y2;
  s1[7] = xy3;
  s1[8] = y4;
  const s2 = S2;
  s2[0] = x3;
  s2[1] = x2y;
  s2[2] = x2;
  s2[3] = x2y;
  s2[4] = xy2;
  s2[5] = xy;
  s2[6] = xy2;
  s2[7] = y3;
  s2[8] = y2;
  const s3 = S3;
  s3[0] = x2;
  s3[1] = xy;
  s3[2] = x1;
  s3[3] = xy;
  s3[4] = y2;
  s3[5] = y1;
  s3[6] = x1;
  s3[7] = y1;
  s3[8] = n;
  // T = -S3⁻¹ S2ᵀ (column by column)
  for (let c = 0; c < 3; c++) {
    if (!solve3(s3, s2[c * 3]!, s2[c * 3 + 1]!, s2[c * 3 + 2]!, COL)) return undefined;
    for (let r = 0; r < 3; r++) T[r * 3 + c] = -COL[r]!;
  }
  // M = S1 + S2 T, then premultiply by C1⁻¹ (rows: M2/2, -M1, M0/2)
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = s1[r * 3 + c]!;
      for (let k = 0; k < 3; k++) s += s2[r * 3 + k]! * T[k * 3 + c]!;
      M[r * 3 + c] = s;
    }
  }
  R[0] = M[6]! / 2;
  R[1] = M[7]! / 2;
  R[2] = M[8]! / 2;
  R[3] = -M[3]!;
  R[4] = -M[4]!;
  R[5] = -M[5]!;
  R[6] = M[0]! / 2;
  R[7] = M[1]! / 2;
  R[8] = M[2]! / 2;
  // the last eigenvector that is an ellipse's conic (4AC − B² > 0)
  let best = -1;
  const nv = eigenvectors3(R, VECS);
  for (let k = 0; k < nv; k++) {
    if (4 * VECS[3 * k]! * VECS[3 * k + 2]! - VECS[3 * k + 1]! * VECS[3 * k + 1]! > 0) best = k;
  }
  if (best < 0) return undefined;
  const A = VECS[3 * best]!;
  const B = VECS[3 * best + 1]!;
  const C = VECS[3 * best + 2]!;
  const D = T[0]! * A + T[1]! * B + T[2]! * C;
  const E = T[3]! * A + T[4]! * B + T[5]! * C;
  const F = T[6]! * A + T[7]! * B + T[8]! * C;
  // Undo the normalisation x' = (x - mx)/sx, y' = (y - my)/sy.
  const A2 = A / (sx * sx);
  const B2 = B / (sx * sy);
  const C2 = C / (sy * sy);
  const D2 = D / sx - 2 * A2 * mx - B2 * my;
  const E2 = E / sy - 2 * C2 * my - B2 * mx;
  const F2 = F + A2 * mx * mx + B2 * mx * my + C2 * my * my - (D / sx) * mx - (E / sy) * my;
  return conicToEllipse(A2, B2, C2, D2, E2, F2);
}

/** Point on the ellipse at parameter t. */
export function ellipsePoint(e: Ellipse, t: number): [number, number] {
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  const u = e.a * Math.cos(t);
  const v = e.b * Math.sin(t);
  return [e.cx + u * c - v * s, e.cy + u * s + v * c];
}

/** Approximate geometric distance of (x, y) from the ellipse (first-order, Sampson-like). */
export function ellipseDistance(e: Ellipse, x: number, y: number): number {
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  const dx = x - e.cx;
  const dy = y - e.cy;
  const u = dx * c + dy * s;
  const v = -dx * s + dy * c;
  const ua = u / e.a;
  const vb = v / e.b;
  const r = Math.sqrt(ua * ua + vb * vb); // not Math.hypot: it allocates on every call, and this runs per point
  if (r === 0) return e.b;
  // radial distance along the ray through the centre, scaled to the local radius
  return Math.abs(1 - 1 / r) * Math.sqrt(u * u + v * v);
}
