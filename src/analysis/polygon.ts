/**
 * Plane polygon geometry for lesion outlines: area, perimeter, convex hull, maximum diameter (rotating
 * calipers), the longest extent perpendicular to it, and scan-line filling. Pure functions on flat
 * coordinate arrays; a polygon is closed implicitly (the last point joins the first).
 */
import { hypot2 } from './hypot.js';

/** A flat outline [x0, y0, x1, y1, …] as separate coordinate arrays (what the polygon functions take). */
export function splitXY(flat: ArrayLike<number>): { xs: Float64Array; ys: Float64Array; n: number } {
  const n = Math.floor(flat.length / 2);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xs[k] = flat[2 * k]!;
    ys[k] = flat[2 * k + 1]!;
  }
  return { xs, ys, n };
}

/** Signed shoelace area (positive when the points run clockwise in image coordinates, y down). */
export function polygonArea(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number {
  let s = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) s += xs[j]! * ys[i]! - xs[i]! * ys[j]!;
  return s / 2;
}

export function polygonPerimeter(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number {
  let p = 0;
  // hypot2 written in: a call that is not inlined (the lesion shape inlines much already) returns its double boxed
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const x = Math.abs(xs[i]! - xs[j]!);
    const y = Math.abs(ys[i]! - ys[j]!);
    const max = x > y ? x : y;
    if (x === Infinity || y === Infinity) p += Infinity;
    else if (x !== x || y !== y) p += NaN;
    else if (max !== 0) {
      const u = x / max;
      const v = y / max;
      p += Math.sqrt(u * u + v * v) * max;
    } else p += 0;
  }
  return p;
}

// Scratch of the hull (sorted indices, merge buffer, the two chains), grown to the largest outline seen: the live
// path measures a lesion outline every frame. Safe to share: the functions are synchronous and nothing escapes.
let SORTED = new Int32Array(1024);
let MERGE = new Int32Array(1024);
let LOWER = new Int32Array(1024);
let UPPER = new Int32Array(1024);
let HULL = new Int32Array(2048);

/** The last hullInto's hull vertex indices, in order, at 0..count-1 (read before the next hull). */
export function lastHull(): Int32Array {
  return HULL;
}

/** Twice the signed area of o → a → b (> 0: a left turn in x-right, y-up terms). */
function turn(xs: ArrayLike<number>, ys: ArrayLike<number>, o: number, a: number, b: number): number {
  return (xs[a]! - xs[o]!) * (ys[b]! - ys[o]!) - (ys[a]! - ys[o]!) * (xs[b]! - xs[o]!);
}

/**
 * Convex hull by Andrew's monotone chain into the module's hull buffer (lastHull()); returns the vertex count (collinear points dropped). The
 * points are ordered by (x, y) with a stable merge sort: the order Array.prototype.sort (stable) gives with
 * that comparator, without its work array and a boxed comparator result per comparison.
 */
export function hullInto(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number {
  if (SORTED.length < n) {
    SORTED = new Int32Array(2 * n);
    MERGE = new Int32Array(2 * n);
    LOWER = new Int32Array(2 * n);
    UPPER = new Int32Array(2 * n);
    HULL = new Int32Array(4 * n);
  }
  let idx = SORTED;
  let dst = MERGE;
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        // the right run's head goes first only when the comparator puts it strictly first (stability)
        if (i < mid && (j >= hi || !((xs[idx[i]!]! - xs[idx[j]!]! || ys[idx[i]!]! - ys[idx[j]!]!) > 0))) dst[k] = idx[i++]!;
        else dst[k] = idx[j++]!;
      }
    }
    const t = idx;
    idx = dst;
    dst = t;
  }
  if (n < 3) {
    for (let k = 0; k < n; k++) HULL[k] = idx[k]!;
    return n;
  }
  let lm = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    while (lm >= 2 && turn(xs, ys, LOWER[lm - 2]!, LOWER[lm - 1]!, i) <= 0) lm--;
    LOWER[lm++] = i;
  }
  let um = 0;
  for (let k = n - 1; k >= 0; k--) {
    const i = idx[k]!;
    while (um >= 2 && turn(xs, ys, UPPER[um - 2]!, UPPER[um - 1]!, i) <= 0) um--;
    UPPER[um++] = i;
  }
  // each chain's last point starts the other
  let h = 0;
  for (let k = 0; k < lm - 1; k++) HULL[h++] = LOWER[k]!;
  for (let k = 0; k < um - 1; k++) HULL[h++] = UPPER[k]!;
  return h;
}

/** Convex hull by Andrew's monotone chain; returns hull vertex indices in order (collinear points dropped). */
export function convexHull(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number[] {
  const h = hullInto(xs, ys, n);
  return Array.from(HULL.subarray(0, h));
}

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function segmentLength(s: Segment): number {
  return hypot2(s.x2 - s.x1, s.y2 - s.y1);
}

/**
 * Diameter of a point set (its farthest pair) by rotating calipers over the convex hull: O(h) antipodal
 * pairs after the O(n log n) hull. Undefined for fewer than 2 points.
 */
export function maxDiameter(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): Segment | undefined {
  const h = hullInto(xs, ys, n);
  return hullDiameter(xs, ys, HULL, h);
}

/** maxDiameter over hull vertex indices hull[0..h-1] (e.g. hullInto's HULL), scalars only until the result. */
export function hullDiameter(xs: ArrayLike<number>, ys: ArrayLike<number>, hull: Int32Array, h: number): Segment | undefined {
  if (h < 2) return undefined;
  let bestD = -1;
  let bestA = 0;
  let bestB = 1;
  if (h === 2) {
    bestD = (xs[hull[0]!]! - xs[hull[1]!]!) ** 2 + (ys[hull[0]!]! - ys[hull[1]!]!) ** 2;
  } else {
    // twice the triangle area (edge i→i+1, point k): grows while k moves away from the edge
    let k = 1;
    for (let i = 0; i < h; i++) {
      const pi = hull[i % h]!;
      const pj = hull[(i + 1) % h]!;
      const ex = xs[pj]! - xs[pi]!;
      const ey = ys[pj]! - ys[pi]!;
      for (;;) {
        const pk = hull[k % h]!;
        const pn = hull[(k + 1) % h]!;
        if (!(Math.abs(ex * (ys[pn]! - ys[pi]!) - ey * (xs[pn]! - xs[pi]!)) > Math.abs(ex * (ys[pk]! - ys[pi]!) - ey * (xs[pk]! - xs[pi]!)))) break;
        k++;
      }
      const pk = hull[k % h]!;
      // consider (i, k) then (i + 1, k)
      const d1 = (xs[pi]! - xs[pk]!) ** 2 + (ys[pi]! - ys[pk]!) ** 2;
      if (d1 > bestD) {
        bestD = d1;
        bestA = i;
        bestB = k;
      }
      const d2 = (xs[pj]! - xs[pk]!) ** 2 + (ys[pj]! - ys[pk]!) ** 2;
      if (d2 > bestD) {
        bestD = d2;
        bestA = i + 1;
        bestB = k;
      }
    }
  }
  const a = hull[bestA % h]!;
  const b = hull[bestB % h]!;
  return { x1: xs[a]!, y1: ys[a]!, x2: xs[b]!, y2: ys[b]! };
}

/**
 * The longest chord of the polygon perpendicular to `axis`, measured edge to edge (from the first to the
 * last crossing of the outline, where a sonographer puts the calipers), sampled at `steps` positions
 * along the axis.
 */
export function perpendicularExtent(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, axis: Segment, steps = 256): Segment | undefined {
  const len = segmentLength(axis);
  if (!(len > 0) || n < 3) return undefined;
  const ux = (axis.x2 - axis.x1) / len;
  const uy = (axis.y2 - axis.y1) / len;
  // (s, t): s along the axis from its first end, t across it
  let bestS = NaN;
  let bestMin = 0;
  let bestMax = 0;
  let bestLen = 0;
  for (let k = 1; k < steps; k++) {
    const s0 = (len * k) / steps;
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const si = (xs[i]! - axis.x1) * ux + (ys[i]! - axis.y1) * uy;
      const sj = (xs[j]! - axis.x1) * ux + (ys[j]! - axis.y1) * uy;
      if (si < s0 === sj < s0) continue;
      const ti = -(xs[i]! - axis.x1) * uy + (ys[i]! - axis.y1) * ux;
      const tj = -(xs[j]! - axis.x1) * uy + (ys[j]! - axis.y1) * ux;
      const t = ti + ((s0 - si) / (sj - si)) * (tj - ti);
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    if (tMax - tMin > bestLen) {
      bestLen = tMax - tMin;
      bestS = s0;
      bestMin = tMin;
      bestMax = tMax;
    }
  }
  if (!(bestS >= 0)) return undefined;
  // the segment built once, from the best position (not an object per improvement)
  const bx = axis.x1 + ux * bestS;
  const by = axis.y1 + uy * bestS;
  return { x1: bx - uy * bestMin, y1: by + ux * bestMin, x2: bx - uy * bestMax, y2: by + ux * bestMax };
}

/**
 * Fills the polygon into `out` (width × height, row-major) with `value` wherever a pixel centre lies
 * inside (even–odd rule). Pixel centres are at integer coordinates.
 */
export function fillPolygon(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, width: number, height: number, out: Uint8Array, value = 255): void {
  if (n < 3) return;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < n; i++) {
    yMin = Math.min(yMin, ys[i]!);
    yMax = Math.max(yMax, ys[i]!);
  }
  const cross = new Float64Array(n);
  for (let y = Math.max(0, Math.ceil(yMin)); y <= Math.min(height - 1, Math.floor(yMax)); y++) {
    let m = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i]!;
      const yj = ys[j]!;
      if (yi > y !== yj > y) cross[m++] = xs[i]! + ((y - yi) / (yj - yi)) * (xs[j]! - xs[i]!);
    }
    const row = cross.subarray(0, m).sort();
    for (let k = 0; k + 1 < m; k += 2) {
      const x0 = Math.max(0, Math.ceil(row[k]!));
      const x1 = Math.min(width - 1, Math.floor(row[k + 1]!));
      if (x1 >= x0) out.fill(value, y * width + x0, y * width + x1 + 1);
    }
  }
}
