import type { ImagingRegion } from '../capture/frame.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { HoldReason } from '../ocr/hold.js';
import type { Db } from '../records/database.js';
import type { ExamStore } from '../records/exam-store.js';
import type { CapturePixels } from './export-exam.js';
import type { CaptureGeometry } from './export-sr.js';

/** A capture's size and imaging region, without its pixels: what a report revision needs of it (src/sync/export-sr.ts). */
export function captureGeometry(db: Db, captureId: string): CaptureGeometry {
  const r = db.prepare('SELECT width, height, region_json FROM captures WHERE id = ?').get(captureId) as { width: number; height: number; region_json: string } | undefined;
  if (!r) throw new SonoError(ErrorCodes.CAPTURE_NOT_FOUND, `Capture ${captureId} does not exist`);
  return { width: r.width, height: r.height, region: JSON.parse(r.region_json) as ImagingRegion };
}

/**
 * A capture's stored pixels for the exam build, checked against the size its record declares. A blob that
 * does not fill it (a damaged record) is never read past its end nor sent: a black placeholder of the
 * declared size keeps the exam's other images and its reports building, and `damaged` holds this capture's
 * images on the device with SONO_CAPTURE_PIXELS_DAMAGED (an empty blob is retention's, already black).
 */
export function checkedCapturePixels(store: ExamStore, captureId: string): CapturePixels {
  const px = store.capturePixels(captureId);
  const need = px.width * px.height * px.channels;
  if (px.pixels.length === need) return px;
  const damaged: HoldReason = {
    code: ErrorCodes.CAPTURE_PIXELS_DAMAGED,
    message:
      `Capture ${captureId} cannot be sent: its stored pixels are ${px.pixels.length} bytes; ${px.width}×${px.height}×${px.channels} need ${need} (the record on this device is damaged). ` +
      'A black placeholder stands in its place so the rest of the exam is sent; do not release it: capture the view again in a new exam, and report the exam to support',
  };
  return { ...px, pixels: Buffer.alloc(need), damaged };
}
