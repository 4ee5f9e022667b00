/**
 * The clinician's own calipers (issue 18, image review): the length of a distance and the area of a traced
 * polygon, in mm (mm²) with the frame's pixel spacing, x and y apart, else in pixels. One pure module, so the
 * page shows the same number the daemon recomputes and stores (it never trusts the page's number).
 */

/** [x, y] in frame pixels. */
export type CaliperPoint = readonly [number, number];
/** mm per pixel along x and y; none: the frame has no known spacing and sizes are in pixels. */
export type CaliperSpacing = { x: number; y: number } | null | undefined;
export type ManualKind = 'distance' | 'area';
export type ManualUnit = 'mm' | 'mm²' | 'px' | 'px²';

export function caliperDistance(a: CaliperPoint, b: CaliperPoint, s: CaliperSpacing): number {
  return Math.hypot((b[0] - a[0]) * (s?.x ?? 1), (b[1] - a[1]) * (s?.y ?? 1));
}

/** Area of a simple polygon (shoelace; closed implicitly), scaled by the pixel's area. */
export function caliperArea(points: readonly CaliperPoint[], s: CaliperSpacing): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    twice += x1 * y2 - x2 * y1;
  }
  return (Math.abs(twice) / 2) * (s?.x ?? 1) * (s?.y ?? 1);
}

/** The unit a measure of `kind` is in on a frame with (or without) a pixel spacing. */
export function caliperUnit(kind: ManualKind, s: CaliperSpacing): ManualUnit {
  if (kind === 'distance') return s ? 'mm' : 'px';
  return s ? 'mm²' : 'px²';
}

/** The value of a measure from its points: a distance's two ends, an area's outline. */
export function caliperValue(kind: ManualKind, points: readonly CaliperPoint[], s: CaliperSpacing): number {
  return kind === 'distance' ? caliperDistance(points[0]!, points[1]!, s) : caliperArea(points, s);
}
