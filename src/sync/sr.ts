/**
 * The closed exam's Comprehensive SR: a TID 1500-shaped Imaging Measurement Report with one measurement
 * group per capture (HC, BPD, OFD with LOINC codes; GA; the clinician's own distances and areas), following the IHE AI Results pattern: the
 * algorithm is named in Contributing Equipment, the report stays UNVERIFIED until a clinician signs it
 * (src/server/plugins/sign-off.ts: a later revision, src/sync/sr-revision.ts), and each decision
 * (confirmed/corrected, AI value, by whom) is recorded. A value with a place on the image (a caliper line, the
 * head's ellipse or an axis of it, a lesion outline) also carries it as an SCOORD a viewer can draw
 * (src/sync/sr-scoord.ts, which shape: src/sync/sr-geometry.ts).
 */
import { type BreastSide, LATERALITY_CONCEPT, LATERALITY_VALUE } from '../protocol/laterality.js';
import type { LesionClass, LesionMargin, LesionOrientation } from '../protocol/lesion-categories.js';
import type { ExamType, MeasurementKind, MeasurementUnit } from '../records/types.js';
import type { Dataset } from './dicom-file.js';
import { measurementReportDescription } from './descriptors.js';
import { type Code, type ImageRef, code, commentItems, inferredFrom, openingItems, srDocument } from './sr-document.js';
import { type SrManualMeasure, manualItem } from './sr-manual.js';
import { type ImageShape, spatialItems } from './sr-scoord.js';
import { COMPREHENSIVE_SR, type DocumentStatus } from './sr-revision-status.js';
import type { StudyContext } from './us-image.js';

export { COMPREHENSIVE_SR, type Code, code };
export { algorithmEquipment, decidersOf, evidence, observerContext } from './sr-document.js';

// '{pixel}' is a UCUM annotation (unity): sizes measured without a known pixel spacing are labelled as such.
export const UNITS: Record<MeasurementUnit, Code> = {
  mm: code('mm', 'UCUM', 'millimeter'),
  weeks: code('wk', 'UCUM', 'week'),
  px: code('{pixel}', 'UCUM', 'pixel'),
  '%': code('%', 'UCUM', 'percent'),
  ratio: code('1', 'UCUM', 'no units'),
};
/**
 * Concept names. Fetal biometry: LOINC. Lesion diameters: SNOMED CT Long Axis 103339001 and Perpendicular
 * Axis 131189007 (DICOM CID 7470 Linear Measurements); malignancy: DCM 111047 Probability of cancer.
 * BI-RADS orientation and margin and the AI's class have no code we could verify, so they use private
 * 99SONO codes (clearly local, never to be read as standard).
 */
export const CONCEPTS: Record<MeasurementKind, Code> = {
  hc: code('11984-2', 'LN', 'Head Circumference'),
  bpd: code('11820-8', 'LN', 'Biparietal Diameter'),
  ofd: code('11851-3', 'LN', 'Occipital-Frontal Diameter'),
  ga: code('18185-9', 'LN', 'Gestational Age'),
  lesion_max_diameter: code('103339001', 'SCT', 'Long Axis'),
  lesion_perpendicular_diameter: code('131189007', 'SCT', 'Perpendicular Axis'),
  malignancy_probability: code('111047', 'DCM', 'Probability of cancer'),
  lesion_orientation: code('SONO001', '99SONO', 'Lesion orientation (BI-RADS)'),
  lesion_margin: code('SONO002', '99SONO', 'Lesion margin (BI-RADS)'),
  lesion_class: code('SONO003', '99SONO', 'AI lesion class'),
};
/** A DICOM code for every category value of src/protocol/lesion-categories.ts (a new value fails the typecheck here). */
const CATEGORY_CODES: Record<LesionClass | LesionOrientation | LesionMargin, Code> & Record<string, Code | undefined> = {
  parallel: code('SONO011', '99SONO', 'Parallel (wider than tall)'),
  'not-parallel': code('SONO012', '99SONO', 'Not parallel (taller than wide)'),
  circumscribed: code('SONO021', '99SONO', 'Circumscribed'),
  irregular: code('SONO022', '99SONO', 'Not circumscribed (irregular)'),
  normal: code('SONO031', '99SONO', 'No lesion (normal)'),
  benign: code('SONO032', '99SONO', 'Benign-appearing lesion'),
  malignant: code('SONO033', '99SONO', 'Malignant-appearing lesion'),
};
export const PROCEDURE: Record<ExamType, Code> = {
  obstetric: code('268445003', 'SCT', 'Ultrasound scan - obstetric'),
  breast: code('47079000', 'SCT', 'Ultrasonography of breast'),
};
const GROUP_NAME: Record<ExamType, string> = { obstetric: 'fetal head', breast: 'breast lesion' };

export interface SrMeasurement {
  kind: MeasurementKind;
  unit: MeasurementUnit;
  aiValue: number | null;
  finalValue: number | null;
  aiText?: string | null;
  finalText?: string | null;
  state: 'unverified' | 'confirmed' | 'corrected';
  decidedBy: string | null;
  decidedAt: string | null;
  /** where on the image the value was measured (src/sync/sr-geometry.ts), carried as an SCOORD */
  shape?: ImageShape | undefined;
}

export interface SrInput {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  contentDate: string;
  contentTime: string;
  /** `manual`: the clinician's own distance and area calipers on the capture (src/sync/sr-manual.ts) */
  /** `laterality`: the breast the capture was taken on (a breast exam's Finding Site carries it) */
  groups: Array<{ trackingUid: string; image?: ImageRef; measurements: SrMeasurement[]; manual?: SrManualMeasure[] | undefined; laterality?: BreastSide | null | undefined }>;
  algorithm: { name: string; version: string; deviceUid: string; provider: string };
  /** default obstetric */
  examType?: ExamType;
  /** INTERGROWTH-21st centile text, when a dating GA was given */
  notes: string[];
  /** signed (VERIFIED) or not, and the sent revision this one replaces (src/sync/sr-revision.ts) */
  status?: DocumentStatus | undefined;
  /** default 1; a revision's number + 1 */
  instanceNumber?: number | undefined;
}

/** The side of the Finding Site (TID 1501, TID 300 $TargetSiteLaterality): HAS CONCEPT MOD Laterality = Left / Right (CID 244). */
function findingSiteLaterality(side: BreastSide | null | undefined): Dataset {
  if (!side) return {};
  return { ContentSequence: [{ RelationshipType: 'HAS CONCEPT MOD', ValueType: 'CODE', ConceptNameCodeSequence: [{ ...LATERALITY_CONCEPT }], ConceptCodeSequence: [{ ...LATERALITY_VALUE[side] }] }] };
}

/** A numeric measurement (NUM) or, for a categorical one, its category (CODE), with its review state. */
function item(m: SrMeasurement, image?: ImageRef): Dataset | undefined {
  const text = m.state === 'unverified' ? m.aiText : m.finalText;
  const value = m.state === 'unverified' ? m.aiValue : m.finalValue;
  const category = text ? CATEGORY_CODES[text] : undefined;
  if (!category && value === null) return undefined;
  const ai = `${m.aiText ? `${m.aiText}, ` : ''}${m.aiValue?.toFixed(2)} ${m.unit}`;
  return {
    RelationshipType: 'CONTAINS',
    ConceptNameCodeSequence: [CONCEPTS[m.kind]],
    ...(category
      ? { ValueType: 'CODE', ConceptCodeSequence: [category] }
      : { ValueType: 'NUM', MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [UNITS[m.unit]], NumericValue: Number(value!.toFixed(2)) }] }),
    ContentSequence: [
      ...inferredFrom(image),
      ...spatialItems(m.shape, image),
      {
        RelationshipType: 'HAS PROPERTIES',
        ValueType: 'TEXT',
        ConceptNameCodeSequence: [code('121071', 'DCM', 'Finding')],
        TextValue: m.state === 'unverified' ? `AI proposal, not verified by a clinician (AI value ${ai})` : `${m.state} by ${m.decidedBy} at ${m.decidedAt}; AI value ${ai}`,
      },
    ],
  };
}

export function buildMeasurementSr(study: StudyContext, sr: SrInput): Dataset {
  const examType = sr.examType ?? 'obstetric';
  const content: Dataset[] = [
    ...openingItems(sr, PROCEDURE[examType]),
    {
      RelationshipType: 'CONTAINS',
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [code('126010', 'DCM', 'Imaging Measurements')],
      ContinuityOfContent: 'SEPARATE',
      ContentSequence: sr.groups.map((g, i) => ({
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: [code('125007', 'DCM', 'Measurement Group')],
        ContinuityOfContent: 'SEPARATE',
        ContentSequence: [
          { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: [code('112039', 'DCM', 'Tracking Identifier')], TextValue: `${GROUP_NAME[examType]} capture ${i + 1}` },
          { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'UIDREF', ConceptNameCodeSequence: [code('112040', 'DCM', 'Tracking Unique Identifier')], UID: g.trackingUid },
          ...(examType === 'breast'
            ? [
                {
                  RelationshipType: 'HAS CONCEPT MOD',
                  ValueType: 'CODE',
                  ConceptNameCodeSequence: [code('363698007', 'SCT', 'Finding Site')],
                  ConceptCodeSequence: [code('76752008', 'SCT', 'Breast')],
                  ...findingSiteLaterality(g.laterality),
                },
              ]
            : []),
          ...g.measurements.flatMap((m) => item(m, g.image) ?? []),
          ...(g.manual ?? []).map((m) => manualItem(m, g.image)),
        ],
      })),
    },
    ...commentItems(sr.notes),
  ];
  return srDocument(
    study,
    sr,
    {
      title: code('126000', 'DCM', 'Imaging Measurement Report'),
      template: '1500',
      seriesDescription: measurementReportDescription(examType),
      seriesNumber: 99,
      // private codes are declared, so a reader knows whose they are (SOP Common, C.12.1.1.2)
      codingSchemes:
        examType === 'breast' ? [{ CodingSchemeDesignator: '99SONO', CodingSchemeName: 'sonoedge local codes (not standard)', CodingSchemeResponsibleOrganization: 'sonoedge project' }] : undefined,
    },
    content,
  );
}
