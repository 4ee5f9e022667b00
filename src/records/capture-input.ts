/** What a capture is stored from: the frame, its results and (issue 18) the clinician's own calipers on it. */
import type { BreastSide } from '../protocol/laterality.js';
import type { ManualMeasureInput } from './manual-measures.js';
import type { StoredResult } from './measurement-rows.js';

export interface CaptureInput {
  frameSeq: number;
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
  pixelSpacing: { x: number; y: number } | undefined;
  region: { x: number; y: number; width: number; height: number };
  /** Result events of the frame (model id/version/provider + task result). */
  results: Array<{ modelId: string; modelVersion: string; provider: string; result: StoredResult }>;
  /** The frame's capture time (source clock): with the exam and `frameSeq`, it names the frame, so it is stored once. */
  frameTimestampMs?: number | undefined;
  /** A key the client chose for this capture (a retry sends the same one). */
  clientKey?: string | undefined;
  /** The clinician's own calipers on this frame (checked and recomputed by the store). */
  clinicianMeasurements?: ManualMeasureInput[] | undefined;
  /** The breast it was taken on: required in a breast exam, refused in another (src/records/capture-side.ts). */
  laterality?: BreastSide | undefined;
}
