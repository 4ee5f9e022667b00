import { type Flag, flag } from './flags.js';

/** Gray levels seen in a region and the share of its pixels at the two ends of the scale. */
export interface GrayLevels {
  /** Distinct gray values among the sampled pixels (1–256). */
  levels: number;
  /** Share of sampled pixels that are black (≤ 5) or white (≥ 250), 0–1. */
  extremeFraction: number;
}

/** Values this close to 0 or 255 count as black or white (a JPEG-saved mask rings by a few levels). */
const EXTREME_MARGIN = 5;

/**
 * Gray levels inside a region, sampled on a grid (cheap enough for every frame: at step 4 a 640×480
 * region reads 19 200 pixels). For colour frames the first channel is read, as `regionSignal` does.
 */
export function grayLevels(data: Uint8Array, width: number, channels: number, region: { x: number; y: number; width: number; height: number }, step = 4): GrayLevels {
  const seen = new Uint8Array(256);
  let n = 0;
  let extreme = 0;
  for (let y = region.y; y < region.y + region.height; y += step) {
    for (let x = region.x; x < region.x + region.width; x += step) {
      const v = data[(y * width + x) * channels]!;
      seen[v] = 1;
      if (v <= EXTREME_MARGIN || v >= 255 - EXTREME_MARGIN) extreme++;
      n++;
    }
  }
  let levels = 0;
  for (const s of seen) levels += s;
  return { levels, extremeFraction: n === 0 ? 0 : extreme / n };
}

/** At most this many gray levels: a label map or a mask, never a B-mode image (speckle spreads over hundreds). */
export const MASK_MAX_LEVELS = 16;
/** At least this share of black-or-white pixels: a two-tone image (B-mode images of BUSI reach 0.49). */
export const MASK_MIN_EXTREME_FRACTION = 0.98;

/**
 * True when an image is a mask or label map rather than ultrasound: a few gray levels, or nearly all
 * pixels black or white, with at least two levels (a uniform image is blank, which tasks flag already).
 * On the 1 324 BUSI PNGs: every mask with a lesion has 2 levels and 100 % black-or-white pixels; every
 * B-mode image has 159–256 levels and at most 49 % black-or-white pixels.
 */
export function looksLikeMask(g: GrayLevels): boolean {
  return g.levels >= 2 && (g.levels <= MASK_MAX_LEVELS || g.extremeFraction >= MASK_MIN_EXTREME_FRACTION);
}

/** The flag a frame that is not ultrasound carries; no measurement or class is given on it. */
export function notUltrasoundFlag(g: GrayLevels): Flag {
  return flag(
    'not-ultrasound',
    'warning',
    `This frame does not look like an ultrasound image (${g.levels} gray levels, ${Math.round(g.extremeFraction * 100)}% black or white: a mask or label map?): no measurement is given. Check the source's files (replay: its pattern setting).`,
  );
}
