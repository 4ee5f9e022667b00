/**
 * The clinician's own calipers on a frozen frame, independent of the AI (issue 18, image review): a distance
 * (tap its two ends) and an area (tap around it, then Area again to close it). Measured in mm with the
 * frame's own pixel spacing (x and y apart), else in pixels, said so. They belong to the frame they were
 * made on: another frame or going live puts them away (kept-frames.ts keeps them per frame, and a frame shown again
 * gets its own back, numbered on from them). Saved with the capture on Confirm (`clinicianMeasurements`,
 * web-ui/src/live/confirm.ts): the daemon recomputes each value with the same functions
 * (src/analysis/manual-caliper.ts) and refuses a capture whose shown number it does not find.
 */
import { caliperArea, caliperDistance } from '../../../src/analysis/manual-caliper.js';
import type { ManualMeasureBody } from '../../../src/protocol/rest/index.js';
import type { Point } from '../state';

export type CaliperTool = 'distance' | 'area';

export interface ManualMeasure {
  kind: CaliperTool;
  /** its number among the measures of its kind on this frame (D1, D2, A1…) */
  n: number;
  /** frame pixels */
  points: Point[];
  value: number;
  unit: 'mm' | 'mm²' | 'px' | 'px²';
}

export type Spacing = { x: number; y: number } | undefined;

export const distanceOf = (a: Point, b: Point, s: Spacing): number => caliperDistance(a, b, s);

/** Area of a simple polygon (shoelace), scaled by the pixel's area. */
export const areaOf = (points: Point[], s: Spacing): number => caliperArea(points, s);

export class ManualCalipers {
  tool: CaliperTool | undefined;
  /** points of the measure being made */
  pending: Point[] = [];
  readonly done: ManualMeasure[] = [];
  /** the frame (seq) they were made on */
  seq: number | undefined;
  /** how many of `done` Confirm has saved with the frame (more: Confirm comes back to save them too) */
  savedCount = 0;

  /** A tap at p on frame `seq`: a point of the measure being made; true when a distance was completed. */
  tap(p: Point, seq: number, spacing: Spacing): boolean {
    if (!this.tool) return false;
    if (this.seq !== seq) this.clear(seq);
    this.pending.push(p);
    if (this.tool === 'distance' && this.pending.length === 2) {
      const [a, b] = this.pending as [Point, Point];
      this.done.push({ kind: 'distance', n: this.#next('distance'), points: [a, b], value: distanceOf(a, b, spacing), unit: spacing ? 'mm' : 'px' });
      this.pending = [];
      this.tool = undefined;
      return true;
    }
    return false;
  }

  /** Closes the area being traced (at least 3 points); a shorter trace is dropped. */
  closeArea(spacing: Spacing): void {
    if (this.tool === 'area' && this.pending.length >= 3)
      this.done.push({ kind: 'area', n: this.#next('area'), points: this.pending, value: areaOf(this.pending, spacing), unit: spacing ? 'mm²' : 'px²' });
    this.pending = [];
    this.tool = undefined;
  }

  #next(kind: CaliperTool): number {
    return this.done.filter((m) => m.kind === kind).length + 1;
  }

  /** The measures made on frame `seq`, as Confirm sends them with its capture (none when made on another frame). */
  saved(seq: number): ManualMeasureBody[] {
    if (this.seq !== seq) return [];
    return this.done.map((m) => ({ kind: m.kind, points: m.points.map(([x, y]) => [x, y]), value: m.value, unit: m.unit }));
  }

  /** The measures kept of frame `seq` (kept-frames.ts), `savedCount` of them saved: the next is numbered after them. */
  load(seq: number, done: readonly ManualMeasure[], savedCount: number): void {
    this.clear(seq);
    this.done.push(...done);
    this.savedCount = Math.min(savedCount, done.length);
  }

  clear(seq?: number): void {
    this.savedCount = 0;
    this.pending = [];
    this.done.length = 0;
    this.seq = seq;
  }

  draw(ctx: CanvasRenderingContext2D, label: (m: ManualMeasure) => string): void {
    const size = Math.max(11, Math.round(ctx.canvas.width / 45));
    ctx.save();
    ctx.setLineDash([]);
    ctx.lineWidth = Math.max(2, ctx.canvas.width / 320);
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    ctx.strokeStyle = ctx.fillStyle = '#e879f9';
    this.done.forEach((m) => {
      path(ctx, m.points, m.kind === 'area');
      ctx.stroke();
      for (const p of m.points) cross(ctx, p, size / 2);
      const [x, y] = m.points[0]!;
      ctx.fillText(label(m), x + size * 0.4, y - size * 0.4);
    });
    if (this.pending.length > 0) {
      ctx.setLineDash([5, 4]);
      path(ctx, this.pending, false);
      ctx.stroke();
      for (const p of this.pending) cross(ctx, p, size / 2);
    }
    ctx.restore();
  }
}

function path(ctx: CanvasRenderingContext2D, points: Point[], closed: boolean): void {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  if (closed) ctx.closePath();
}

function cross(ctx: CanvasRenderingContext2D, [x, y]: Point, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x - r, y);
  ctx.lineTo(x + r, y);
  ctx.moveTo(x, y - r);
  ctx.lineTo(x, y + r);
  ctx.stroke();
}
