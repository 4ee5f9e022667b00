/**
 * Pinch-zoom and pan of the frozen frame (issue 18, image review): a CSS transform on the canvas (origin at
 * its top-left corner), so drawing stays in frame pixels and a finger's frame position (FrameView.toFrame,
 * from the transformed box) stays exact at any zoom. Zoom runs from 1× (the frame fitted to the stage) to
 * 8×; the zoomed frame always covers the box it was fitted to, so it cannot be lost off screen.
 */
type XY = readonly [number, number];

const MAX_ZOOM = 8;

export class ViewZoom {
  scale = 1;
  tx = 0;
  ty = 0;
  #start: { d: number; m: XY; scale: number; tx: number; ty: number; left: number; top: number } | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  get zoomed(): boolean {
    return this.scale > 1;
  }

  reset(): void {
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.#start = undefined;
    this.#apply();
  }

  /** Two fingers went down at a and b (client pixels); a single finger pans with a === b. */
  begin(a: XY, b: XY = a): void {
    const r = this.canvas.getBoundingClientRect();
    this.#start = { d: Math.hypot(b[0] - a[0], b[1] - a[1]), m: mid(a, b), scale: this.scale, tx: this.tx, ty: this.ty, left: r.left - this.tx, top: r.top - this.ty };
  }

  /** The fingers moved: the frame point first under their midpoint stays under it, scaled by their spread. */
  move(a: XY, b: XY = a): void {
    const s0 = this.#start;
    if (!s0) return;
    const m = mid(a, b);
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const scale = s0.d > 0 && d > 0 ? Math.min(MAX_ZOOM, Math.max(1, (s0.scale * d) / s0.d)) : s0.scale;
    const px = (s0.m[0] - s0.left - s0.tx) / s0.scale;
    const py = (s0.m[1] - s0.top - s0.ty) / s0.scale;
    this.scale = scale < 1.02 ? 1 : scale;
    const w = this.canvas.offsetWidth;
    const h = this.canvas.offsetHeight;
    this.tx = clamp(m[0] - s0.left - this.scale * px, w * (1 - this.scale), 0);
    this.ty = clamp(m[1] - s0.top - this.scale * py, h * (1 - this.scale), 0);
    this.#apply();
  }

  end(): void {
    this.#start = undefined;
  }

  #apply(): void {
    const identity = this.scale === 1 && this.tx === 0 && this.ty === 0;
    this.canvas.style.transform = identity ? '' : `translate(${this.tx}px, ${this.ty}px) scale(${this.scale})`;
    this.canvas.dataset.zoom = this.scale.toFixed(2);
  }
}

const mid = (a: XY, b: XY): XY => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
