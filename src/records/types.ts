import type { BreastSide } from '../protocol/laterality.js';

export interface Patient {
  /** DICOM PN form, e.g. DOE^JANE */
  name?: string | undefined;
  id?: string | undefined;
  /** YYYYMMDD */
  birthDate?: string | undefined;
  sex?: 'M' | 'F' | 'O' | undefined;
}

/** Chooses the models whose results become measurements and the tools the UI offers. */
export type ExamType = 'obstetric' | 'breast';

export interface NewExam {
  examType?: ExamType | undefined;
  patient?: Patient | undefined;
  datingGaWeeks?: number | undefined;
  operator?: string | undefined;
  /** lmp/edd: `datingDate` (YYYYMMDD) gives the GA; ga: typed directly */
  datingMethod?: 'lmp' | 'edd' | 'ga' | undefined;
  datingDate?: string | undefined;
  accessionNumber?: string | undefined;
  /** the patient ID is kept for someone with another birth date or family name, and this is the same patient (patient-identity.ts) */
  confirmSamePatient?: boolean | undefined;
}

export type MeasurementState = 'unverified' | 'confirmed' | 'corrected';

export type FetalKind = 'hc' | 'bpd' | 'ofd' | 'ga';
export type LesionKind = 'lesion_max_diameter' | 'lesion_perpendicular_diameter' | 'lesion_orientation' | 'lesion_margin' | 'lesion_class' | 'malignancy_probability';
export type MeasurementKind = FetalKind | LesionKind;
/** px: no pixel spacing was known; ratio: height/width (orientation) or solidity (margin). */
export type MeasurementUnit = 'mm' | 'weeks' | 'px' | '%' | 'ratio';

export interface Measurement {
  id: string;
  captureId: string;
  kind: MeasurementKind;
  unit: MeasurementUnit;
  aiValue: number | null;
  finalValue: number | null;
  /** category of a categorical measurement (orientation, margin, class), the AI's and the final one */
  aiText: string | null;
  finalText: string | null;
  /** where it was measured, in frame pixels (caliper end points), the AI's and the final one */
  aiGeometry: unknown;
  finalGeometry: unknown;
  state: MeasurementState;
  modelId: string | null;
  modelVersion: string | null;
  provider: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** present once a signed measurement was second-read (src/records/value-of-record.ts); the fields above are then its value of record */
  secondRead?: SecondReadState | undefined;
}

/** One clinician's reading of a signed value: a second reading or an adjudication. */
export interface ReadingRecord {
  value: number | null;
  text: string | null;
  by: string;
  at: string;
}

/**
 * A second-read measurement as the record holds it: the first decision as it was signed, the latest second
 * reading, the latest adjudication (the value of record when there is one) and whether the latest second
 * reading disagrees with nobody adjudicating it yet.
 */
export interface SecondReadState {
  first: { state: MeasurementState; value: number | null; text: string | null; geometry: unknown; by: string | null; at: string | null };
  second: ReadingRecord & { agree: boolean };
  /** the latest adjudication, whichever second reading it answered */
  adjudicated: ReadingRecord | null;
  /** the latest second reading disagrees and no adjudication answers it: the value of record is the last settled one */
  flagged: boolean;
}

/** A distance or area the clinician measured on the frame (issue 18): its points in frame pixels, its value recomputed by the daemon. */
export interface ManualMeasure {
  id: string;
  kind: 'distance' | 'area';
  /** its number among the measures of its kind on the capture (D1, D2, A1…) */
  n: number;
  points: Array<[number, number]>;
  value: number;
  /** px (px²): the frame has no pixel spacing */
  unit: 'mm' | 'mm²' | 'px' | 'px²';
  by: string | null;
  at: string;
}

export interface Capture {
  id: string;
  examId: string;
  createdAt: string;
  frameSeq: number;
  width: number;
  height: number;
  pixelSpacing: { x: number; y: number } | null;
  /** the breast it was taken on (breast exams); null: an obstetric capture, or one stored before sides were recorded */
  laterality?: BreastSide | null;
  results: unknown[];
  measurements: Measurement[];
  /** the clinician's own calipers on this frame (always set by the store) */
  clinicianMeasurements?: ManualMeasure[];
}

export interface Exam {
  id: string;
  createdAt: string;
  closedAt: string | null;
  anonymous: boolean;
  examType: ExamType;
  patient: Patient | null;
  datingGaWeeks: number | null;
  operator: string | null;
  datingMethod: string | null;
  datingDate: string | null;
  accessionNumber: string | null;
  /** an exam started by mistake: kept, takes nothing more, never synced */
  voidedAt: string | null;
  voidedBy: string | null;
  voidReason: string | null;
  captures: Capture[];
}
