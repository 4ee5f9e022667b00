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
  /**
   * Who said where the image is: the source itself (a DICOM file's ultrasound regions, a configured crop),
   * a technician (`set`, src/capture/region-store.ts), or nobody (`unset`: a grabber's whole screen, whose
   * captures are not sent). Absent on frames and records from before regions were marked.
   */
  origin?: 'source' | 'set' | 'unset';
  /**
   * The sector inside the rectangle when a technician drew a fan (src/capture/region.ts FanShape): Clean Pixel
   * Data then zeroes the rectangle's corners outside it too, where scanners put marks and text.
   */
  fan?: { apexX: number; apexY: number; innerRadius: number; outerRadius: number; startAngleDeg: number; endAngleDeg: number } | undefined;
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

/**
 * The first thing wrong with a frame, or `undefined`. Run on every frame at the pipeline's entrance, so it
 * allocates nothing for a good frame; the checks are the ones a model or the live view would trip over.
 */
export function frameProblem(f: Frame): string | undefined {
  const { width: w, height: h, channels: c, data, pixelSpacing: s, region: r } = f;
  if (!Number.isInteger(f.seq) || f.seq < 0) return `sequence number ${String(f.seq)} is not a non-negative integer`;
  if (!Number.isFinite(f.timestampMs)) return `timestamp ${String(f.timestampMs)} is not a finite number`;
  if (!Number.isInteger(w) || w < 1) return `width ${String(w)} is not a positive integer`;
  if (!Number.isInteger(h) || h < 1) return `height ${String(h)} is not a positive integer`;
  if (c !== 1 && c !== 3) return `channels ${String(c)} is not 1 or 3`;
  if (!(data instanceof Uint8Array)) return 'data is not a Uint8Array';
  if (data.length !== w * h * c) return `data holds ${data.length} bytes, ${w}×${h}×${c} needs ${w * h * c}`;
  if (s !== undefined && !(s.x > 0 && s.y > 0 && s.x < Infinity && s.y < Infinity)) return `pixel spacing ${String(s.x)}×${String(s.y)} mm is not finite and positive`;
  if (!r || !(r.x >= 0 && r.y >= 0 && r.width >= 1 && r.height >= 1 && r.x + r.width <= w && r.y + r.height <= h)) {
    return `imaging region ${JSON.stringify(r)} lies outside the ${w}×${h} frame`;
  }
  if (!(Number.isInteger(r.x) && Number.isInteger(r.y) && Number.isInteger(r.width) && Number.isInteger(r.height))) return `imaging region ${JSON.stringify(r)} is not in whole pixels`;
  return undefined;
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
  } else if (!(Number.isInteger(r.x) && Number.isInteger(r.y) && Number.isInteger(r.width) && Number.isInteger(r.height))) {
    problems.push(`imaging region ${JSON.stringify(r)} is not in whole pixels`);
  }
  if (f.pixelSpacing && !(f.pixelSpacing.x > 0 && f.pixelSpacing.y > 0)) {
    problems.push(`pixel spacing ${JSON.stringify(f.pixelSpacing)} must be positive`);
  }
  if (problems.length > 0) throw new Error(`Invalid frame ${f.seq} from ${f.sourceId}: ${problems.join('; ')}`);
}
