/** DTOs of the patient picker, the patient's growth, the exam list's search, voiding and the decision history. */
import { type Static, Type as T } from '@sinclair/typebox';
import { FlagDto } from './results.js';

const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(s: S) => T.Union([s, T.Null()]);

export const PatientsQuery = T.Object(
  {
    q: T.Optional(T.String({ maxLength: 64, description: 'Part of the patient ID or name (any case; spaces match the ^ between name parts)' })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 100, description: 'Default 20' })),
  },
  { additionalProperties: false },
);
export type PatientsQuery = Static<typeof PatientsQuery>;

export const PatientSummaryDto = T.Object({
  id: T.String(),
  name: Nullable(T.String({ description: 'DICOM PN FAMILY^GIVEN, as on the newest exam' })),
  birthDate: Nullable(T.String({ description: 'YYYYMMDD' })),
  sex: Nullable(T.String()),
  examCount: T.Integer(),
  lastExamAt: T.String(),
});
export type PatientSummaryDto = Static<typeof PatientSummaryDto>;

export const PatientIdParams = T.Object({ patientId: T.String({ minLength: 1, maxLength: 64 }) });
export type PatientIdParams = Static<typeof PatientIdParams>;

export const ExamsQuery = T.Object({ patientId: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'Only this patient’s exams (exact ID)' })) }, { additionalProperties: false });
export type ExamsQuery = Static<typeof ExamsQuery>;

/** One visit of the growth table: the HC the point comes from, its capture and who decided it. */
export const GrowthVisitDto = T.Object({
  examId: T.String(),
  date: T.String({ description: 'YYYY-MM-DD' }),
  gaWeeks: Nullable(T.Number({ description: 'The exam’s dating GA; null: not dated, not plotted' })),
  hcMm: Nullable(T.Number({ description: 'The decided HC; null: no HC decided on this exam, not plotted' })),
  aiHcMm: Nullable(T.Number()),
  state: T.Union([T.Literal('confirmed'), T.Literal('corrected'), T.Literal('unverified'), T.Literal('none')], { description: 'none: no HC captured' }),
  captureId: Nullable(T.String()),
  measurementId: Nullable(T.String()),
  decidedBy: Nullable(T.String()),
});
export type GrowthVisitDto = Static<typeof GrowthVisitDto>;

export const PatientGrowthDto = T.Object(
  {
    patient: PatientSummaryDto,
    visits: T.Array(GrowthVisitDto),
    points: T.Array(T.Object({ examId: T.Optional(T.String()), date: T.String(), gaWeeks: T.Number(), hcMm: T.Number(), z: T.Optional(T.Number()), centile: T.Optional(T.Number()) })),
    flags: T.Array(FlagDto),
  },
  { description: 'One patient’s HC over their visits: only decided values are plotted (INTERGROWTH-21st)' },
);
export type PatientGrowthDto = Static<typeof PatientGrowthDto>;

export const VoidBody = T.Object({ reason: T.String({ minLength: 3, maxLength: 200, description: 'Why the exam is voided (e.g. started for the wrong patient)' }) }, { additionalProperties: false });
export type VoidBody = Static<typeof VoidBody>;

export const DecisionHistoryDto = T.Array(
  T.Object({
    measurementId: T.String(),
    kind: T.String(),
    decision: T.Union([T.Literal('confirmed'), T.Literal('corrected')]),
    finalValue: Nullable(T.Number()),
    finalText: Nullable(T.String()),
    withEllipse: T.Optional(T.Boolean({ description: 'The decision stored an ellipse of its own (a head outline the clinician left)' })),
    by: T.String(),
    at: T.String(),
  }),
);
export type DecisionHistoryDto = Static<typeof DecisionHistoryDto>;
