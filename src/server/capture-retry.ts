/**
 * A capture request whose Idempotency-Key this exam already holds is a retry (a tablet that saved, lost the
 * answer on a Wi-Fi drop, and sends again). It is looked up FIRST, before the daemon's recent frames and
 * results, which a daemon restart (or time: results are kept for the last 2000 frames) drops: the retry then
 * answers the capture stored, 200, instead of FRAME_RESULTS_UNKNOWN / FRAME_NOT_KEPT / NO_LIVE_FRAME, which made
 * the clinician believe the capture was lost and take it again. A key stored with another frame is refused
 * (409 SONO_IDEMPOTENCY_KEY_REUSED) as before; a new key for an unknown frame keeps its coded error.
 */
import type { Db } from '../records/database.js';
import { type KeyedCapture, captureKeyReused, captureUnderKey } from '../records/keyed-capture.js';

/**
 * POST /api/exams/:id/captures/frame: the capture stored under `clientKey` when it is this frame (same sequence
 * and capture time; its pixels are compared by ExamStore.addCaptureOnce), undefined when the key is new.
 */
export function frameRetry(db: Db, examId: string, clientKey: string | undefined, frame: { seq: number; timestampMs: number }): KeyedCapture | undefined {
  const stored = captureUnderKey(db, examId, clientKey);
  if (!stored || clientKey === undefined) return undefined;
  const sameFrame = stored.frameSeq === frame.seq && (stored.frameTimestampMs === null || stored.frameTimestampMs === frame.timestampMs);
  if (!sameFrame) throw captureKeyReused(examId, clientKey, stored, frame.seq, frame.timestampMs);
  return stored;
}

/**
 * POST /api/exams/:id/captures: without `seq` the key names a tap (its retry answers the capture stored, whatever
 * frame is newest now); with `seq` it names that frame: a frame still kept goes the ordinary way (the store
 * compares its capture time and pixels), a frame no longer kept answers the capture stored of the same sequence.
 */
export function liveRetry(db: Db, examId: string, clientKey: string | undefined, seq: number | undefined, frameKept: boolean): KeyedCapture | undefined {
  const stored = captureUnderKey(db, examId, clientKey);
  if (!stored || clientKey === undefined || seq === undefined) return stored;
  if (stored.frameSeq !== seq) throw captureKeyReused(examId, clientKey, stored, seq, undefined);
  return frameKept ? undefined : stored;
}
