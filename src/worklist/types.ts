/** Where the RIS's Modality Worklist SCP is (the `worklist` section of the config). */
export interface WorklistSettings {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  /** Limit for connecting, for each answer, and for the whole query. */
  timeoutMs: number;
}

/** Which scheduled procedure steps to ask for. */
export interface WorklistFilter {
  /** Scheduled start date, YYYYMMDD, or a range YYYYMMDD-YYYYMMDD. */
  date: string;
  /** Modality of the step, e.g. US; undefined asks for every modality. */
  modality: string | undefined;
}

/** The patient as POST /api/exams takes it, so a picked item starts an exam without typing. */
export interface WorklistPatient {
  /** DICOM PN, alphabetic group only: FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX */
  name?: string;
  id?: string;
  /** YYYYMMDD */
  birthDate?: string;
  sex?: 'M' | 'F' | 'O';
}

/** One scheduled procedure step of the worklist; a missing attribute is null. */
export interface WorklistItem {
  patient: WorklistPatient;
  accessionNumber: string | null;
  /** YYYYMMDD */
  scheduledDate: string | null;
  /** HHMM or HHMMSS (fraction dropped) */
  scheduledTime: string | null;
  modality: string | null;
  /** The step's description, else the requested procedure's. */
  procedureDescription: string | null;
  scheduledStationAeTitle: string | null;
  scheduledProcedureStepId: string | null;
  requestedProcedureId: string | null;
  studyInstanceUid: string | null;
  referringPhysician: string | null;
}

export interface WorklistAnswer {
  items: WorklistItem[];
  /** True when the RIS held more items than `maxItems`; the query was cancelled there. */
  truncated: boolean;
}
