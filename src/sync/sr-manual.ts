/**
 * The clinician's own calipers in the TID 1500 report (issue 18): a distance as DCM 121206 "Distance" (CID 7470
 * Linear Measurement), an area as SCT 42798000 "Area" (CID 7471 Area Measurement), in UCUM mm / mm2 when the
 * frame had a pixel spacing. Without one the value is in pixels and said so ({pixel} annotations, unity):
 * never sent as millimetres. Each is INFERRED FROM the image it was measured on and names who measured it;
 * its points travel as an SCOORD on that image (a distance: a two-point POLYLINE; an area: a closed one).
 */
import type { ManualMeasure } from '../records/types.js';
import type { Dataset } from './dicom-file.js';
import { type Code, type ImageRef, code, inferredFrom } from './sr-document.js';
import { polylineShape, spatialItems } from './sr-scoord.js';

export type SrManualMeasure = Pick<ManualMeasure, 'kind' | 'n' | 'points' | 'value' | 'unit' | 'by' | 'at'>;

export const MANUAL_CONCEPTS: Record<ManualMeasure['kind'], Code> = {
  distance: code('121206', 'DCM', 'Distance'),
  area: code('42798000', 'SCT', 'Area'),
};
export const MANUAL_UNITS: Record<ManualMeasure['unit'], Code> = {
  mm: code('mm', 'UCUM', 'millimeter'),
  'mm²': code('mm2', 'UCUM', 'square millimeter'),
  px: code('{pixel}', 'UCUM', 'pixel'),
  'px²': code('{pixel^2}', 'UCUM', 'square pixel'),
};

/** A NUM content item for one of the clinician's measures. */
export function manualItem(m: SrManualMeasure, image?: ImageRef): Dataset {
  const where = m.points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: [MANUAL_CONCEPTS[m.kind]],
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [MANUAL_UNITS[m.unit]], NumericValue: Number(m.value.toFixed(2)) }],
    ContentSequence: [
      ...inferredFrom(image),
      // the points are where the clinician's pointer was on the page's canvas: DICOM's pixel-corner convention
      ...spatialItems(polylineShape(m.points, 'pixel-corner', m.kind === 'area'), image),
      {
        RelationshipType: 'HAS PROPERTIES',
        ValueType: 'TEXT',
        ConceptNameCodeSequence: [code('121071', 'DCM', 'Finding')],
        TextValue: `Measured by the clinician ${m.by ?? 'unknown'} at ${m.at}, not an AI result (${m.kind} ${m.n}, points in frame pixels ${where})`.slice(0, 1024),
      },
    ],
  };
}
