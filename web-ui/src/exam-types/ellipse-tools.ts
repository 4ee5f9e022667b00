/**
 * The AI's ellipse, made editable: four axis handles and a centre handle, dragged with touch or mouse
 * (Pointer Events). Handles are large (gloves) and drawn in frame coordinates.
 */
export interface EllipseGeom {
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  angleDeg: number;
}

export type HandleId = 'center' | 'major+' | 'major-' | 'minor+' | 'minor-';

export function handles(e: EllipseGeom): Record<HandleId, [number, number]> {
  const a = (e.angleDeg * Math.PI) / 180;
  const ux = Math.cos(a);
  const uy = Math.sin(a);
  return {
    center: [e.cx, e.cy],
    'major+': [e.cx + ux * e.semiMajor, e.cy + uy * e.semiMajor],
    'major-': [e.cx - ux * e.semiMajor, e.cy - uy * e.semiMajor],
    'minor+': [e.cx - uy * e.semiMinor, e.cy + ux * e.semiMinor],
    'minor-': [e.cx + uy * e.semiMinor, e.cy - ux * e.semiMinor],
  };
}

/** Moves one handle to (x, y): the centre translates; an axis handle sets that semi-axis (and the angle for the major one). */
export function dragHandle(e: EllipseGeom, h: HandleId, x: number, y: number): EllipseGeom {
  if (h === 'center') return { ...e, cx: x, cy: y };
  const dx = x - e.cx;
  const dy = y - e.cy;
  const r = Math.max(4, Math.hypot(dx, dy));
  if (h === 'major+' || h === 'major-') {
    const ang = (Math.atan2(h === 'major+' ? dy : -dy, h === 'major+' ? dx : -dx) * 180) / Math.PI;
    return { ...e, semiMajor: r, angleDeg: ang };
  }
  return { ...e, semiMinor: r };
}

/**
 * A handle a finger holds: which, and how far the handle's point is from the finger. The drag keeps that offset,
 * so a gloved touch beside a handle (anywhere within the grab radius) moves nothing until the finger moves, and
 * then by as much as the finger. Snapped to the finger instead, a touch 15 px off the centre moved the head
 * 15 px, which the record then keeps as the clinician's correction (ellipseMoved).
 */
export interface Grip {
  id: HandleId;
  dx: number;
  dy: number;
}

/** The handle within `radius` of (x, y), held with the finger's offset from it. */
export function gripHandle(e: EllipseGeom, x: number, y: number, radius: number): Grip | undefined {
  const id = hitHandle(e, x, y, radius);
  if (id === undefined) return undefined;
  const [hx, hy] = handles(e)[id];
  return { id, dx: hx - x, dy: hy - y };
}

/** The ellipse with the held handle following the finger at (x, y), at the offset it was grabbed with. */
export function dragGrip(e: EllipseGeom, g: Grip, x: number, y: number): EllipseGeom {
  return dragHandle(e, g.id, x + g.dx, y + g.dy);
}

/** How far an ellipse's centre (frame pixels) or angle (degrees) may differ and still be in the AI's place: less than any drag a finger makes. */
const MOVED_PX = 0.5;
const TURNED_DEG = 1;

/** Whether `b` sits elsewhere than `a` or is turned (an ellipse's angle is the same every 180°). */
export function ellipseMoved(a: EllipseGeom, b: EllipseGeom): boolean {
  const turn = Math.abs((((b.angleDeg - a.angleDeg) % 180) + 180) % 180);
  return Math.hypot(b.cx - a.cx, b.cy - a.cy) > MOVED_PX || Math.min(turn, 180 - turn) > TURNED_DEG;
}

/** The handle within `radius` of (x, y), nearest first. */
export function hitHandle(e: EllipseGeom, x: number, y: number, radius: number): HandleId | undefined {
  let best: HandleId | undefined;
  let bestD = radius;
  for (const [id, [hx, hy]] of Object.entries(handles(e)) as Array<[HandleId, [number, number]]>) {
    const d = Math.hypot(hx - x, hy - y);
    if (d <= bestD) {
      bestD = d;
      best = id;
    }
  }
  return best;
}

export function drawEditable(ctx: CanvasRenderingContext2D, e: EllipseGeom, handleRadius: number): void {
  ctx.beginPath();
  ctx.ellipse(e.cx, e.cy, e.semiMajor, e.semiMinor, (e.angleDeg * Math.PI) / 180, 0, 2 * Math.PI);
  ctx.strokeStyle = '#fbbf24';
  ctx.lineWidth = 2;
  ctx.stroke();
  for (const [x, y] of Object.values(handles(e))) {
    ctx.beginPath();
    ctx.arc(x, y, handleRadius, 0, 2 * Math.PI);
    ctx.fillStyle = 'rgba(251, 191, 36, 0.35)';
    ctx.fill();
    ctx.strokeStyle = '#fbbf24';
    ctx.stroke();
  }
}

export const BPD_COLOUR = '#a3e635';
export const OFD_COLOUR = '#fb923c';

/**
 * The BPD and OFD the numbers come from, drawn as lines on the head's ellipse: BPD along the minor axis
 * (outer to outer, as the ellipse fit measures it), OFD along the major axis, each labelled at its end.
 */
export function drawAxes(ctx: CanvasRenderingContext2D, e: EllipseGeom, labels: { bpd: string; ofd: string }): void {
  const h = handles(e);
  const size = Math.max(11, Math.round(ctx.canvas.width / 45));
  ctx.save();
  ctx.setLineDash([]);
  ctx.lineWidth = Math.max(2, ctx.canvas.width / 320);
  ctx.font = `600 ${size}px system-ui, sans-serif`;
  for (const [a, b, colour, text] of [
    [h['minor-'], h['minor+'], BPD_COLOUR, labels.bpd],
    [h['major-'], h['major+'], OFD_COLOUR, labels.ofd],
  ] as const) {
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.strokeStyle = colour;
    ctx.stroke();
    ctx.fillStyle = colour;
    ctx.fillText(text, b[0] + size * 0.3, b[1] - size * 0.3);
  }
  ctx.restore();
}
