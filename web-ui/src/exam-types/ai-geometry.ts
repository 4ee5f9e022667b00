/**
 * The AI's geometry in the page's coordinates. The analysis gives frame positions with integers at pixel
 * CENTRES (src/inference/preprocess.ts modelToFrame: the centre of the top-left pixel is 0,0); the canvas, and
 * every point the clinician places (live/frame-view.ts toFrame), has integers at pixel CORNERS (the top-left
 * corner of the top-left pixel is 0,0; its centre 0.5,0.5). Drawn unconverted, an AI outline sat half a frame
 * pixel up and left of where the analysis found it.
 *
 * So the page takes a result's geometry through here once, where it enters the page (drawn live, or made the
 * proposal under review), and works in corner coordinates after that: what a clinician corrects and the record
 * stores as final geometry is in corner coordinates, as the SR export reads it (src/sync/sr-geometry.ts:
 * corrected geometry 'pixel-corner', the AI's own 'pixel-centre'). Lengths, areas and angles do not change.
 */
import type { BreastLesionResult, FetalHeadResult, Segment } from '../../../src/protocol/index.js';

/** What is added to a pixel-centre coordinate to make it a pixel-corner (canvas) one, on each axis. */
export const CENTRE_TO_CORNER = 0.5;

/** A flat [x0, y0, x1, y1, …] outline from pixel centres to canvas coordinates (a new array). */
export function outlineToCanvas(o: readonly number[]): number[] {
  return o.map((v) => v + CENTRE_TO_CORNER);
}

export function segmentToCanvas(s: Segment): Segment {
  return { x1: s.x1 + CENTRE_TO_CORNER, y1: s.y1 + CENTRE_TO_CORNER, x2: s.x2 + CENTRE_TO_CORNER, y2: s.y2 + CENTRE_TO_CORNER };
}

/** An ellipse from pixel centres to canvas coordinates: the centre moves, axes and angle stay. */
export function ellipseToCanvas<E extends { cx: number; cy: number }>(e: E): E {
  return { ...e, cx: e.cx + CENTRE_TO_CORNER, cy: e.cy + CENTRE_TO_CORNER };
}

/** A fetal-head result with its ellipse and contour in canvas coordinates (numbers and flags as they were). */
export function headToCanvas(r: FetalHeadResult): FetalHeadResult {
  return { ...r, ...(r.ellipse ? { ellipse: ellipseToCanvas(r.ellipse) } : {}), ...(r.contour ? { contour: outlineToCanvas(r.contour) } : {}) };
}

/** A breast-lesion result with its outline and caliper lines in canvas coordinates (numbers and categories as they were). */
export function lesionToCanvas(r: BreastLesionResult): BreastLesionResult {
  const l = r.lesion;
  if (!l) return r;
  return { ...r, lesion: { ...l, outline: outlineToCanvas(l.outline), longAxis: segmentToCanvas(l.longAxis), perpendicularAxis: segmentToCanvas(l.perpendicularAxis) } };
}
