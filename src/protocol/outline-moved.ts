/**
 * A head measurement "corrected" with the AI's own value: since 7b96fad the live review records HC, BPD and OFD
 * as corrected, keeping the AI value, when the clinician moved or turned the ellipse without resizing it (the
 * record then holds the clinician's outline, web-ui/src/exam-types/obstetric.ts decide). Whoever reads the
 * record (its decision list, the PDF report) is told so, or "corrected" with an unchanged value reads as a
 * mistake. The DICOM SR is not changed: it carries the moved outline itself.
 */

/** The head measurements drawn from the ellipse (GA has no outline: it is corrected only by value). */
const OUTLINE_KINDS: ReadonlySet<string> = new Set(['hc', 'bpd', 'ofd']);

/** Whether a decision corrected a head measurement's outline only: same value as the AI's, the ellipse moved or turned. */
export function outlineMovedValueKept(kind: string, decision: string, aiValue: number | null, finalValue: number | null): boolean {
  // the review sends the AI value as stored; the tolerance only absorbs a round trip through JSON and SQLite
  return decision === 'corrected' && OUTLINE_KINDS.has(kind) && aiValue !== null && finalValue !== null && Math.abs(finalValue - aiValue) < 1e-9;
}
