/**
 * The clinician's own calipers on a capture (issue 18: a distance or an area measured on the frozen frame) as
 * the QA export carries them: ground truth a clinic made, beside the model's output. Points stay in frame
 * pixels as stored, in the page canvas's corner convention (0,0 the top-left corner of the top-left pixel, the
 * same the SR's SCOORDs say: src/sync/sr-manual.ts); the exported image keeps the frame's size, so they land on
 * it unchanged. Who measured is the keyed reader id; when is left out, as the export leaves out every decision's
 * time (only the exam date travels, shifted).
 */
import type { Capture } from '../records/types.js';
import type { QaCaliper } from './layout.js';

/** `reader` turns a stored clinician name into the keyed `reader-…` id (null stays null: made by a script). */
export function calipersOf(capture: Capture, reader: (name: string | null) => string | null): QaCaliper[] {
  return (capture.clinicianMeasurements ?? []).map((m) => ({
    kind: m.kind,
    n: m.n,
    points: m.points.map(([x, y]): [number, number] => [x, y]),
    value: m.value,
    unit: m.unit,
    by: reader(m.by),
  }));
}
