/**
 * One capture → one manifest entry and its pixels to write: keyed ids instead of record ids and names, the
 * frame cleaned like the PACS copy (outside the imaging region zeroed), the AI's output beside every
 * clinician's value (first decision, second reading, adjudication) and the value of record. Pure: the OCR and the files come later.
 */
import type { MeasurementReadings } from '../records/second-read.js';
import { firstDecision } from '../records/value-of-record.js';
import type { Capture, Exam } from '../records/types.js';
import { TASK_OF_EXAM } from '../protocol/exam-types.js';
import { cleanPixels, dateShiftDays, keyedId, pseudonym, readerId } from '../sync/deidentify.js';
import { calipersOf } from './calipers.js';
import { type QaItem, type QaMeasurement, type QaWithheld, filesOf } from './layout.js';
import { ellipseToCorner, geometryToCorner, outlineToCorner } from './corner.js';
import { type PixelOrigin, ellipseMask, outlineMask } from './masks.js';
import { type Outlines, outlinesOf } from './outlines.js';

export interface CaptureImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: number;
  region: { x: number; y: number; width: number; height: number; origin?: string | undefined };
}

export interface Keys {
  secret: string;
  dates: 'shift' | 'remove';
}

// keyed ids (the same record, the same id in every export of this device) are shared with the PACS copy's
// clinician aliases: src/sync/deidentify.ts keyedId and readerId
export { keyedId };

export interface PreparedItem {
  entry: QaItem;
  /** the cleaned frame, 8-bit gray, to be read by the OCR and written */
  image: Uint8Array;
  maskAi: Uint8Array | null;
  maskFinal: Uint8Array | null;
}

function gray(p: CaptureImage): Uint8Array {
  if (p.channels === 1) return p.pixels;
  const out = new Uint8Array(p.width * p.height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * p.pixels[3 * i]! + 0.587 * p.pixels[3 * i + 1]! + 0.114 * p.pixels[3 * i + 2]!);
  return out;
}

/** Like the PACS path: a region nobody set (a grabber's whole screen) cannot be cleaned, so the image stays. */
export function regionUnknown(p: CaptureImage): boolean {
  const whole = p.region.x === 0 && p.region.y === 0 && p.region.width === p.width && p.region.height === p.height;
  return p.region.origin === undefined ? whole : p.region.origin === 'unset';
}

function examDate(exam: Exam, keys: Keys): string | null {
  if (keys.dates === 'remove') return null;
  const days = dateShiftDays(keys.secret, exam.patient?.id ?? `exam:${exam.id}`);
  return new Date(new Date(exam.createdAt.slice(0, 10) + 'T00:00:00Z').getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

export function examIds(exam: Exam, keys: Keys): { exam: string; patient: string } {
  return { exam: keyedId(keys.secret, 'E', exam.id), patient: pseudonym(keys.secret, exam.patient?.id ?? `exam:${exam.id}`) };
}

export function itemIdOf(exam: Exam, capture: Capture, keys: Keys): string {
  return keyedId(keys.secret, exam.examType === 'breast' ? 'br-' : 'ob-', capture.id);
}

export function withheldEntry(exam: Exam, capture: Capture, keys: Keys, code: string, message: string): QaWithheld {
  return { item: itemIdOf(exam, capture, keys), exam: examIds(exam, keys).exam, examType: exam.examType, code, message };
}

/** A decision's geometry in corner coordinates (corner.ts): a correction's as drawn, a confirmation's the AI's moved by +0.5. */
function finalGeometry(m: Capture['measurements'][number]): unknown {
  return m.state === 'confirmed' ? geometryToCorner(m.aiGeometry) : m.finalGeometry;
}

/** The final outline as the manifest carries it: always in corner coordinates, whoever drew it. */
function finalInCorner(f: Outlines['final']): QaItem['final'] {
  const ai = f.origin === 'pixel-centre';
  return { source: f.source, ellipse: f.ellipse && (ai ? ellipseToCorner(f.ellipse) : f.ellipse), outline: f.outline && (ai ? outlineToCorner(f.outline) : f.outline) };
}

export function prepareItem(exam: Exam, capture: Capture, px: CaptureImage, readings: readonly MeasurementReadings[], keys: Keys): PreparedItem {
  const reader = (name: string | null): string | null => (name ? readerId(keys.secret, name) : null);
  const item = itemIdOf(exam, capture, keys);
  const task = TASK_OF_EXAM[exam.examType];
  type Stored = { modelId?: string; modelVersion?: string; provider?: string; result?: { task?: string; ellipse?: unknown; lesion?: { outline?: unknown } } };
  const mine = (capture.results as Stored[]).find((r) => r.result?.task === task);
  // `final` and the final outline are each measurement's first decision (what was signed); `record` its value of record
  const decided = { ...capture, measurements: capture.measurements.map(firstDecision) };
  const outlines = outlinesOf(exam.examType, decided, mine?.result);
  const byMeasurement = new Map(readings.map((r) => [r.measurementId, r]));
  const measurements = capture.measurements.map((rec): QaMeasurement => {
    const r = byMeasurement.get(rec.id);
    const m = firstDecision(rec);
    return {
      kind: m.kind,
      unit: m.unit,
      state: m.state,
      ai: { value: m.aiValue, text: m.aiText, geometry: m.aiGeometry },
      final: m.state === 'unverified' ? null : { value: m.finalValue, text: m.finalText, geometry: finalGeometry(m), by: reader(m.decidedBy) },
      secondRead: r?.second ? { agree: r.second.agree, value: r.second.value, text: r.second.text, by: reader(r.second.by)! } : null,
      adjudicated: r?.adjudicated ? { value: r.adjudicated.value, text: r.adjudicated.text, by: reader(r.adjudicated.by)! } : null,
      record: rec.state === 'unverified' ? null : { value: rec.finalValue, text: rec.finalText, flagged: rec.secondRead?.flagged ?? false },
    };
  });
  const { width: w, height: h } = px;
  // each shape filled in its author's coordinates: a confirmed final mask is the AI's, pixel for pixel
  const mask = (o: Outlines['ai'], origin: PixelOrigin): Uint8Array | null => (o.ellipse ? ellipseMask(w, h, o.ellipse, origin) : o.outline ? outlineMask(w, h, o.outline, origin) : null);
  const maskAi = mask(outlines.ai, 'pixel-centre');
  const maskFinal = mask(outlines.final, outlines.final.origin);
  const files = filesOf(exam.examType, item);
  const r = px.region;
  return {
    entry: {
      item,
      ...examIds(exam, keys),
      examType: exam.examType,
      examDate: examDate(exam, keys),
      datingGaWeeks: exam.datingGaWeeks,
      width: w,
      height: h,
      pixelSpacingMm: capture.pixelSpacing,
      imagingRegion: { x: r.x, y: r.y, width: r.width, height: r.height },
      model: mine?.modelId ? { id: mine.modelId, version: mine.modelVersion ?? 'unknown', provider: mine.provider ?? 'unknown' } : null,
      aiResult: mine?.result ?? null,
      final: finalInCorner(outlines.final),
      files: { image: files.image, maskAi: maskAi ? files.maskAi : null, maskFinal: maskFinal ? files.maskFinal : null },
      measurements,
      calipers: calipersOf(capture, reader),
    },
    image: cleanPixels(gray(px), w, h, r),
    maskAi,
    maskFinal,
  };
}
