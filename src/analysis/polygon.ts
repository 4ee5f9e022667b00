/**
 * Plane polygon geometry for lesion outlines: area, perimeter, convex hull, maximum diameter (rotating
 * calipers), the longest extent perpendicular to it, and scan-line filling. Pure functions on flat
 * coordinate arrays; a polygon is closed implicitly (the last point joins the first).
 */

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
  for (let i = 0, j = n - 1; i < n; j = i++) p += Math.hypot(xs[i]! - xs[j]!, ys[i]! - ys[j]!);
  return p;
}

/** Convex hull by Andrew's monotone chain; returns hull vertex indices in order (collinear points dropped). */
export function convexHull(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): number[] {
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]! || ys[a]! - ys[b]!);
  if (n < 3) return idx;
  const cross = (o: number, a: number, b: number): number => (xs[a]! - xs[o]!) * (ys[b]! - ys[o]!) - (ys[a]! - ys[o]!) * (xs[b]! - xs[o]!);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, i) <= 0) upper.pop();
    upper.push(i);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function segmentLength(s: Segment): number {
  return Math.hypot(s.x2 - s.x1, s.y2 - s.y1);
}

/**
 * Diameter of a point set (its farthest pair) by rotating calipers over the convex hull: O(h) antipodal
 * pairs after the O(n log n) hull. Undefined for fewer than 2 points.
 */
export function maxDiameter(xs: ArrayLike<number>, ys: ArrayLike<number>, n = xs.length): Segment | undefined {
  const hull = convexHull(xs, ys, n);
  const h = hull.length;
  if (h < 2) return undefined;
  const X = (k: number): number => xs[hull[k % h]!]!;
  const Y = (k: number): number => ys[hull[k % h]!]!;
  let best = { d: -1, a: 0, b: 1 };
  const consider = (a: number, b: number): void => {
    const d = (X(a) - X(b)) ** 2 + (Y(a) - Y(b)) ** 2;
    if (d > best.d) best = { d, a, b };
  };
  if (h === 2) consider(0, 1);
  else {
    // twice the triangle area (edge i→i+1, point k): grows while k moves away from the edge
    const area2 = (i: number, k: number): number => Math.abs((X(i + 1) - X(i)) * (Y(k) - Y(i)) - (Y(i + 1) - Y(i)) * (X(k) - X(i)));
    let k = 1;
    for (let i = 0; i < h; i++) {
      while (area2(i, k + 1) > area2(i, k)) k++;
      consider(i, k);
      consider(i + 1, k);
    }
  }
  return { x1: X(best.a), y1: Y(best.a), x2: X(best.b), y2: Y(best.b) };
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
  let best: Segment | undefined;
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
      const bx = axis.x1 + ux * s0;
      const by = axis.y1 + uy * s0;
      best = { x1: bx - uy * tMin, y1: by + ux * tMin, x2: bx - uy * tMax, y2: by + ux * tMax };
    }
  }
  return best;
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
