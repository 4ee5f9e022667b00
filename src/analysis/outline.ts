/**
 * The outer outline of one labelled component as an ordered, closed, sub-pixel polygon (marching squares
 * at `level`, crossings placed by linear interpolation like boundaryPoints). Saddles are split so that
 * diagonal pixels stay apart, matching the 4-connected ComponentLabeler; holes are ignored (the outline of
 * the filled component). Pixel centres are at integer coordinates; a pixel on the grid border has its
 * outline half a pixel outside it.
 *
 * Memory: one tracer per grid size; its tables are reused for every frame.
 */

import { growPoints } from './components.js';

// Cell corners: tl = 8, tr = 4, br = 2, bl = 1. Edges: 0 top, 1 right, 2 bottom, 3 left.
const EDGE_MID: ReadonlyArray<[number, number]> = [
  [0.5, 0],
  [1, 0.5],
  [0.5, 1],
  [0, 0.5],
];
const CORNER: ReadonlyArray<[number, number, number]> = [
  [0, 0, 8],
  [1, 0, 4],
  [1, 1, 2],
  [0, 1, 1],
]; // x, y, bit
const UNORIENTED: ReadonlyArray<ReadonlyArray<[number, number]>> = [
  [],
  [[3, 2]],
  [[2, 1]],
  [[3, 1]],
  [[0, 1]],
  [
    [0, 1],
    [3, 2],
  ],
  [[0, 2]],
  [[0, 3]],
  [[0, 3]],
  [[0, 2]],
  [
    [0, 3],
    [2, 1],
  ],
  [[0, 1]],
  [[3, 1]],
  [[2, 1]],
  [[3, 2]],
  [],
];

/** Each case's segments, oriented so that the inside is always on the same side of the walk. */
const CASES: ReadonlyArray<ReadonlyArray<[number, number]>> = UNORIENTED.map((segs, c) =>
  segs.map(([a, b]): [number, number] => {
    // the test corner: shared by two adjacent edges, else the top-left one
    const shared = CORNER.findIndex(([x, y]) => onEdge(a, x, y) && onEdge(b, x, y));
    const [cx, cy, bit] = CORNER[shared >= 0 ? shared : 0]!;
    const [ax, ay] = EDGE_MID[a]!;
    const [bx, by] = EDGE_MID[b]!;
    const cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    const inside = (c & bit) !== 0;
    return inside === cross > 0 ? [a, b] : [b, a];
  }),
);

/** Id of edge `e` of cell (X, Y) on the padded grid `pw` corners wide: 2·corner for its horizontal edge, 2·corner + 1 for its vertical one. */
function edgeId(pw: number, X: number, Y: number, e: number): number {
  return e === 0 ? 2 * (Y * pw + X) : e === 2 ? 2 * ((Y + 1) * pw + X) : e === 3 ? 2 * (Y * pw + X) + 1 : 2 * (Y * pw + X + 1) + 1;
}

function onEdge(e: number, x: number, y: number): boolean {
  return e === 0 ? y === 0 : e === 1 ? x === 1 : e === 2 ? y === 1 : x === 0;
}

export class OutlineTracer {
  /** corners of the padded grid: one row/column of "outside" all around */
  readonly #pw: number;
  readonly #ph: number;
  readonly #next: Int32Array;
  /** corner values of the padded grid (only the component's bounding box grown by one is filled per trace) */
  readonly #corner: Float64Array;
  xs = new Float64Array(2048);
  ys = new Float64Array(2048);

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.#pw = width + 2;
    this.#ph = height + 2;
    this.#next = new Int32Array(2 * this.#pw * this.#ph);
    this.#corner = new Float64Array(this.#pw * this.#ph);
  }

  /**
   * Traces the outer outline of component `label`; writes it into `xs`/`ys` (grown as needed) and returns
   * the point count (0 when the label has no pixel).
   */
  trace(values: ArrayLike<number>, labels: Int32Array, label: number, level: number): number {
    const { width: w, height: h } = this;
    const pw = this.#pw;
    const next = this.#next;
    let x0 = w;
    let x1 = -1;
    let y0 = h;
    let y1 = -1;
    let first = -1;
    for (let i = 0; i < w * h; i++) {
      if (labels[i] !== label) continue;
      if (first < 0) first = i;
      const x = i % w;
      const y = (i - x) / w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
    if (first < 0) return 0;
    // Value at padded corner (X, Y) = pixel (X-1, Y-1); pixels not in the component count as outside. Every
    // corner the cells and the walk below read lies in the bounding box grown by one, filled here once (a
    // table, not a function returning a double per read, which V8 boxes when it does not inline the call).
    const cv = this.#corner;
    for (let Y = y0; Y <= y1 + 2; Y++) {
      for (let X = x0; X <= x1 + 2; X++) {
        const x = X - 1;
        const y = Y - 1;
        let c = 0;
        if (!(x < 0 || y < 0 || x >= w || y >= h)) {
          const i = y * w + x;
          c = labels[i] === label ? values[i]! : Math.min(values[i]!, level - 1e-6);
        }
        cv[Y * pw + X] = c;
      }
    }
    next.fill(-1);
    // cells (X, Y) have corners X..X+1, Y..Y+1; those touching the component's bounding box suffice
    for (let Y = y0; Y <= y1 + 1; Y++) {
      for (let X = x0; X <= x1 + 1; X++) {
        const k = Y * pw + X;
        const c = (cv[k]! >= level ? 8 : 0) | (cv[k + 1]! >= level ? 4 : 0) | (cv[k + pw + 1]! >= level ? 2 : 0) | (cv[k + pw]! >= level ? 1 : 0);
        for (const [a, b] of CASES[c]!) next[edgeId(pw, X, Y, a)] = edgeId(pw, X, Y, b);
      }
    }
    // The topmost-leftmost pixel's upper edge lies on the outer outline.
    const fx = first % w;
    const fy = (first - fx) / w;
    const start = 2 * (fy * pw + fx + 1) + 1;
    let n = 0;
    let e = start;
    do {
      if (n >= this.xs.length) growPoints(this);
      const horizontal = (e & 1) === 0;
      const k = e >> 1;
      const X = k % pw;
      const Y = (k - X) / pw;
      const va = cv[k]!;
      const vb = horizontal ? cv[k + 1]! : cv[k + pw]!;
      const t = va === vb ? 0.5 : Math.min(1, Math.max(0, (level - va) / (vb - va)));
      this.xs[n] = X - 1 + (horizontal ? t : 0);
      this.ys[n] = Y - 1 + (horizontal ? 0 : t);
      n++;
      e = next[e]!;
    } while (e >= 0 && e !== start && n <= 4 * (w + 2) * (h + 2));
    return n;
  }
}
