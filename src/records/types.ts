export interface Patient {
  /** DICOM PN form, e.g. DOE^JANE */
  name?: string | undefined;
  id?: string | undefined;
  /** YYYYMMDD */
  birthDate?: string | undefined;
  sex?: 'M' | 'F' | 'O' | undefined;
}

export interface NewExam {
  patient?: Patient | undefined;
  datingGaWeeks?: number | undefined;
  operator?: string | undefined;
}

export type MeasurementState = 'unverified' | 'confirmed' | 'corrected';

export interface Measurement {
  id: string;
  captureId: string;
  kind: 'hc' | 'bpd' | 'ofd' | 'ga';
  unit: 'mm' | 'weeks';
  aiValue: number | null;
  finalValue: number | null;
  state: MeasurementState;
  modelId: string | null;
  modelVersion: string | null;
  provider: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface Capture {
  id: string;
  examId: string;
  createdAt: string;
  frameSeq: number;
  width: number;
  height: number;
  pixelSpacing: { x: number; y: number } | null;
  results: unknown[];
  measurements: Measurement[];
}

export interface Exam {
  id: string;
  createdAt: string;
  closedAt: string | null;
  anonymous: boolean;
  patient: Patient | null;
  datingGaWeeks: number | null;
  operator: string | null;
  captures: Capture[];
}
