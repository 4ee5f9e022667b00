/**
 * The pixels of an outgoing Ultrasound Image (sonoedge's own: 8-bit MONOCHROME2, uncompressed) and the
 * rewrites a technician's decision makes: boxes blacked out, BurnedInAnnotation set from what was checked.
 */
import { type Dataset, readPart10, writePart10 } from '../sync/dicom-file.js';
import { ErrorCodes, SonoError } from '../errors.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PayloadImage {
  dataset: Dataset;
  width: number;
  /** every frame's rows: a multi-frame image (a cine clip) is its frames stacked, so boxes and masks address them all */
  height: number;
  /** frames in the image (1 for an Ultrasound Image) and the rows of each */
  frames: number;
  frameHeight: number;
  /** a copy of the pixels, 8-bit gray */
  pixels: Uint8Array;
}

export function imageOf(payload: Buffer): PayloadImage {
  const ds = readPart10(payload);
  const width = Number(ds.Columns);
  const frameHeight = Number(ds.Rows);
  const frames = Math.max(1, Number(ds.NumberOfFrames ?? 1) || 1);
  const height = frameHeight * frames;
  const parts = ds.PixelData as ArrayBuffer[] | undefined;
  if (!(width > 0 && height > 0) || !parts?.[0] || Number(ds.BitsAllocated) !== 8 || Number(ds.SamplesPerPixel ?? 1) !== 1) {
    throw new SonoError(
      ErrorCodes.OCR_FAILED,
      `The outgoing image ${String(ds.SOPInstanceUID)} is not an 8-bit gray image (${width}×${height}, ${String(ds.BitsAllocated)} bits); it cannot be read for text`,
    );
  }
  const pixels = new Uint8Array(parts[0].slice(0, width * height));
  return { dataset: ds, width, height, frames, frameHeight, pixels };
}

/** The payload with `boxes` zeroed (clipped to the image) and BurnedInAnnotation set. */
export function rewritePayload(img: PayloadImage, boxes: readonly Box[], burnedInAnnotation: 'YES' | 'NO'): Buffer {
  const px = Uint8Array.from(img.pixels);
  for (const b of boxes) {
    const x0 = Math.max(0, Math.floor(b.x));
    const y0 = Math.max(0, Math.floor(b.y));
    const x1 = Math.min(img.width, Math.ceil(b.x + b.width));
    const y1 = Math.min(img.height, Math.ceil(b.y + b.height));
    for (let y = y0; y < y1; y++) px.fill(0, y * img.width + x0, y * img.width + Math.max(x0, x1));
  }
  const padded = px.length % 2 === 0 ? px : Uint8Array.from([...px, 0]);
  const ds: Dataset = { ...img.dataset, BurnedInAnnotation: burnedInAnnotation, PixelData: [padded.buffer], _vrMap: { PixelData: 'OB' } };
  return writePart10(ds);
}
