import type { ImagingRegion } from '../capture/frame.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from '../records/database.js';
import type { CaptureGeometry } from './export-sr.js';

/** A capture's size and imaging region, without its pixels: what a report revision needs of it (src/sync/export-sr.ts). */
export function captureGeometry(db: Db, captureId: string): CaptureGeometry {
  const r = db.prepare('SELECT width, height, region_json FROM captures WHERE id = ?').get(captureId) as { width: number; height: number; region_json: string } | undefined;
  if (!r) throw new SonoError(ErrorCodes.CAPTURE_NOT_FOUND, `Capture ${captureId} does not exist`);
  return { width: r.width, height: r.height, region: JSON.parse(r.region_json) as ImagingRegion };
}
