/**
 * Connected components of a thresholded map (4-connectivity), with preallocated work buffers so a live
 * pipeline reuses them frame after frame.
 */
export class ComponentLabeler {
  readonly labels: Int32Array;
  readonly #stack: Int32Array;
  /**
   * Per component (label − 1), valid up to `count`: typed and grown only when a frame has more components than
   * any before. Plain arrays emptied every frame reallocated as they refilled, and their element kind changing
   * (small integers → doubles) deoptimised the labelling loop, which then boxed every running sum.
   */
  sizes = new Int32Array(256);
  /** Σ values over each component (its mean value is sums[i] / sizes[i]). */
  sums = new Float64Array(256);
  /** Each component's bounding box, flat: [minX, minY, maxX, maxY] at 4·(label − 1). */
  boxes = new Int32Array(4 * 256);
  /** Components found by the last label(). */
  count = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.labels = new Int32Array(width * height);
    this.#stack = new Int32Array(width * height);
  }

  /** Labels pixels with `values[i] >= level`; returns the number of components (labels 1..n). */
  label(values: ArrayLike<number>, level: number): number {
    const { width: w, height: h, labels } = this;
    const stack = this.#stack;
    labels.fill(0);
    let next = 0;
    for (let i = 0; i < w * h; i++) {
      if (labels[i] !== 0 || !(values[i]! >= level)) continue;
      next++;
      let size = 0;
      let sum = 0;
      let minX = w;
      let maxX = -1;
      let minP = i;
      let maxP = i;
      let top = 0;
      stack[top++] = i;
      labels[i] = next;
      while (top > 0) {
        const p = stack[--top]!;
        size++;
        sum += values[p]!;
        const x = p % w;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (p < minP) minP = p;
        if (p > maxP) maxP = p;
        if (x > 0 && labels[p - 1] === 0 && values[p - 1]! >= level) {
          labels[p - 1] = next;
          stack[top++] = p - 1;
        }
        if (x < w - 1 && labels[p + 1] === 0 && values[p + 1]! >= level) {
          labels[p + 1] = next;
          stack[top++] = p + 1;
        }
        if (p >= w && labels[p - w] === 0 && values[p - w]! >= level) {
          labels[p - w] = next;
          stack[top++] = p - w;
        }
        if (p < w * (h - 1) && labels[p + w] === 0 && values[p + w]! >= level) {
          labels[p + w] = next;
          stack[top++] = p + w;
        }
      }
      if (next > this.sizes.length) this.#grow();
      const k = next - 1;
      this.sizes[k] = size;
      this.sums[k] = sum;
      this.boxes[4 * k] = minX;
      this.boxes[4 * k + 1] = Math.floor(minP / w);
      this.boxes[4 * k + 2] = maxX;
      this.boxes[4 * k + 3] = Math.floor(maxP / w);
    }
    this.count = next;
    return next;
  }

  #grow(): void {
    const sizes = new Int32Array(2 * this.sizes.length);
    const sums = new Float64Array(2 * this.sums.length);
    const boxes = new Int32Array(2 * this.boxes.length);
    sizes.set(this.sizes);
    sums.set(this.sums);
    boxes.set(this.boxes);
    this.sizes = sizes;
    this.sums = sums;
    this.boxes = boxes;
  }

  /** Pixels in all components: every value ≥ the level. */
  total(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += this.sizes[i]!;
    return n;
  }

  /** Bounding box of component `label` (1-based). */
  box(label: number): { minX: number; minY: number; maxX: number; maxY: number } {
    const k = 4 * (label - 1);
    return { minX: this.boxes[k]!, minY: this.boxes[k + 1]!, maxX: this.boxes[k + 2]!, maxY: this.boxes[k + 3]! };
  }

  /**
   * Label of the component with the highest mean value among those of at least `minSize` pixels (the
   * larger wins a tie), or 0 when there is none. On a probability map this is the region the model is most
   * sure of: a small lesion outlined at 0.95 beats a larger shadow at 0.6, where `largest()` would not.
   */
  mostConfident(minSize: number): number {
    let best = 0;
    let bestMean = -Infinity;
    for (let i = 0; i < this.count; i++) {
      const size = this.sizes[i]!;
      if (size < minSize) continue;
      const m = this.sums[i]! / size;
      if (m > bestMean || (m === bestMean && size > this.sizes[best - 1]!)) {
        bestMean = m;
        best = i + 1;
      }
    }
    return best;
  }

  /** Components of at least `minSize` pixels. */
  countAtLeast(minSize: number): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.sizes[i]! >= minSize) n++;
    return n;
  }

  /** Label of the largest component, or 0 when there is none. */
  largest(): number {
    let best = 0;
    let bestSize = 0;
    for (let i = 0; i < this.count; i++) {
      const s = this.sizes[i]!;
      if (s > bestSize) {
        bestSize = s;
        best = i + 1;
      }
    }
    return best;
  }
}

/** Doubles a reusable point buffer (amortised: it only grows, so steady-state frames allocate nothing). */
export function growPoints(p: { xs: Float64Array; ys: Float64Array }): void {
  const xs = new Float64Array(Math.max(16, p.xs.length * 2));
  const ys = new Float64Array(Math.max(16, p.ys.length * 2));
  xs.set(p.xs);
  ys.set(p.ys);
  p.xs = xs;
  p.ys = ys;
}

/**
 * Sub-pixel boundary of one component: wherever a pixel of the component and a horizontal or vertical
 * neighbour outside it straddle `level`, the crossing is placed by linear interpolation of the values.
 * Writes into xs/ys (grown as needed) and returns the point count.
 */
export function boundaryPoints(
  values: ArrayLike<number>,
  labels: Int32Array,
  label: number,
  width: number,
  height: number,
  level: number,
  out: { xs: Float64Array; ys: Float64Array },
  /** the component's bounding box, when known (only it is scanned) */
  box?: { minX: number; minY: number; maxX: number; maxY: number },
): number {
  let n = 0;
  const y0 = box ? box.minY : 0;
  const y1 = box ? box.maxY : height - 1;
  const x0 = box ? box.minX : 0;
  const x1 = box ? box.maxX : width - 1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      if (labels[i] !== label) continue;
      // a pixel gives at most 4 points (one per side): room for them first, then plain writes (no closure per call)
      while (n + 4 > out.xs.length) growPoints(out);
      const xs = out.xs;
      const ys = out.ys;
      const v = values[i]!;
      // neighbours outside the component: left, right, up, down
      if (x > 0 && labels[i - 1] !== label) {
        xs[n] = x - t(v, values[i - 1]!, level);
        ys[n++] = y;
      }
      if (x === 0) {
        xs[n] = x - 0.5;
        ys[n++] = y;
      }
      if (x < width - 1 && labels[i + 1] !== label) {
        xs[n] = x + t(v, values[i + 1]!, level);
        ys[n++] = y;
      }
      if (x === width - 1) {
        xs[n] = x + 0.5;
        ys[n++] = y;
      }
      if (y > 0 && labels[i - width] !== label) {
        xs[n] = x;
        ys[n++] = y - t(v, values[i - width]!, level);
      }
      if (y === 0) {
        xs[n] = x;
        ys[n++] = y - 0.5;
      }
      if (y < height - 1 && labels[i + width] !== label) {
        xs[n] = x;
        ys[n++] = y + t(v, values[i + width]!, level);
      }
      if (y === height - 1) {
        xs[n] = x;
        ys[n++] = y + 0.5;
      }
    }
  }
  return n;
}

/** Fraction of the way from a pixel (value v ≥ level) to its neighbour (value u) where `level` is crossed. */
function t(v: number, u: number, level: number): number {
  if (u >= level || v === u) return 0.5;
  return Math.min(1, Math.max(0, (v - level) / (v - u)));
}
