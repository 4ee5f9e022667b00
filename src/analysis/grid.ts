import type { ImagingRegion, PixelSpacing } from '../capture/frame.js';

/** The model's output grid and where its pixels lie in the frame. */
export interface ModelGrid {
  width: number;
  height: number;
  /** model (mx, my) → frame pixel coordinates; affine per axis (crop, scale, letterbox offset). The tuple may be reused by the next call: read it at once. */
  toFrame(mx: number, my: number): [number, number];
  /** Model pixels that hold the frame's imaging region (not letterbox padding); absent: all of them. */
  content?: { x: number; y: number; width: number; height: number } | undefined;
}

/**
 * toFrame's per-axis scale and offset (frame x = mx·sx + ox), for loops over many points that must not
 * allocate a tuple per point.
 */
export function frameAxes(grid: ModelGrid): { sx: number; ox: number; sy: number; oy: number } {
  const [x0, y0] = grid.toFrame(0, 0);
  const [x1, y1] = grid.toFrame(1, 1);
  return { sx: x1 - x0, ox: x0, sy: y1 - y0, oy: y0 };
}

/** What an analysis knows of the frame the model ran on. */
export interface FrameGeometry {
  width: number;
  height: number;
  region: ImagingRegion;
  pixelSpacing: PixelSpacing | undefined;
  /** Gray-level spread in the imaging region; a blank frame is answered without trusting the model. */
  signal?: { mean: number; std: number } | undefined;
  /** Share of the imaging region's pixels that are clearly coloured (a colour Doppler box), 0–1. */
  colourFraction?: number | undefined;
}
