/**
 * The OB-GYN Ultrasound Procedure Report (DICOM PS3.16 TID 5000) of an obstetric exam, beside the TID 1500
 * measurement report (src/sync/sr.ts): what OB reporting systems read. One Fetal Biometry section (TID 5005)
 * for fetus 1 (TID 1008) with a Biometry Group (TID 5008) per measured biometry of each capture: HC with the
 * gestational age derived from it by Hadlock 1984 (the equation named by LOINC 11932-1 "HC, Hadlock 1984" in
 * CID 12013 and written out: always the GA of the HC in the same group, also where the GA itself is undecided
 * or the HC was corrected or adjudicated without it), BPD and OFD. Values are the clinician's when decided,
 * else the AI's; the document says which through its Verification Flag and, for each value, the TID 1500 report.
 *
 * Codes: DCM 125000 OB-GYN Ultrasound Procedure Report, 125002 Fetal Biometry, 125005 Biometry Group,
 * 121424 Table of Values, 121420 Equation; LOINC 11951-1 Fetus ID, 11984-2 HC, 11820-8 BPD, 11851-3 OFD,
 * 18185-9 Gestational Age (CID 12005 Fetal Biometry Measurements, CID 12013 Gestational Age Equations/Tables).
 */
import { gaForHc } from '../records/ga-of-record.js';
import type { Dataset } from './dicom-file.js';
import { CONCEPTS, PROCEDURE, type SrInput, type SrMeasurement, UNITS } from './sr.js';
import { code, commentItems, inferredFrom, openingItems, srDocument } from './sr-document.js';
import { spatialItems } from './sr-scoord.js';
import type { StudyContext } from './us-image.js';

/** Hadlock 1984 (Radiology 152:497–501), GA from HC, as the fetal-head analysis computes it (src/analysis/biometry.ts). */
export const HADLOCK_HC_EQUATION = 'GA[weeks] = 8.96 + 0.540*HC + 0.0003*HC^3, HC in cm (Hadlock 1984)';
const HC_HADLOCK_1984 = code('11932-1', 'LN', 'HC, Hadlock 1984');

type Image = SrInput['groups'][number]['image'];

/** The value a reader should take: the decided one, else the AI's (the report is then UNVERIFIED). */
function valueOf(m: SrMeasurement): number | null {
  return m.state === 'unverified' ? m.aiValue : m.finalValue;
}

function num(m: SrMeasurement, value: number, image: Image, extra: Dataset[] = []): Dataset {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: [CONCEPTS[m.kind]],
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [UNITS[m.unit]], NumericValue: Number(value.toFixed(2)) }],
    // TID 5008 measures by TID 300: the image, and where on it (the head's ellipse or one of its axes)
    ContentSequence: [...extra, ...inferredFrom(image), ...spatialItems(m.shape, image)],
  };
}

/** TID 5008 groups of one capture: HC (+ GA by Hadlock), BPD, OFD. */
function biometryGroups(measurements: SrMeasurement[], image: Image): Dataset[] {
  const byKind = new Map(measurements.map((m) => [m.kind, m]));
  const group = (items: Dataset[]): Dataset => ({
    RelationshipType: 'CONTAINS',
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [code('125005', 'DCM', 'Biometry Group')],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: items,
  });
  const out: Dataset[] = [];
  const hc = byKind.get('hc');
  const hcValue = hc && valueOf(hc);
  if (hc && hcValue !== null && hcValue !== undefined) {
    const ga = byKind.get('ga');
    // the GA of the HC reported here, by the equation named below (src/records/ga-of-record.ts), decided or not
    const gaWeeks = ga ? (hc.unit === 'mm' ? gaForHc(valueOf(ga), hcValue, hc.aiValue, ga.aiValue) : valueOf(ga)) : null;
    out.push(
      group([
        num(hc, hcValue, image),
        ...(gaWeeks !== null && gaWeeks !== undefined
          ? [
              {
                RelationshipType: 'CONTAINS',
                ValueType: 'NUM',
                ConceptNameCodeSequence: [CONCEPTS.ga],
                MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [code('d', 'UCUM', 'day')], NumericValue: Math.round(gaWeeks * 7) }],
                ContentSequence: [
                  { RelationshipType: 'HAS CONCEPT MOD', ValueType: 'CODE', ConceptNameCodeSequence: [code('121424', 'DCM', 'Table of Values')], ConceptCodeSequence: [HC_HADLOCK_1984] },
                  { RelationshipType: 'HAS CONCEPT MOD', ValueType: 'TEXT', ConceptNameCodeSequence: [code('121420', 'DCM', 'Equation')], TextValue: HADLOCK_HC_EQUATION },
                ],
              },
            ]
          : []),
      ]),
    );
  }
  for (const kind of ['bpd', 'ofd'] as const) {
    const m = byKind.get(kind);
    const v = m && valueOf(m);
    if (m && v !== null && v !== undefined) out.push(group([num(m, v, image)]));
  }
  return out;
}

/** The TID 5000 document of an obstetric exam (same study, its own series; status and UIDs as the caller gives). */
export function buildObReport(study: StudyContext, sr: SrInput): Dataset {
  const content: Dataset[] = [
    ...openingItems(sr, PROCEDURE.obstetric),
    {
      RelationshipType: 'CONTAINS',
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [code('125002', 'DCM', 'Fetal Biometry')],
      ContinuityOfContent: 'SEPARATE',
      ContentSequence: [
        { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: [code('11951-1', 'LN', 'Fetus ID')], TextValue: '1' },
        ...sr.groups.flatMap((g) => biometryGroups(g.measurements, g.image)),
      ],
    },
    ...commentItems([
      ...sr.notes,
      'Values are AI measurements confirmed or corrected by a clinician where the report is VERIFIED; the Imaging Measurement Report (TID 1500) of this study records each decision.',
    ]),
  ];
  return srDocument(study, sr, { title: code('125000', 'DCM', 'OB-GYN Ultrasound Procedure Report'), template: '5000', seriesDescription: 'OB-GYN ultrasound report', seriesNumber: 98 }, content);
}
