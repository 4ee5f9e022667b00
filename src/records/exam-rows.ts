/** The exams and measurements tables' rows as the records' types (the one place that maps columns to fields). */
import type { Exam, Measurement, MeasurementState, Patient } from './types.js';
import { withValueOfRecord } from './value-of-record.js';

export interface ExamRow {
  id: string;
  created_at: string;
  closed_at: string | null;
  patient_name: string | null;
  patient_id: string | null;
  patient_birth_date: string | null;
  patient_sex: string | null;
  dating_ga_weeks: number | null;
  operator: string | null;
  exam_type: string;
  dating_method: string | null;
  dating_date: string | null;
  accession_number: string | null;
  voided_at: string | null;
  voided_by: string | null;
  void_reason: string | null;
}

export function examOf(r: ExamRow): Omit<Exam, 'captures'> {
  const patient: Patient | null =
    r.patient_name || r.patient_id || r.patient_birth_date || r.patient_sex
      ? { name: r.patient_name ?? undefined, id: r.patient_id ?? undefined, birthDate: r.patient_birth_date ?? undefined, sex: (r.patient_sex as Patient['sex']) ?? undefined }
      : null;
  return {
    id: r.id,
    createdAt: r.created_at,
    closedAt: r.closed_at,
    anonymous: !patient,
    examType: r.exam_type as Exam['examType'],
    patient,
    datingGaWeeks: r.dating_ga_weeks,
    operator: r.operator,
    datingMethod: r.dating_method,
    datingDate: r.dating_date,
    accessionNumber: r.accession_number,
    voidedAt: r.voided_at,
    voidedBy: r.voided_by,
    voidReason: r.void_reason,
  };
}

/**
 * A measurements row as a Measurement. A row read through value-of-record.ts MEASUREMENT_ROWS (every exam read)
 * carries its second reading and adjudication: the fields are then its value of record, the first decision
 * in `secondRead.first`; a plain `SELECT * FROM measurements` row (a decision's answer) has none to carry.
 */
export function measurementOf(m: Record<string, unknown>): Measurement {
  return withValueOfRecord(firstOf(m), m);
}

function firstOf(m: Record<string, unknown>): Measurement {
  return {
    id: m.id as string,
    captureId: m.capture_id as string,
    kind: m.kind as Measurement['kind'],
    unit: m.unit as Measurement['unit'],
    aiValue: m.ai_value as number | null,
    finalValue: m.final_value as number | null,
    aiText: (m.ai_text as string | null) ?? null,
    finalText: (m.final_text as string | null) ?? null,
    aiGeometry: m.ai_geometry_json ? (JSON.parse(m.ai_geometry_json as string) as unknown) : null,
    finalGeometry: m.final_geometry_json ? (JSON.parse(m.final_geometry_json as string) as unknown) : null,
    state: m.state as MeasurementState,
    modelId: m.model_id as string | null,
    modelVersion: m.model_version as string | null,
    provider: m.provider as string | null,
    decidedBy: m.decided_by as string | null,
    decidedAt: m.decided_at as string | null,
  };
}
