/**
 * The imaging region a technician sets on a grabber's picture: a rectangle, or a sector (the fan of a
 * convex or phased probe: apex, radii, angles). The frame's `region` is its bounding rectangle: what Clean
 * Pixel Data keeps; the corners of that rectangle around a fan are kept too and read by the OCR gate.
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { ImagingRegion } from './frame.js';

/**
 * Drivers that see a scanner's whole screen (a frame grabber, a USB probe's or OpenIGTLink's whole frame):
 * their frames have no known imaging region until a technician sets one, and their captures stay here.
 */
export const GRABBER_DRIVERS: ReadonlySet<string> = new Set(['v4l2', 'usb', 'igtl']);

/** A region in force for a source: its rectangle on frames of `frame`'s size, and the depth scale's pixel size. */
export interface RegionOverride {
  region: ImagingRegion;
  frame: { width: number; height: number };
  pixelSpacing?: { x: number; y: number } | undefined;
}

export interface RectShape {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A sector: angles in degrees from straight down (+x side positive), radii in pixels from the apex. */
export interface FanShape {
  apexX: number;
  apexY: number;
  innerRadius: number;
  outerRadius: number;
  startAngleDeg: number;
  endAngleDeg: number;
}

export type RegionShape = { rect: RectShape } | { fan: FanShape };

/** Two taps on the scanner's depth scale a known distance apart: the pixel size. */
export interface DepthScale {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  distanceMm: number;
}

const bad = (what: string, frame: { width: number; height: number }): SonoError =>
  new SonoError(ErrorCodes.REGION_INVALID, `${what}; draw the region inside the ${frame.width}×${frame.height} frame and send it again`, {
    details: { frameWidth: frame.width, frameHeight: frame.height },
  });

/** The bounding rectangle of a shape, in whole pixels, checked against the frame (coded 400 when off-frame or degenerate). */
export function boundsOf(shape: RegionShape, frame: { width: number; height: number }): ImagingRegion {
  let x0: number;
  let y0: number;
  let x1: number;
  let y1: number;
  if ('rect' in shape) {
    const r = shape.rect;
    if (![r.x, r.y, r.width, r.height].every(Number.isFinite)) throw bad(`Rectangle ${JSON.stringify(r)} is not made of finite numbers`, frame);
    [x0, y0, x1, y1] = [r.x, r.y, r.x + r.width, r.y + r.height];
  } else {
    const f = shape.fan;
    if (![f.apexX, f.apexY, f.innerRadius, f.outerRadius, f.startAngleDeg, f.endAngleDeg].every(Number.isFinite)) throw bad(`Fan ${JSON.stringify(f)} is not made of finite numbers`, frame);
    if (!(f.innerRadius >= 0 && f.outerRadius > f.innerRadius)) throw bad(`Fan radii ${f.innerRadius}–${f.outerRadius} px are not 0 ≤ inner < outer`, frame);
    if (!(f.startAngleDeg < f.endAngleDeg && f.startAngleDeg >= -90 && f.endAngleDeg <= 90))
      throw bad(`Fan angles ${f.startAngleDeg}° to ${f.endAngleDeg}° are not increasing within −90°…90° of straight down`, frame);
    const pts: Array<[number, number]> = [];
    for (let a = f.startAngleDeg; ; a = Math.min(f.endAngleDeg, a + 1)) {
      const t = (a * Math.PI) / 180;
      for (const r of [f.innerRadius, f.outerRadius]) pts.push([f.apexX + r * Math.sin(t), f.apexY + r * Math.cos(t)]);
      if (a === f.endAngleDeg) break;
    }
    x0 = Math.min(...pts.map((p) => p[0]));
    x1 = Math.max(...pts.map((p) => p[0]));
    y0 = Math.min(...pts.map((p) => p[1]));
    y1 = Math.max(...pts.map((p) => p[1]));
  }
  const r = { x: Math.floor(x0), y: Math.floor(y0), width: Math.ceil(x1) - Math.floor(x0), height: Math.ceil(y1) - Math.floor(y0) };
  if (r.width < 8 || r.height < 8) throw bad(`The region ${JSON.stringify(r)} is smaller than 8×8 pixels`, frame);
  if (r.x < 0 || r.y < 0 || r.x + r.width > frame.width || r.y + r.height > frame.height) throw bad(`The region ${JSON.stringify(r)} lies outside the frame`, frame);
  return { ...r, origin: 'set' };
}

/** mm per pixel from two taps on the depth scale (coded 400 when the taps are off-frame or the same point). */
export function spacingOfScale(s: DepthScale, frame: { width: number; height: number }): { x: number; y: number } {
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < frame.width && y < frame.height;
  if (!inside(s.x1, s.y1) || !inside(s.x2, s.y2)) throw bad(`Depth scale taps (${s.x1}, ${s.y1}) and (${s.x2}, ${s.y2}) are not both on the frame`, frame);
  const px = Math.hypot(s.x2 - s.x1, s.y2 - s.y1);
  if (!(px >= 4) || !(s.distanceMm > 0 && s.distanceMm < 1000))
    throw bad(`Depth scale taps ${px.toFixed(1)} px apart for ${s.distanceMm} mm give no pixel size (taps ≥ 4 px apart, 0 < mm < 1000)`, frame);
  return { x: s.distanceMm / px, y: s.distanceMm / px };
}

/** True when (x, y) lies in the shape (the fan's sector; a rectangle's inside). */
export function insideShape(shape: RegionShape, x: number, y: number): boolean {
  if ('rect' in shape) return x >= shape.rect.x && y >= shape.rect.y && x < shape.rect.x + shape.rect.width && y < shape.rect.y + shape.rect.height;
  const f = shape.fan;
  const dx = x - f.apexX;
  const dy = y - f.apexY;
  const r = Math.hypot(dx, dy);
  const a = (Math.atan2(dx, dy) * 180) / Math.PI;
  return r >= f.innerRadius && r <= f.outerRadius && a >= f.startAngleDeg && a <= f.endAngleDeg;
}
