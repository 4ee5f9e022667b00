/**
 * The AI's outline of a capture and the one the clinicians left: a fetal head's ellipse (the model's fit; a
 * clinician's edit is stored as `{ ellipse }` geometry on a corrected HC, BPD or OFD decision) or a breast
 * lesion's outline (carried by the margin measurement, `{ outline }`, the AI's and a pushed one).
 *
 * Each comes in its author's coordinates, said by `origin`: the AI's at pixel centres, a clinician's edit at
 * pixel corners (the page canvas). Which shape counts is the SR's rule (src/sync/sr-geometry.ts): a corrected
 * decision's own geometry, else the AI's, which a confirmation accepted.
 */
import type { Capture, ExamType, Measurement } from '../records/types.js';
import type { FinalSource } from './layout.js';
import { type EllipseGeom, type PixelOrigin, isEllipse } from './masks.js';

export interface Outlines {
  /** the model's, pixel-centre */
  ai: { ellipse: EllipseGeom | null; outline: number[] | null };
  /** the clinicians', in `origin`: pixel-corner when they drew it (source `clinician`), else the AI's pixel-centre */
  final: { source: FinalSource; ellipse: EllipseGeom | null; outline: number[] | null; origin: PixelOrigin };
}

const originOf = (source: FinalSource): PixelOrigin => (source === 'clinician' ? 'pixel-corner' : 'pixel-centre');

const HEAD_KINDS: ReadonlySet<string> = new Set(['hc', 'bpd', 'ofd']);

const outlineOf = (g: unknown): number[] | null => {
  const o = (g as { outline?: unknown } | null)?.outline;
  return Array.isArray(o) && o.length >= 6 && o.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (o as number[]) : null;
};

const ellipseOf = (g: unknown): EllipseGeom | null => {
  const e = (g as { ellipse?: unknown } | null)?.ellipse;
  return isEllipse(e) ? { cx: e.cx, cy: e.cy, semiMajor: e.semiMajor, semiMinor: e.semiMinor, angleDeg: e.angleDeg } : null;
};

function fromDecisions(ms: readonly Measurement[], edited: (m: Measurement) => boolean): FinalSource {
  if (ms.length === 0 || ms.some((m) => m.state === 'unverified')) return 'undecided';
  if (ms.some(edited)) return 'clinician';
  return ms.every((m) => m.state === 'confirmed') ? 'confirmed' : 'value-only';
}

export function outlinesOf(examType: ExamType, capture: Capture, aiResult: { ellipse?: unknown; lesion?: { outline?: unknown } } | undefined): Outlines {
  if (examType === 'obstetric') {
    const ai = isEllipse(aiResult?.ellipse) ? aiResult.ellipse : null;
    const head = capture.measurements.filter((m) => HEAD_KINDS.has(m.kind));
    const drawn = (m: Measurement): EllipseGeom | null => (m.state === 'corrected' ? ellipseOf(m.finalGeometry) : null);
    const edited = head.map(drawn).find((e) => e !== null) ?? null;
    const source = fromDecisions(head, (m) => drawn(m) !== null);
    const ellipse = source === 'clinician' ? edited : source === 'confirmed' ? ai : null;
    return { ai: { ellipse: ai, outline: null }, final: { source, ellipse, outline: null, origin: originOf(source) } };
  }
  const margin = capture.measurements.filter((m) => m.kind === 'lesion_margin');
  const ai = outlineOf(margin[0]?.aiGeometry) ?? outlineOf({ outline: aiResult?.lesion?.outline });
  const source = fromDecisions(margin, (m) => m.state === 'corrected' && outlineOf(m.finalGeometry) !== null);
  const outline = source === 'clinician' ? outlineOf(margin[0]!.finalGeometry) : source === 'confirmed' ? ai : source === 'value-only' ? ai : null;
  // a margin corrected by its category only keeps the AI's outline: the outline itself was accepted
  return { ai: { ellipse: null, outline: ai }, final: { source: source === 'value-only' ? 'confirmed' : source, ellipse: null, outline, origin: originOf(source) } };
}
