/**
 * Small dense linear algebra for the ellipse fit, into buffers the caller owns (no array per call: the live
 * path fits three ellipses a frame). Working copies are module scratch: every function is synchronous and
 * writes each entry before reading it, so calls cannot see each other's values.
 */
import { hypot3 } from './hypot.js';

const SOLVE_A = new Float64Array(9);
const SOLVE_B = new Float64Array(3);
const ROOTS = new Float64Array(3);

/**
 * Solves the 3×3 system M x = (v0, v1, v2) into `out` (Gaussian elimination with partial pivoting); false if
 * singular.
 */
export function solve3(m: Float64Array, v0: number, v1: number, v2: number, out: Float64Array): boolean {
  const a = SOLVE_A;
  const b = SOLVE_B;
  a.set(m);
  b[0] = v0;
  b[1] = v1;
  b[2] = v2;
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(a[r * 3 + c]!) > Math.abs(a[piv * 3 + c]!)) piv = r;
    if (Math.abs(a[piv * 3 + c]!) < 1e-12) return false;
    for (let k = 0; k < 3; k++) {
      const tmp = a[c * 3 + k]!;
      a[c * 3 + k] = a[piv * 3 + k]!;
      a[piv * 3 + k] = tmp;
    }
    const tmp = b[c]!;
    b[c] = b[piv]!;
    b[piv] = tmp;
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = a[r * 3 + c]! / a[c * 3 + c]!;
      for (let k = 0; k < 3; k++) a[r * 3 + k]! -= f * a[c * 3 + k]!;
      b[r]! -= f * b[c]!;
    }
  }
  out[0] = b[0]! / a[0]!;
  out[1] = b[1]! / a[4]!;
  out[2] = b[2]! / a[8]!;
  return true;
}

/**
 * Real eigenvectors of a general 3×3 matrix, via the characteristic cubic: written into `out` (flat, [x, y, z]
 * at 3·k); returns their count. Each is the longest of the three cross products of the rows of M − λI.
 */
export function eigenvectors3(m: Float64Array, out: Float64Array): number {
  const a = m[0]!;
  const b = m[1]!;
  const c = m[2]!;
  const d = m[3]!;
  const e = m[4]!;
  const f = m[5]!;
  const g = m[6]!;
  const h = m[7]!;
  const i = m[8]!;
  // λ³ + p2 λ² + p1 λ + p0 = 0
  const p2 = -(a + e + i);
  const p1 = a * e + a * i + e * i - b * d - c * g - f * h;
  const p0 = -(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g));
  const nr = cubicRealRoots(1, p2, p1, p0, ROOTS);
  let count = 0;
  for (let j = 0; j < nr; j++) {
    const l = ROOTS[j]!;
    // rows r0 = (a − λ, b, c), r1 = (d, e − λ, f), r2 = (g, h, i − λ); candidates r0×r1, r0×r2, r1×r2
    const r00 = a - l;
    const r11 = e - l;
    const r22 = i - l;
    let x = b * f - c * r11;
    let y = c * d - r00 * f;
    let z = r00 * r11 - b * d;
    let best = hypot3(x, y, z);
    const x1 = b * r22 - c * h;
    const y1 = c * g - r00 * r22;
    const z1 = r00 * h - b * g;
    const n1 = hypot3(x1, y1, z1);
    if (n1 > best) {
      x = x1;
      y = y1;
      z = z1;
      best = n1;
    }
    const x2 = r11 * r22 - f * h;
    const y2 = f * g - d * r22;
    const z2 = d * h - r11 * g;
    const n2 = hypot3(x2, y2, z2);
    if (n2 > best) {
      x = x2;
      y = y2;
      z = z2;
      best = n2;
    }
    if (best > 0) {
      out[3 * count] = x;
      out[3 * count + 1] = y;
      out[3 * count + 2] = z;
      count++;
    }
  }
  return count;
}

/** Real roots of a x³ + b x² + c x + d, written into `out`; returns their count (1 or 3). */
function cubicRealRoots(a: number, b: number, c: number, d: number, out: Float64Array): number {
  const p = (3 * a * c - b * b) / (3 * a * a);
  const q = (2 * b * b * b - 9 * a * b * c + 27 * a * a * d) / (27 * a * a * a);
  const shift = -b / (3 * a);
  const disc = (q * q) / 4 + (p * p * p) / 27;
  if (disc > 1e-14 * Math.max(1, Math.abs(q))) {
    const s = Math.sqrt(disc);
    out[0] = Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s) + shift;
    return 1;
  }
  if (Math.abs(p) < 1e-300) {
    out[0] = shift;
    return 1;
  }
  const r = 2 * Math.sqrt(-p / 3);
  const phi = Math.acos(Math.max(-1, Math.min(1, (3 * q) / (p * r))));
  for (let k = 0; k < 3; k++) out[k] = r * Math.cos(phi / 3 - (2 * Math.PI * k) / 3) + shift;
  return 3;
}
