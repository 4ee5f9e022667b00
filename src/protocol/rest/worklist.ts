import { type Static, Type as T } from '@sinclair/typebox';

const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(s: S) => T.Union([s, T.Null()]);

export const WorklistQuery = T.Object(
  {
    date: T.Optional(T.String({ pattern: '^\\d{8}(-\\d{8})?$', description: 'Scheduled date YYYYMMDD or range YYYYMMDD-YYYYMMDD; default: today (device time zone)' })),
    modality: T.Optional(T.String({ pattern: '^([A-Z0-9_]{1,16}|any)$', description: 'Modality of the scheduled step; default US; "any" for every modality' })),
  },
  { additionalProperties: false },
);
export type WorklistQuery = Static<typeof WorklistQuery>;

/** The patient in the form POST /api/exams takes (`patient`), so a picked item needs no typing. */
export const WorklistPatientDto = T.Object(
  {
    name: T.Optional(T.String({ description: 'DICOM PN, alphabetic group: FAMILY^GIVEN' })),
    id: T.Optional(T.String()),
    birthDate: T.Optional(T.String({ description: 'YYYYMMDD' })),
    sex: T.Optional(T.Union([T.Literal('M'), T.Literal('F'), T.Literal('O')])),
  },
  { additionalProperties: false },
);

export const WorklistItemDto = T.Object(
  {
    patient: WorklistPatientDto,
    accessionNumber: Nullable(T.String()),
    scheduledDate: Nullable(T.String({ description: 'YYYYMMDD' })),
    scheduledTime: Nullable(T.String({ description: 'HHMM or HHMMSS' })),
    modality: Nullable(T.String()),
    procedureDescription: Nullable(T.String({ description: "The scheduled step's description, else the requested procedure's" })),
    scheduledStationAeTitle: Nullable(T.String()),
    scheduledProcedureStepId: Nullable(T.String()),
    requestedProcedureId: Nullable(T.String()),
    studyInstanceUid: Nullable(T.String()),
    referringPhysician: Nullable(T.String()),
  },
  { additionalProperties: false },
);
export type WorklistItemDto = Static<typeof WorklistItemDto>;

export const WorklistDto = T.Object({
  date: T.String({ description: 'The scheduled date (or range) asked for' }),
  modality: Nullable(T.String({ description: 'The modality asked for; null: every modality' })),
  items: T.Array(WorklistItemDto),
  truncated: T.Boolean({ description: 'The RIS held more items than are shown; narrow the date' }),
});
export type WorklistDto = Static<typeof WorklistDto>;
