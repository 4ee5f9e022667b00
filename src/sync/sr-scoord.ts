/**
 * Where a measurement was taken, as a receiving viewer can draw it: an SCOORD content item (DICOM PS3.3
 * C.18.6, Spatial Coordinates) INFERRED FROM by the measurement and SELECTED FROM the image it was measured
 * on, as PS3.16 TID 300 (Measurement) includes TID 320 (Image or Spatial Coordinates) with the purpose
 * DCM 121112 "Source of Measurement".
 *
 * Graphic Data are (column, row) pairs in the referenced image's pixel coordinates, sub-pixel: the top-left
 * corner of the top-left pixel is 0,0, the centre of that pixel 0.5,0.5, the bottom-right corner of the
 * image Columns,Rows (PS3.3 C.18.6.1.1, the same convention as Graphic Annotation, C.10.5.1.2). A 2D SCOORD
 * has no POLYGON graphic type (that one is SCOORD3D's): a closed outline is a POLYLINE whose last vertex
 * repeats its first (C.18.6.1.2); an ELLIPSE is four points, the major axis' end points then the minor
 * axis' end points.
 */
import type { Dataset } from './dicom-file.js';
import { type ImageRef, code } from './sr-document.js';

export interface ImageShape {
  graphicType: 'POLYLINE' | 'ELLIPSE';
  /** (column, row) in the referenced image's pixel coordinates, 0,0 the top-left corner of the top-left pixel */
  points: Array<[number, number]>;
}

/**
 * What (0,0) means in the frame pixels a record stores. The AI's geometry comes from the analysis, which maps
 * model pixels to frame pixels with integer coordinates at pixel centres (src/inference/preprocess.ts
 * modelToFrame): `'pixel-centre'`. The clinician's points come from pointer positions on the page's canvas,
 * where 0,0 is the frame's top-left corner (web-ui/src/live/frame-view.ts toFrame): `'pixel-corner'`, which
 * is DICOM's own convention.
 */
export type FrameOrigin = 'pixel-centre' | 'pixel-corner';

/** Frame pixels are the referenced image's pixels one to one: the export zeroes what lies outside the imaging region but neither crops nor scales (src/sync/export-exam.ts). */
function toImage(x: number, y: number, origin: FrameOrigin): [number, number] {
  const shift = origin === 'pixel-centre' ? 0.5 : 0;
  return [round(x + shift), round(y + shift)];
}

/** Graphic Data is FL (32-bit float): thousandths of a pixel is already past what it holds for a large frame. */
const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Far beyond any frame (sides are at most 65535 pixels): a coordinate outside this is a damaged record, not a
 * place on the image, and gets no SCOORD (the measurement keeps its value and text).
 */
const LIMIT = 1e6;
const usable = (vs: readonly number[]): boolean => vs.every((v) => Number.isFinite(v) && Math.abs(v) <= LIMIT);

/** An open line through `points` (a caliper: two), or a closed outline (an area: its first point repeated at the end). */
export function polylineShape(points: ReadonlyArray<readonly [number, number]>, origin: FrameOrigin, closed: boolean): ImageShape | undefined {
  if (points.length < (closed ? 3 : 2) || !usable(points.flat())) return undefined;
  const pts = points.map(([x, y]) => toImage(x, y, origin));
  return { graphicType: 'POLYLINE', points: closed ? [...pts, pts[0]!] : pts };
}

export interface EllipseGeometry {
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  /** the major axis' angle from the image's x axis towards its y axis (rows grow downwards), degrees */
  angleDeg: number;
}

/** The end points of an ellipse's major and minor axes, in frame pixels: [major−, major+, minor−, minor+]. */
function axisEnds(e: EllipseGeometry): Array<[number, number]> {
  const a = (e.angleDeg * Math.PI) / 180;
  const [ux, uy] = [Math.cos(a), Math.sin(a)];
  const [vx, vy] = [-Math.sin(a), Math.cos(a)];
  return [
    [e.cx - e.semiMajor * ux, e.cy - e.semiMajor * uy],
    [e.cx + e.semiMajor * ux, e.cy + e.semiMajor * uy],
    [e.cx - e.semiMinor * vx, e.cy - e.semiMinor * vy],
    [e.cx + e.semiMinor * vx, e.cy + e.semiMinor * vy],
  ];
}

function validEllipse(e: EllipseGeometry): boolean {
  return usable([e.cx, e.cy, e.semiMajor, e.semiMinor, e.angleDeg]) && e.semiMajor > 0 && e.semiMinor > 0;
}

/** A whole ellipse (the head's circumference): ELLIPSE, major axis end points then minor axis end points. */
export function ellipseShape(e: EllipseGeometry, origin: FrameOrigin): ImageShape | undefined {
  if (!validEllipse(e)) return undefined;
  return { graphicType: 'ELLIPSE', points: axisEnds(e).map(([x, y]) => toImage(x, y, origin)) };
}

/** One axis of an ellipse as a two-point line: the major one is the OFD, the minor one the BPD (outer to outer, as the fit measures them). */
export function axisShape(e: EllipseGeometry, axis: 'major' | 'minor', origin: FrameOrigin): ImageShape | undefined {
  if (!validEllipse(e)) return undefined;
  const ends = axisEnds(e).slice(axis === 'major' ? 0 : 2, axis === 'major' ? 2 : 4);
  return polylineShape(ends, origin, false);
}

/** The SCOORD of a measurement, INFERRED FROM by it and SELECTED FROM its image; nothing without a shape or an image. */
export function spatialItems(shape: ImageShape | undefined, image: ImageRef | undefined): Dataset[] {
  if (!shape || !image) return [];
  return [
    {
      RelationshipType: 'INFERRED FROM',
      ValueType: 'SCOORD',
      ConceptNameCodeSequence: [code('121112', 'DCM', 'Source of Measurement')],
      GraphicType: shape.graphicType,
      GraphicData: shape.points.flat(),
      ContentSequence: [
        {
          RelationshipType: 'SELECTED FROM',
          ValueType: 'IMAGE',
          ReferencedSOPSequence: [{ ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid }],
        },
      ],
    },
  ];
}
