/**
 * The capture an exam holds under a client key (Idempotency-Key), as it was stored. A retry whose first answer
 * was lost is checked against it BEFORE the daemon's own recent frames and results: after a daemon restart (or
 * once a frame is older than the results the daemon keeps) those are gone, but the capture is not, and the
 * retry must get it back, never an error that makes the clinician believe it was lost (or save it twice).
 */
import type { ImagingRegion } from '../capture/frame.js';
import type { BreastSide } from '../protocol/laterality.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { CaptureInput } from './capture-input.js';
import type { Db } from './database.js';

export interface KeyedCapture {
  id: string;
  frameSeq: number;
  /** null for a capture stored before capture times were kept */
  frameTimestampMs: number | null;
  width: number;
  height: number;
  channels: number;
  region: ImagingRegion;
  pixelSpacing: { x: number; y: number } | undefined;
  /** the results the daemon paired with the frame when it was stored */
  results: CaptureInput['results'];
  /** the stored pixels; empty when retention dropped them (src/service/retention.ts) */
  pixels: Buffer;
  /** the breast it was taken on, as stored (null: none recorded) */
  laterality: BreastSide | null;
}

interface Row {
  id: string;
  frame_seq: number;
  frame_timestamp_ms: number | null;
  width: number;
  height: number;
  channels: number;
  region_json: string;
  pixel_spacing_x: number | null;
  pixel_spacing_y: number | null;
  results_json: string;
  pixels: Buffer;
  laterality: BreastSide | null;
}

/** The capture exam `examId` holds under `clientKey`, or undefined (no key, no such capture, no such exam). */
export function captureUnderKey(db: Db, examId: string, clientKey: string | undefined): KeyedCapture | undefined {
  if (clientKey === undefined) return undefined;
  const r = db
    .prepare(
      'SELECT id, frame_seq, frame_timestamp_ms, width, height, channels, region_json, pixel_spacing_x, pixel_spacing_y, results_json, pixels, laterality FROM captures WHERE exam_id = ? AND client_key = ?',
    )
    .get(examId, clientKey) as Row | undefined;
  if (!r) return undefined;
  return {
    id: r.id,
    frameSeq: r.frame_seq,
    frameTimestampMs: r.frame_timestamp_ms,
    width: r.width,
    height: r.height,
    channels: r.channels,
    region: JSON.parse(r.region_json) as ImagingRegion,
    pixelSpacing: r.pixel_spacing_x !== null && r.pixel_spacing_y !== null ? { x: r.pixel_spacing_x, y: r.pixel_spacing_y } : undefined,
    results: JSON.parse(r.results_json) as CaptureInput['results'],
    pixels: r.pixels,
    laterality: r.laterality,
  };
}

/** Pixel bytes of the frame stored under `clientKey` (0 when none): a retry of it is never larger. */
export function keyedFrameBytes(db: Db, examId: string, clientKey: string | undefined): number {
  if (clientKey === undefined) return 0;
  const r = db.prepare('SELECT width * height * channels AS bytes FROM captures WHERE exam_id = ? AND client_key = ?').get(examId, clientKey) as { bytes: number } | undefined;
  return r?.bytes ?? 0;
}

/** 409: the key was stored with another frame (frame numbers restart with the source), as ExamStore refuses it. */
export function captureKeyReused(examId: string, clientKey: string, stored: KeyedCapture, frameSeq: number, frameTimestampMs: number | undefined): SonoError {
  return new SonoError(
    ErrorCodes.IDEMPOTENCY_KEY_REUSED,
    `The Idempotency-Key "${clientKey}" already saved another frame to exam ${examId} (frame ${stored.frameSeq} captured at ${stored.frameTimestampMs ?? 'an unknown time'}, not frame ${frameSeq} captured at ${frameTimestampMs ?? 'an unknown time'}); frame numbers restart when the source restarts: reload the page and save the frame again (it sends a key of its own for each frame)`,
    { details: { captureId: stored.id, frameSeq } },
  );
}

/** The input that stores `stored` again: ExamStore.addCaptureOnce then answers it (and joins new calipers to it). */
export function inputOf(stored: KeyedCapture, clientKey: string, clinicianMeasurements: CaptureInput['clinicianMeasurements'], pixels?: Uint8Array): CaptureInput {
  return {
    frameSeq: stored.frameSeq,
    frameTimestampMs: stored.frameTimestampMs ?? undefined,
    width: stored.width,
    height: stored.height,
    channels: stored.channels,
    // retention may have emptied the stored pixels: the size still has to be the frame's
    pixels: pixels ?? (stored.pixels.length > 0 ? stored.pixels : new Uint8Array(stored.width * stored.height * stored.channels)),
    pixelSpacing: stored.pixelSpacing,
    region: stored.region,
    results: stored.results,
    clientKey,
    clinicianMeasurements,
    laterality: stored.laterality ?? undefined,
  };
}
