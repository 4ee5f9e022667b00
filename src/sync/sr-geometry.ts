/**
 * Which shape on the image a stored measurement was taken from, as the report carries it (src/sync/sr-scoord.ts):
 * the head's ellipse for HC (whole), BPD (its minor axis) and OFD (its major axis); a lesion diameter's caliper
 * line; the lesion outline the margin was judged on. GA, orientation, class and probability have none.
 *
 * The shape is the one the value came from: the clinician's when they corrected it with new geometry (drawn
 * on the page, pixel-corner coordinates), else the AI's (pixel-centre coordinates). A value corrected by
 * typing a number has no shape that measures it, so it gets none; a margin re-classed without moving the
 * outline keeps the AI's outline, which the clinician accepted (as src/qa-export/outlines.ts reads it).
 */
import type { Measurement, MeasurementKind } from '../records/types.js';
import { type EllipseGeometry, type FrameOrigin, type ImageShape, axisShape, ellipseShape, polylineShape } from './sr-scoord.js';

const HEAD: Partial<Record<MeasurementKind, (e: EllipseGeometry, origin: FrameOrigin) => ImageShape | undefined>> = {
  hc: ellipseShape,
  bpd: (e, o) => axisShape(e, 'minor', o),
  ofd: (e, o) => axisShape(e, 'major', o),
};
const CALIPERS: ReadonlySet<MeasurementKind> = new Set(['lesion_max_diameter', 'lesion_perpendicular_diameter']);

const isObject = (g: unknown): g is Record<string, unknown> => typeof g === 'object' && g !== null;
const allNumbers = (vs: unknown[]): vs is number[] => vs.every((v) => typeof v === 'number');

function ellipseOf(g: unknown): EllipseGeometry | undefined {
  const e = isObject(g) ? g.ellipse : undefined;
  if (!isObject(e)) return undefined;
  const { cx, cy, semiMajor, semiMinor, angleDeg } = e;
  const vs = [cx, cy, semiMajor, semiMinor, angleDeg];
  return allNumbers(vs) ? { cx: vs[0]!, cy: vs[1]!, semiMajor: vs[2]!, semiMinor: vs[3]!, angleDeg: vs[4]! } : undefined;
}

function shapeOf(kind: MeasurementKind, g: unknown, origin: FrameOrigin): ImageShape | undefined {
  const head = HEAD[kind];
  if (head) {
    const e = ellipseOf(g);
    return e && head(e, origin);
  }
  if (!isObject(g)) return undefined;
  if (CALIPERS.has(kind)) {
    const vs = [g.x1, g.y1, g.x2, g.y2];
    return allNumbers(vs)
      ? polylineShape(
          [
            [vs[0]!, vs[1]!],
            [vs[2]!, vs[3]!],
          ],
          origin,
          false,
        )
      : undefined;
  }
  if (kind === 'lesion_margin' && Array.isArray(g.outline) && g.outline.length % 2 === 0 && allNumbers(g.outline)) {
    const o = g.outline;
    return polylineShape(
      Array.from({ length: o.length / 2 }, (_, i): [number, number] => [o[2 * i]!, o[2 * i + 1]!]),
      origin,
      true,
    );
  }
  return undefined;
}

export type MeasurementGeometry = Pick<Measurement, 'kind' | 'state' | 'aiGeometry' | 'finalGeometry'>;

/**
 * The shape of one measurement in the referenced image's coordinates, or nothing. `aiEllipse`: the head's
 * ellipse from the capture's fetal-head result (the HC, BPD and OFD rows store no geometry of their own).
 */
export function measurementShape(m: MeasurementGeometry, aiEllipse: unknown): ImageShape | undefined {
  // `decide` stores the geometry a correction sent as the final one; a confirmation copies the AI's
  if (m.state === 'corrected' && m.finalGeometry !== null && m.finalGeometry !== undefined) return shapeOf(m.kind, m.finalGeometry, 'pixel-corner');
  if (m.state === 'corrected' && m.kind !== 'lesion_margin') return undefined;
  const ai = m.aiGeometry ?? (HEAD[m.kind] ? { ellipse: aiEllipse } : null);
  return shapeOf(m.kind, ai, 'pixel-centre');
}
