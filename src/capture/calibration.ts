import type { PixelSpacing } from './frame.js';

/** A calibration: a known spacing, a depth scale (mm over pixels), or two points a known distance apart. */
export type Calibration = { pixelSpacingMm: number } | { depthMm: number; depthPixels: number } | { x1: number; y1: number; x2: number; y2: number; distanceMm: number };

/** mm per pixel from a calibration (isotropic). */
export function spacingFromCalibration(c: Calibration | undefined): PixelSpacing | undefined {
  if (!c) return undefined;
  if ('pixelSpacingMm' in c) return { x: c.pixelSpacingMm, y: c.pixelSpacingMm };
  if ('depthMm' in c) return { x: c.depthMm / c.depthPixels, y: c.depthMm / c.depthPixels };
  const px = Math.hypot(c.x2 - c.x1, c.y2 - c.y1);
  if (!(px > 0)) throw new Error('Two-point calibration needs two different points');
  return { x: c.distanceMm / px, y: c.distanceMm / px };
}
