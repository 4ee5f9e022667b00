/**
 * What the region editor draws over the live picture, in frame pixels: the saved region (solid), the one
 * being drawn (dashed) and the depth-scale taps.
 */
import type { RegionStateDto } from '../../../../src/protocol/rest/region.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export type Pt = [number, number];

/** The rectangle two corners span, in whole pixels, clamped to the frame. */
export function rectOf(a: Pt, b: Pt, frame: { width: number; height: number }): Rect {
  const clamp = (v: number, max: number): number => Math.max(0, Math.min(max, Math.round(v)));
  const x0 = clamp(Math.min(a[0], b[0]), frame.width);
  const x1 = clamp(Math.max(a[0], b[0]), frame.width);
  const y0 = clamp(Math.min(a[1], b[1]), frame.height);
  const y1 = clamp(Math.max(a[1], b[1]), frame.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function fanPath(ctx: CanvasRenderingContext2D, f: NonNullable<RegionStateDto['fan']>): void {
  // angles from straight down (+y), towards +x: canvas angle = 90° − a
  const toCanvas = (deg: number): number => ((90 - deg) * Math.PI) / 180;
  ctx.beginPath();
  ctx.arc(f.apexX, f.apexY, f.outerRadius, toCanvas(f.startAngleDeg), toCanvas(f.endAngleDeg), true);
  ctx.arc(f.apexX, f.apexY, f.innerRadius, toCanvas(f.endAngleDeg), toCanvas(f.startAngleDeg), false);
  ctx.closePath();
}

export function drawOverlay(ctx: CanvasRenderingContext2D, saved: RegionStateDto | undefined, drawing: Rect | undefined, taps: readonly Pt[]): void {
  const lw = Math.max(2, ctx.canvas.width / 320);
  ctx.save();
  ctx.lineWidth = lw;
  if (saved?.fan) {
    ctx.strokeStyle = '#34d399';
    fanPath(ctx, saved.fan);
    ctx.stroke();
  } else if (saved?.region) {
    ctx.strokeStyle = saved.origin === 'set' ? '#34d399' : '#fbbf24';
    const r = saved.region;
    ctx.strokeRect(r.x, r.y, r.width, r.height);
  }
  if (drawing) {
    ctx.strokeStyle = '#22d3ee';
    ctx.setLineDash([lw * 4, lw * 3]);
    ctx.strokeRect(drawing.x, drawing.y, drawing.width, drawing.height);
    ctx.setLineDash([]);
  }
  ctx.fillStyle = '#f472b6';
  for (const [x, y] of taps) {
    ctx.beginPath();
    ctx.arc(x, y, lw * 3, 0, Math.PI * 2);
    ctx.fill();
  }
  if (taps.length === 2) {
    ctx.strokeStyle = '#f472b6';
    ctx.beginPath();
    ctx.moveTo(...taps[0]!);
    ctx.lineTo(...taps[1]!);
    ctx.stroke();
  }
  ctx.restore();
}
