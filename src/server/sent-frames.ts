/**
 * What the daemon sent of its recent frames (no pixels): a frame or clip the page posts back is checked against
 * it (the clip route and the capture route's recent frames both keep one).
 */
import type { Frame, ImagingRegion } from '../capture/frame.js';

/** What the daemon sent of a frame (no pixels): a frame posted back is checked against it. */
export interface SentFrame {
  seq: number;
  timestampMs: number;
  width: number;
  height: number;
  channels: number;
  pixelSpacing: { x: number; y: number } | undefined;
  region: ImagingRegion;
}

/**
 * A frame's size, channels, region rectangle and pixel spacing as text to compare a posted-back header with what
 * the daemon sent, and a clip's frames with each other: the header carries the rectangle only, never the region's
 * origin (set, source, unset) or fan, and the spacing as float32 (compared so). The spacing is the frame's scale:
 * a calibration made while the cine filled gives the frames after it another, and a clip (one image, one spacing)
 * across that change would give them a scale they were not acquired at.
 */
export const frameGeometry = (f: Pick<SentFrame, 'width' | 'height' | 'channels' | 'region' | 'pixelSpacing'>): string =>
  JSON.stringify({
    width: f.width,
    height: f.height,
    channels: f.channels,
    region: { x: f.region.x, y: f.region.y, width: f.region.width, height: f.region.height },
    mmPerPx: f.pixelSpacing ? [Math.fround(f.pixelSpacing.x), Math.fround(f.pixelSpacing.y)] : null,
  });

/**
 * The size, region and spacing of the last `retain` frames the source delivered (no pixels: a clip's frames
 * come back from the page, which holds them), so frames posted back can be checked as the daemon's own.
 */
export class SentFrames {
  readonly #seen = new Map<number, SentFrame>();
  constructor(private readonly retain = 2000) {}

  keep(f: Frame): void {
    // a new source restarts sequences: the newer frame replaces the older entry (and moves to the end)
    this.#seen.delete(f.seq);
    this.#seen.set(f.seq, { seq: f.seq, timestampMs: f.timestampMs, width: f.width, height: f.height, channels: f.channels, pixelSpacing: f.pixelSpacing, region: f.region });
    if (this.#seen.size > this.retain) this.#seen.delete(this.#seen.keys().next().value!);
  }

  /** Frame `seq` as sent, if it is recent and had capture time `timestampMs`. */
  sent(seq: number, timestampMs: number): SentFrame | undefined {
    const f = this.#seen.get(seq);
    return f && f.timestampMs === timestampMs ? f : undefined;
  }

  /** Pixel bytes of the largest recent frame (0 before the first). */
  largestFrameBytes(): number {
    let max = 0;
    for (const f of this.#seen.values()) max = Math.max(max, f.width * f.height * f.channels);
    return max;
  }
}
