/** Ellipse geometry: direct least-squares fit and Ramanujan perimeter. Pure functions. */

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

/** Eigen-decomposition of a symmetric 2×2 [[p, q], [q, r]]: returns [λ1, λ2, angle of λ1's vector]. */
function eigSym2(p: number, q: number, r: number): [number, number, number] {
  const t = (p + r) / 2;
  const d = Math.sqrt(((p - r) / 2) ** 2 + q * q);
  return [t - d, t + d, 0.5 * Math.atan2(2 * q, p - r) + Math.PI / 2];
}

/** Conic A x² + B xy + C y² + D x + E y + F = 0 → ellipse, or undefined if it is not a real ellipse. */
export function conicToEllipse(A: number, B: number, C: number, D: number, E: number, F: number): Ellipse | undefined {
  const den = B * B - 4 * A * C;
  if (!(den < 0)) return undefined;
  const cx = (2 * C * D - B * E) / den;
  const cy = (2 * A * E - B * D) / den;
  const f0 = A * cx * cx + B * cx * cy + C * cy * cy + D * cx + E * cy + F;
  // Quadratic form [[A, B/2], [B/2, C]]: smaller eigenvalue ↔ major axis.
  const [lSmall, lBig, angSmall] = eigSym2(A, B / 2, C);
  const a2 = -f0 / lSmall;
  const b2 = -f0 / lBig;
  if (!(a2 > 0 && b2 > 0)) return undefined;
  let angle = angSmall;
  while (angle > Math.PI / 2) angle -= Math.PI;
  while (angle <= -Math.PI / 2) angle += Math.PI;
  // eigSym2 gives the larger eigenvalue's direction as atan2/2; the smaller one is perpendicular.
  return { cx, cy, a: Math.sqrt(Math.max(a2, b2)), b: Math.sqrt(Math.min(a2, b2)), angle: a2 >= b2 ? angle : normalise(angle + Math.PI / 2) };
}

function normalise(angle: number): number {
  let a = angle;
  while (a > Math.PI / 2) a -= Math.PI;
  while (a <= -Math.PI / 2) a += Math.PI;
  return a;
}

/** Solves the 3×3 system M x = v (Gaussian elimination with partial pivoting); undefined if singular. */
function solve3(m: number[], v: number[]): number[] | undefined {
  const a = [...m];
  const b = [...v];
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(a[r * 3 + c]!) > Math.abs(a[piv * 3 + c]!)) piv = r;
    if (Math.abs(a[piv * 3 + c]!) < 1e-12) return undefined;
    for (let k = 0; k < 3; k++) [a[c * 3 + k], a[piv * 3 + k]] = [a[piv * 3 + k]!, a[c * 3 + k]!];
    [b[c], b[piv]] = [b[piv]!, b[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = a[r * 3 + c]! / a[c * 3 + c]!;
      for (let k = 0; k < 3; k++) a[r * 3 + k]! -= f * a[c * 3 + k]!;
      b[r]! -= f * b[c]!;
    }
  }
  return [b[0]! / a[0]!, b[1]! / a[4]!, b[2]! / a[8]!];
}

/** Real eigenvectors of a general 3×3 matrix, via the characteristic cubic. */
function eigenvectors3(m: number[]): number[][] {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  // λ³ + p2 λ² + p1 λ + p0 = 0
  const p2 = -(a + e + i);
  const p1 = a * e + a * i + e * i - b * d - c * g - f * h;
  const p0 = -(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g));
  const roots = cubicRealRoots(1, p2, p1, p0);
  const vecs: number[][] = [];
  for (const l of roots) {
    const r0 = [a - l, b, c];
    const r1 = [d, e - l, f];
    const r2 = [g, h, i - l];
    const cands = [cross(r0, r1), cross(r0, r2), cross(r1, r2)];
    let best = cands[0]!;
    for (const v of cands) if (norm(v) > norm(best)) best = v;
    if (norm(best) > 0) vecs.push(best);
  }
  return vecs;
}

function cross(u: number[], v: number[]): number[] {
  return [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
}
function norm(v: number[]): number {
  return Math.hypot(v[0]!, v[1]!, v[2]!);
}

function cubicRealRoots(a: number, b: number, c: number, d: number): number[] {
  const p = (3 * a * c - b * b) / (3 * a * a);
  const q = (2 * b * b * b - 9 * a * b * c + 27 * a * a * d) / (27 * a * a * a);
  const shift = -b / (3 * a);
  const disc = (q * q) / 4 + (p * p * p) / 27;
  if (disc > 1e-14 * Math.max(1, Math.abs(q))) {
    const s = Math.sqrt(disc);
    return [Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s) + shift];
  }
  if (Math.abs(p) < 1e-300) return [shift];
  const r = 2 * Math.sqrt(-p / 3);
  const phi = Math.acos(Math.max(-1, Math.min(1, (3 * q) / (p * r))));
  return [0, 1, 2].map((k) => r * Math.cos(phi / 3 - (2 * Math.PI * k) / 3) + shift);
}

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
  const S1 = [x4, x3y, x2y2, x3y, x2y2, xy3, x2y2, xy3, y4];
  const S2 = [x3, x2y, x2, x2y, xy2, xy, xy2, y3, y2];
  const S3 = [x2, xy, x1, xy, y2, y1, x1, y1, n];
  // T = -S3⁻¹ S2ᵀ (column by column)
  const T = new Array<number>(9).fill(0);
  for (let c = 0; c < 3; c++) {
    const col = solve3(S3, [S2[c * 3]!, S2[c * 3 + 1]!, S2[c * 3 + 2]!]);
    if (!col) return undefined;
    for (let r = 0; r < 3; r++) T[r * 3 + c] = -col[r]!;
  }
  // M = S1 + S2 T, then premultiply by C1⁻¹ (rows: M2/2, -M1, M0/2)
  const M = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = S1[r * 3 + c]!;
      for (let k = 0; k < 3; k++) s += S2[r * 3 + k]! * T[k * 3 + c]!;
      M[r * 3 + c] = s;
    }
  }
  const R = [M[6]! / 2, M[7]! / 2, M[8]! / 2, -M[3]!, -M[4]!, -M[5]!, M[0]! / 2, M[1]! / 2, M[2]! / 2];
  let best: number[] | undefined;
  for (const v of eigenvectors3(R)) {
    if (4 * v[0]! * v[2]! - v[1]! * v[1]! > 0) best = v;
  }
  if (!best) return undefined;
  const [A, B, C] = best as [number, number, number];
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
