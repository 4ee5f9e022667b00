/**
 * A head measurement "corrected" with the AI's own value: since 7b96fad the live review records HC, BPD and OFD
 * as corrected, keeping the AI value, when the clinician moved or turned the ellipse without resizing it (the
 * record then holds the clinician's outline, web-ui/src/exam-types/obstetric.ts decide). Whoever reads the
 * record (its decision list, the PDF report) is told so, or "corrected" with an unchanged value reads as a
 * mistake. The DICOM SR is not changed: it carries the moved outline itself.
 */

/** The head measurements drawn from the ellipse (GA has no outline: it is corrected only by value). */
const OUTLINE_KINDS: ReadonlySet<string> = new Set(['hc', 'bpd', 'ofd']);

/**
 * Whether a decision corrected a head measurement's outline only: same value as the AI's, with an ellipse of its
 * own. A correction typed (or sent through the API) with the AI's value and no ellipse moved nothing: not this.
 */
export function outlineMovedValueKept(kind: string, decision: string, aiValue: number | null, finalValue: number | null, withEllipse: boolean): boolean {
  // the review sends the AI value as stored; the tolerance only absorbs a round trip through JSON and SQLite
  return decision === 'corrected' && withEllipse && OUTLINE_KINDS.has(kind) && aiValue !== null && finalValue !== null && Math.abs(finalValue - aiValue) < 1e-9;
}

/** Whether stored final geometry (parsed JSON) holds an ellipse. */
export function hasEllipse(geometry: unknown): boolean {
  return typeof geometry === 'object' && geometry !== null && typeof (geometry as { ellipse?: unknown }).ellipse === 'object' && (geometry as { ellipse?: unknown }).ellipse !== null;
}
