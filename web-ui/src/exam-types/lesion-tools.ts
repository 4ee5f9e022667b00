/**
 * Breast exam tools: the lesion outline overlay and two caliper lines (long axis and perpendicular) whose
 * four end points are dragged with touch or mouse, the diameters re-measured live from the calipers (pixel
 * spacing per axis, or pixels said so), and the BI-RADS orientation and margin the clinician may change.
 * The outline itself can be pushed with a finger: every measure is then re-taken from it by the same code
 * the daemon uses (src/analysis/lesion-shape.ts), calipers included.
 */
import { type LesionShape, measureLesionShape } from '../../../src/analysis/lesion-shape.js';
import { splitXY } from '../../../src/analysis/polygon.js';
import type { BreastLesionResult, Segment } from '../../../src/protocol/index.js';

export interface Calipers {
  long: Segment;
  perp: Segment;
}
export type CaliperHandle = 'long1' | 'long2' | 'perp1' | 'perp2';

export function calipersOf(r: BreastLesionResult): Calipers | undefined {
  return r.lesion ? { long: { ...r.lesion.longAxis }, perp: { ...r.lesion.perpendicularAxis } } : undefined;
}

function ends(c: Calipers): Record<CaliperHandle, [number, number]> {
  return { long1: [c.long.x1, c.long.y1], long2: [c.long.x2, c.long.y2], perp1: [c.perp.x1, c.perp.y1], perp2: [c.perp.x2, c.perp.y2] };
}

export function caliperEnd(c: Calipers, h: CaliperHandle): [number, number] {
  return ends(c)[h];
}

/** The caliper end within `radius` of (x, y), nearest first. */
export function hitCaliper(c: Calipers, x: number, y: number, radius: number): CaliperHandle | undefined {
  let best: CaliperHandle | undefined;
  let bestD = radius;
  for (const [id, [hx, hy]] of Object.entries(ends(c)) as Array<[CaliperHandle, [number, number]]>) {
    const d = Math.hypot(hx - x, hy - y);
    if (d <= bestD) {
      bestD = d;
      best = id;
    }
  }
  return best;
}

export function dragCaliper(c: Calipers, h: CaliperHandle, x: number, y: number): Calipers {
  const seg = h.startsWith('long') ? 'long' : 'perp';
  const end = h.endsWith('1') ? { x1: x, y1: y } : { x2: x, y2: y };
  return { ...c, [seg]: { ...c[seg], ...end } };
}

/**
 * A caliper end a finger holds: which, where the end was and where the finger landed. The drag moves the end by
 * as much as the finger has moved since, so a gloved touch beside an end (anywhere within the grab radius)
 * moves nothing until the finger moves. Snapped to the finger instead, a touch 15 px off an end moved it there,
 * and the review saved that as the clinician's corrected diameter (as ellipse-tools.ts gripHandle for the head).
 */
export interface CaliperGrip {
  id: CaliperHandle;
  /** the end's place when grabbed */
  hx: number;
  hy: number;
  /** the finger's place when grabbed */
  x0: number;
  y0: number;
}

/** Holds end `h` of `c` with the finger at (x, y). */
export function gripCaliper(c: Calipers, h: CaliperHandle, x: number, y: number): CaliperGrip {
  const [hx, hy] = caliperEnd(c, h);
  return { id: h, hx, hy, x0: x, y0: y };
}

/** The calipers with the held end moved as far as the finger, now at (x, y), has moved since the grab. */
export function dragCaliperGrip(c: Calipers, g: CaliperGrip, x: number, y: number): Calipers {
  // the end plus the finger's move (not the finger plus an offset): a finger that has not moved leaves the end
  // exactly where it was, which the review compares exactly to say whether a caliper was corrected
  return dragCaliper(c, g.id, g.hx + (x - g.x0), g.hy + (y - g.y0));
}

/** Length of a caliper in mm (x and y spacing apart) or, without spacing, in pixels. */
export function caliperLength(s: Segment, spacing: { x: number; y: number } | undefined): number {
  const sx = spacing?.x ?? 1;
  const sy = spacing?.y ?? 1;
  return Math.hypot((s.x2 - s.x1) * sx, (s.y2 - s.y1) * sy);
}

/** Index of the outline point nearest (x, y) within `radius`. */
export function nearestOutlinePoint(o: number[], x: number, y: number, radius: number): number | undefined {
  let best: number | undefined;
  let bestD = radius;
  for (let k = 0; k + 1 < o.length; k += 2) {
    const d = Math.hypot(o[k]! - x, o[k + 1]! - y);
    if (d <= bestD) {
      bestD = d;
      best = k / 2;
    }
  }
  return best;
}

/** Moves outline point `k` by (dx, dy) and its neighbours along with it, less the farther they are (within `reach`). */
export function pushOutline(o: number[], k: number, dx: number, dy: number, reach: number): number[] {
  const out = o.slice();
  const kx = o[2 * k]!;
  const ky = o[2 * k + 1]!;
  for (let j = 0; j + 1 < o.length; j += 2) {
    const d = Math.hypot(o[j]! - kx, o[j + 1]! - ky);
    if (d >= reach) continue;
    const w = (1 - d / reach) ** 2;
    out[j] = o[j]! + dx * w;
    out[j + 1] = o[j + 1]! + dy * w;
  }
  return out;
}

/** Every measure of an edited outline (frame pixels), in mm with a spacing, else in pixels. */
export function remeasure(o: number[], spacing: { x: number; y: number } | undefined): LesionShape | undefined {
  const { xs, ys, n } = splitXY(o);
  return measureLesionShape(xs, ys, n, spacing);
}

/** `r` and `calipers` in canvas coordinates (ai-geometry.ts lesionToCanvas converts a result from the analysis). */
export function drawLesion(ctx: CanvasRenderingContext2D, r: BreastLesionResult, opacity: number, calipers: Calipers | undefined, handleRadius: number, outline?: number[]): void {
  const o = outline ?? r.lesion?.outline;
  if (o && o.length >= 6) {
    ctx.beginPath();
    ctx.moveTo(o[0]!, o[1]!);
    for (let i = 2; i < o.length; i += 2) ctx.lineTo(o[i]!, o[i + 1]!);
    ctx.closePath();
    ctx.fillStyle = `rgba(244, 114, 182, ${opacity})`;
    ctx.fill();
    ctx.strokeStyle = r.flags.some((f) => f.severity === 'alert') ? '#f87171' : '#f472b6';
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  const c = calipers ?? (r.lesion ? calipersOf(r) : undefined);
  if (!c) return;
  for (const [s, colour] of [
    [c.long, '#fbbf24'],
    [c.perp, '#22d3ee'],
  ] as const) {
    ctx.beginPath();
    ctx.moveTo(s.x1, s.y1);
    ctx.lineTo(s.x2, s.y2);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.stroke();
    ctx.setLineDash([]);
    if (calipers) {
      for (const [x, y] of [
        [s.x1, s.y1],
        [s.x2, s.y2],
      ] as const) {
        ctx.beginPath();
        ctx.arc(x, y, handleRadius, 0, 2 * Math.PI);
        ctx.fillStyle = 'rgba(251, 191, 36, 0.3)';
        ctx.fill();
        ctx.strokeStyle = colour;
        ctx.stroke();
      }
    }
  }
}
