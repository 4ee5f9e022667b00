/**
 * A captured ultrasound frame.
 *
 * Memory: `data` may be a view into a driver's small ring of buffers. It stays valid while the consumer
 * handles the frame synchronously and for at least `FRAME_RING_GUARANTEE - 1` further frames of the same
 * source; a consumer that keeps pixels longer (a capture, a cine buffer) copies them.
 */
export const FRAME_RING_GUARANTEE = 4;

/** The part of the frame that holds the ultrasound image (not the scanner's text and menus). */
export interface ImagingRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PixelSpacing {
  /** millimetres per pixel along x (columns) */
  x: number;
  /** millimetres per pixel along y (rows) */
  y: number;
}

export interface Frame {
  /** Per-source sequence number, strictly increasing from 0. */
  seq: number;
  /** Capture time on the monotonic clock (performance.now(), milliseconds). */
  timestampMs: number;
  width: number;
  height: number;
  /** 1 = 8-bit grayscale, 3 = 8-bit RGB interleaved. */
  channels: 1 | 3;
  data: Uint8Array;
  /** Unknown spacing is `undefined`, never a guess: measurements then stay in pixels and say so. */
  pixelSpacing: PixelSpacing | undefined;
  sourceId: string;
  region: ImagingRegion;
  /** Acquisition time stamped by the sending device (seconds since the epoch), when it sends one. */
  deviceTimeS?: number | undefined;
  /** Image orientation from the device: unit column and row direction cosines [cx, cy, cz, rx, ry, rz]. */
  orientation?: number[] | undefined;
}

/** Throws a clear error when a frame's fields disagree with its buffer; drivers call it on foreign data. */
export function validateFrame(f: Frame): void {
  const problems: string[] = [];
  if (!Number.isInteger(f.width) || f.width < 1) problems.push(`width ${f.width} is not a positive integer`);
  if (!Number.isInteger(f.height) || f.height < 1) problems.push(`height ${f.height} is not a positive integer`);
  if (f.channels !== 1 && f.channels !== 3) problems.push(`channels ${String(f.channels)} is not 1 or 3`);
  if (f.data.length !== f.width * f.height * f.channels) {
    problems.push(`data holds ${f.data.length} bytes, expected ${f.width}×${f.height}×${f.channels}`);
  }
  const r = f.region;
  if (r.x < 0 || r.y < 0 || r.width < 1 || r.height < 1 || r.x + r.width > f.width || r.y + r.height > f.height) {
    problems.push(`imaging region ${JSON.stringify(r)} lies outside the ${f.width}×${f.height} frame`);
  }
  if (f.pixelSpacing && !(f.pixelSpacing.x > 0 && f.pixelSpacing.y > 0)) {
    problems.push(`pixel spacing ${JSON.stringify(f.pixelSpacing)} must be positive`);
  }
  if (problems.length > 0) throw new Error(`Invalid frame ${f.seq} from ${f.sourceId}: ${problems.join('; ')}`);
}
