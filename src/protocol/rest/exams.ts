import { type Static, Type as T } from '@sinclair/typebox';
import { ClinicianMeasurementsBody, ManualMeasureDto } from './manual-measures.js';
import { FlagDto, OutlineDto, SegmentDto, StoredResultDto } from './results.js';

const PN = '^[^\\\\^=\\n\\r]{0,64}(\\^[^\\\\^=\\n\\r]{0,64}){0,4}$';
const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(s: S) => T.Union([s, T.Null()]);

export const ExamTypeDto = T.Union([T.Literal('obstetric'), T.Literal('breast')], {
  description: 'Chooses the models whose results become measurements: fetal head (obstetric) or breast lesion (breast)',
});
export type ExamTypeDto = Static<typeof ExamTypeDto>;

/** The breast a capture was taken on (src/protocol/laterality.ts): required on a breast exam's captures. */
export const BreastSideDto = T.Union([T.Literal('left'), T.Literal('right')], { description: 'The breast this capture was taken on; required in a breast exam, refused in an obstetric one' });

export const PatientBody = T.Object(
  {
    name: T.Optional(T.String({ pattern: PN, maxLength: 320, description: 'DICOM PN form, e.g. DOE^JANE' })),
    id: T.Optional(T.String({ minLength: 1, maxLength: 64, pattern: '^[^\\\\\\n\\r]+$' })),
    birthDate: T.Optional(T.String({ pattern: '^(19|20)\\d\\d(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])$', description: 'YYYYMMDD' })),
    sex: T.Optional(T.Union([T.Literal('M'), T.Literal('F'), T.Literal('O')])),
  },
  { additionalProperties: false },
);

export const NewExamBody = T.Object(
  {
    examType: T.Optional(ExamTypeDto),
    patient: T.Optional(PatientBody),
    datingGaWeeks: T.Optional(T.Number({ minimum: 4, maximum: 44 })),
    operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    datingMethod: T.Optional(
      T.Union([T.Literal('lmp'), T.Literal('edd'), T.Literal('ga')], { description: 'How the pregnancy was dated; lmp and edd need datingDate (the daemon works out datingGaWeeks)' }),
    ),
    datingDate: T.Optional(T.String({ pattern: '^\\d{8}$', description: 'The LMP or EDD, YYYYMMDD' })),
    accessionNumber: T.Optional(T.String({ minLength: 1, maxLength: 16, pattern: '^[^\\\\\\n\\r]+$', description: "The RIS's accession number (from the worklist)" })),
    confirmSamePatient: T.Optional(
      T.Boolean({ description: 'The patient ID is already kept for someone with another birth date or family name (409 SONO_PATIENT_MISMATCH), and this is the same patient' }),
    ),
  },
  { additionalProperties: false },
);
export type NewExamBody = Static<typeof NewExamBody>;

/** The fetal head's ellipse as a clinician left it (centre and semi-axes in frame pixels, angle in degrees). */
export const EllipseGeometryDto = T.Object(
  {
    ellipse: T.Object(
      { cx: T.Number(), cy: T.Number(), semiMajor: T.Number({ exclusiveMinimum: 0 }), semiMinor: T.Number({ exclusiveMinimum: 0 }), angleDeg: T.Number() },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: "The fetal head's ellipse as the clinician left it (centre, semi-axes in frame pixels, angle in degrees)" },
);
export const GeometryDto = T.Union([SegmentDto, OutlineDto, EllipseGeometryDto]);
export type GeometryDto = Static<typeof GeometryDto>;

const ReadingDto = T.Object({ value: Nullable(T.Number()), text: Nullable(T.String()), by: T.String(), at: T.String() });
const SecondReadDto = T.Object(
  {
    first: T.Object({
      state: T.Union([T.Literal('unverified'), T.Literal('confirmed'), T.Literal('corrected')]),
      value: Nullable(T.Number()),
      text: Nullable(T.String()),
      geometry: Nullable(GeometryDto),
      by: Nullable(T.String()),
      at: Nullable(T.String()),
    }),
    second: T.Composite([ReadingDto, T.Object({ agree: T.Boolean() })]),
    adjudicated: Nullable(ReadingDto),
    flagged: T.Boolean({ description: 'The latest second reading disagrees and nobody adjudicated it yet: the values above are the last settled ones' }),
  },
  { description: 'A signed value second-read: the values above are its value of record (the latest adjudication, else the first decision as signed, kept here)' },
);

export const MeasurementDto = T.Object({
  id: T.String(),
  captureId: T.String(),
  kind: T.String({ description: 'hc, bpd, ofd, ga, lesion_max_diameter, lesion_perpendicular_diameter, lesion_orientation, lesion_margin, lesion_class, malignancy_probability' }),
  unit: T.String({ description: 'mm, weeks, px, % or ratio' }),
  aiValue: Nullable(T.Number()),
  finalValue: Nullable(T.Number()),
  aiText: Nullable(T.String()),
  finalText: Nullable(T.String()),
  aiGeometry: Nullable(GeometryDto),
  finalGeometry: Nullable(GeometryDto),
  state: T.Union([T.Literal('unverified'), T.Literal('confirmed'), T.Literal('corrected')]),
  modelId: Nullable(T.String()),
  modelVersion: Nullable(T.String()),
  provider: Nullable(T.String()),
  decidedBy: Nullable(T.String()),
  decidedAt: Nullable(T.String()),
  secondRead: T.Optional(SecondReadDto),
});
export type MeasurementDto = Static<typeof MeasurementDto>;

export const CaptureDto = T.Object({
  id: T.String(),
  examId: T.String(),
  createdAt: T.String(),
  frameSeq: T.Number(),
  width: T.Number(),
  height: T.Number(),
  pixelSpacing: Nullable(T.Object({ x: T.Number(), y: T.Number() })),
  laterality: T.Optional(Nullable(BreastSideDto)),
  results: T.Array(StoredResultDto),
  measurements: T.Array(MeasurementDto),
  clinicianMeasurements: T.Optional(T.Array(ManualMeasureDto, { description: "The clinician's own distance and area calipers on this frame" })),
});
export type CaptureDto = Static<typeof CaptureDto>;

export const ExamSyncDto = T.Union([T.Literal('none'), T.Literal('pending'), T.Literal('sent'), T.Literal('rejected'), T.Literal('held')], {
  description: 'Delivery to the PACS targets (held: an image waits for a person to release it)',
});
export type ExamSyncDto = Static<typeof ExamSyncDto>;

const ExamBase = {
  id: T.String(),
  createdAt: T.String(),
  closedAt: Nullable(T.String()),
  anonymous: T.Boolean(),
  examType: ExamTypeDto,
  patient: Nullable(T.Object({ name: T.Optional(T.String()), id: T.Optional(T.String()), birthDate: T.Optional(T.String()), sex: T.Optional(T.String()) })),
  datingGaWeeks: Nullable(T.Number()),
  operator: Nullable(T.String()),
  datingMethod: T.Optional(Nullable(T.String())),
  datingDate: T.Optional(Nullable(T.String())),
  accessionNumber: T.Optional(Nullable(T.String())),
  voidedAt: T.Optional(Nullable(T.String({ description: 'Set when the exam was voided (started by mistake): kept, never synced' }))),
  voidedBy: T.Optional(Nullable(T.String())),
  voidReason: T.Optional(Nullable(T.String())),
};
export const ExamDto = T.Object({ ...ExamBase, captures: T.Array(CaptureDto), sync: T.Optional(ExamSyncDto) });
export type ExamDto = Static<typeof ExamDto>;
export const ExamSummaryDto = T.Object({ ...ExamBase, captureCount: T.Number(), sync: ExamSyncDto });
export type ExamSummaryDto = Static<typeof ExamSummaryDto>;

export const IdParams = T.Object({ id: T.String({ minLength: 1, maxLength: 64 }) });

/** Coordinates are frame pixels; the store checks them against the capture's own frame size. */
export const DecisionBody = T.Object(
  {
    decision: T.Union([T.Literal('confirmed'), T.Literal('corrected')]),
    value: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 20000, description: "Corrected number (mm, px, weeks, % or ratio, as the measurement's unit)" })),
    text: T.Optional(T.String({ minLength: 1, maxLength: 32, description: 'Corrected category of a categorical measurement (orientation, margin, class)' })),
    geometry: T.Optional(
      T.Union([
        T.Object({ x1: T.Number(), y1: T.Number(), x2: T.Number(), y2: T.Number() }, { additionalProperties: false, description: 'Corrected caliper end points, frame pixels' }),
        T.Object(
          { outline: T.Array(T.Number(), { minItems: 6, maxItems: 40000 }) },
          { additionalProperties: false, description: 'Corrected lesion outline, flat [x0, y0, x1, y1, …] in frame pixels' },
        ),
        EllipseGeometryDto,
      ]),
    ),
    by: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'Ignored: the signed-in user is recorded as who decided (accepted so older clients keep working)' })),
    expect: T.Optional(
      T.Object(
        {
          state: T.Union([T.Literal('unverified'), T.Literal('confirmed'), T.Literal('corrected')]),
          // null first: the validator coerces types, and a string branch first would turn null into ""
          decidedAt: T.Union([T.Null(), T.String({ maxLength: 64 })]),
        },
        {
          additionalProperties: false,
          description: 'The measurement as the client showed it (its state and decidedAt): when it is no longer so (someone decided since), 409 SONO_DECISION_STALE and nothing is stored',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type DecisionBody = Static<typeof DecisionBody>;

export const ActorBody = T.Object({ operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });
export type ActorBody = Static<typeof ActorBody>;

export const CaptureBody = T.Object(
  {
    operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    seq: T.Optional(T.Integer({ minimum: 0, description: 'A frozen cine frame; default: the newest frame with results' })),
    laterality: T.Optional(BreastSideDto),
    clinicianMeasurements: T.Optional(ClinicianMeasurementsBody),
  },
  { additionalProperties: false },
);
export type CaptureBody = Static<typeof CaptureBody>;

export const CaptureFrameQuery = T.Object({ operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });
export type CaptureFrameQuery = Static<typeof CaptureFrameQuery>;

const Opt = <S extends Parameters<typeof T.Optional>[0]>(s: S) => T.Optional(s);
export const GrowthDto = T.Object(
  {
    visits: T.Array(T.Object({ examId: T.String(), date: T.String(), gaWeeks: T.Number(), hcMm: T.Number() })),
    points: T.Array(T.Object({ examId: Opt(T.String()), date: T.String(), gaWeeks: T.Number(), hcMm: T.Number(), z: Opt(T.Number()), centile: Opt(T.Number()) })),
    intervals: T.Array(T.Object({ from: T.String(), to: T.String(), days: T.Number(), velocityMmPerWeek: T.Number(), expectedMmPerWeek: T.Number(), zChange: Opt(T.Number()) })),
    flags: T.Array(FlagDto),
  },
  { description: "This patient's HC over visits (INTERGROWTH-21st)" },
);
export type GrowthDto = Static<typeof GrowthDto>;
export type IdParams = Static<typeof IdParams>;
