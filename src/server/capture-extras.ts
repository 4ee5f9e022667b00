/**
 * What may follow a frozen frame's message in POST /api/exams/:id/captures/frame (issue 18): the clinician's
 * own calipers on that frame, as UTF-8 JSON after the pixels (one request, so a capture and its calipers are
 * stored together or not at all). No trailer: today's body, nothing more.
 */
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { CaptureFrameExtras, MAX_EXTRAS_BYTES } from '../protocol/rest/manual-measures.js';

export function readCaptureExtras(trailer: Uint8Array, seq: number): CaptureFrameExtras {
  if (trailer.length === 0) return {};
  if (trailer.length > MAX_EXTRAS_BYTES)
    throw new SonoError(ErrorCodes.FRAME_MESSAGE_INVALID, `Frame ${seq} carries ${trailer.length} bytes after its pixels; at most ${MAX_EXTRAS_BYTES} bytes of JSON may follow them`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(trailer.buffer, trailer.byteOffset, trailer.length).toString('utf8'));
  } catch (err) {
    throw new SonoError(
      ErrorCodes.FRAME_MESSAGE_INVALID,
      `Frame ${seq} carries ${trailer.length} bytes after its pixels that are not JSON (${errorMessage(err)}); send the frame message alone, or followed by { "clinicianMeasurements": [...] }`,
      {
        cause: err,
      },
    );
  }
  const issues = [...Value.Errors(CaptureFrameExtras, raw)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (issues.length > 0) {
    throw new SonoError(
      ErrorCodes.MANUAL_MEASURE_INVALID,
      `The clinician measurements sent with frame ${seq} were refused (${issues.slice(0, 3).join('; ')}); send { kind, points: [[x, y], …] } per measure`,
      {
        details: { issues },
      },
    );
  }
  return raw as CaptureFrameExtras;
}
