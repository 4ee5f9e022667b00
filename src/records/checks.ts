/**
 * Range checks of what a record refers to: every coordinate, spacing and region is checked against the
 * frame it belongs to before anything is stored, so no later step (drawing the overlay at close, DICOM
 * export) meets a number it cannot handle (1e300, NaN, a negative size).
 */
import { ErrorCodes, SonoError } from '../errors.js';

/** Largest frame side (the frame header holds sides as u16). */
export const MAX_SIDE = 65535;
/** Pixel spacing a scanner can have, mm per pixel (0.001 mm: a 65k-pixel side spans 6.5 cm). */
export const SPACING_RANGE = { min: 0.001, max: 10 } as const;

export interface FrameSize {
  width: number;
  height: number;
}

function outOfRange(what: string, value: number, range: string, fix: string): SonoError {
  return new SonoError(ErrorCodes.GEOMETRY_OUT_OF_RANGE, `${what} is ${value}, outside ${range}; ${fix}`, { details: { value: Number.isFinite(value) ? value : String(value), range } });
}

/** A point of a caliper or outline: a finite number inside the frame (its edges included). */
export function checkPoint(x: number, y: number, frame: FrameSize, what: string): void {
  if (!(Number.isFinite(x) && x >= 0 && x <= frame.width)) throw outOfRange(`${what} x`, x, `0…${frame.width} (the frame's width)`, 'send points in frame pixels of the captured frame');
  if (!(Number.isFinite(y) && y >= 0 && y <= frame.height)) throw outOfRange(`${what} y`, y, `0…${frame.height} (the frame's height)`, 'send points in frame pixels of the captured frame');
}

/** A corrected caliper or outline, checked against the captured frame. */
export function checkGeometry(g: unknown, frame: FrameSize): void {
  if (g === undefined || g === null) return;
  const o = g as { x1?: unknown; outline?: unknown; ellipse?: unknown };
  if (o.ellipse !== undefined) {
    // an edited head ellipse: its centre on the frame, its semi-axes at most the frame's diagonal
    const e = o.ellipse as { cx: number; cy: number; semiMajor: number; semiMinor: number; angleDeg: number };
    checkPoint(e.cx, e.cy, frame, 'Ellipse centre');
    const diagonal = Math.hypot(frame.width, frame.height);
    for (const [what, v] of [
      ['semi-major axis', e.semiMajor],
      ['semi-minor axis', e.semiMinor],
    ] as const) {
      if (!(Number.isFinite(v) && v > 0 && v <= diagonal))
        throw outOfRange(`Ellipse ${what}`, v, `0…${diagonal.toFixed(0)} px (the frame's diagonal)`, 'send the ellipse in frame pixels of the captured frame');
    }
    if (!Number.isFinite(e.angleDeg)) throw outOfRange('Ellipse angle', e.angleDeg, 'a finite number of degrees', 'send the angle in degrees');
    return;
  }
  if (Array.isArray(o.outline)) {
    const pts = o.outline as unknown[];
    if (pts.length % 2 !== 0 || pts.length < 6)
      throw new SonoError(ErrorCodes.GEOMETRY_OUT_OF_RANGE, `An outline needs pairs of x, y (at least 3 points); it has ${pts.length} numbers`, { details: { numbers: pts.length } });
    for (let i = 0; i < pts.length; i += 2) checkPoint(Number(pts[i]), Number(pts[i + 1]), frame, `Outline point ${i / 2}`);
    return;
  }
  const s = g as { x1: number; y1: number; x2: number; y2: number };
  checkPoint(s.x1, s.y1, frame, 'Caliper start');
  checkPoint(s.x2, s.y2, frame, 'Caliper end');
}

/** Pixel spacing of a frame: positive, finite, within what a scanner produces. */
export function checkSpacing(s: { x: number; y: number } | undefined | null, what = 'Pixel spacing'): void {
  if (!s) return;
  for (const [axis, v] of [
    ['x', s.x],
    ['y', s.y],
  ] as const) {
    if (!(Number.isFinite(v) && v >= SPACING_RANGE.min && v <= SPACING_RANGE.max)) {
      throw outOfRange(`${what} ${axis}`, v, `${SPACING_RANGE.min}…${SPACING_RANGE.max} mm per pixel`, 'calibrate the source again');
    }
  }
}

/** A frame's size, its pixel count and its imaging region (inside the frame, at least one pixel). */
export function checkFrame(f: FrameSize & { channels: number; bytes: number; region: { x: number; y: number; width: number; height: number } }, what: string): void {
  const { width, height, channels, region: r } = f;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= MAX_SIDE && height <= MAX_SIDE)) {
    throw new SonoError(ErrorCodes.FRAME_INVALID, `${what} is ${width}×${height}; a frame is 1…${MAX_SIDE} whole pixels a side`);
  }
  if (channels !== 1 && channels !== 3) throw new SonoError(ErrorCodes.FRAME_INVALID, `${what} has ${channels} channels; a frame has 1 (gray) or 3 (RGB)`);
  if (f.bytes !== width * height * channels) throw new SonoError(ErrorCodes.FRAME_INVALID, `${what} claims ${width}×${height}×${channels} pixels but carries ${f.bytes} bytes`);
  const inside = [r.x, r.y, r.width, r.height].every((v) => Number.isInteger(v) && v >= 0) && r.width >= 1 && r.height >= 1 && r.x + r.width <= width && r.y + r.height <= height;
  if (!inside) throw new SonoError(ErrorCodes.FRAME_INVALID, `${what} has imaging region ${JSON.stringify(r)}, not inside its ${width}×${height} pixels; fix the source's region setting`);
}
