/**
 * The C-FIND identifier of a Modality Worklist query (PS3.4 K.6, Modality Worklist Information Model) and
 * the reading of each answer into a WorklistItem. Pure: no network here.
 */
import type { WorklistFilter, WorklistItem, WorklistPatient } from './types.js';

/**
 * Matching keys (date, modality) and the return keys we read, as dcmjs naturalized attributes. An empty
 * value asks the SCP to return the attribute; the scheduled step's keys sit in its sequence (PS3.4 K.6.1.2).
 */
export function worklistIdentifier(filter: WorklistFilter): Record<string, unknown> {
  return {
    SpecificCharacterSet: '',
    PatientName: '',
    PatientID: '',
    PatientBirthDate: '',
    PatientSex: '',
    AccessionNumber: '',
    ReferringPhysicianName: '',
    StudyInstanceUID: '',
    RequestedProcedureID: '',
    RequestedProcedureDescription: '',
    ScheduledProcedureStepSequence: [
      {
        ScheduledStationAETitle: '',
        ScheduledProcedureStepStartDate: filter.date,
        ScheduledProcedureStepStartTime: '',
        Modality: filter.modality ?? '',
        ScheduledProcedureStepDescription: '',
        ScheduledProcedureStepID: '',
      },
    ],
  };
}

/** The first value of an attribute as trimmed text (PN: its alphabetic group); null when empty or absent. */
function text(v: unknown): string | null {
  const first = Array.isArray(v) ? v.find((x) => x !== null && x !== undefined && x !== '') : v;
  let s: string | undefined;
  if (typeof first === 'string') s = first;
  else if (typeof first === 'number') s = String(first);
  else if (first && typeof first === 'object' && typeof (first as { Alphabetic?: unknown }).Alphabetic === 'string') s = (first as { Alphabetic: string }).Alphabetic;
  const t = s?.split('\\')[0]?.trim();
  return t ? t : null;
}

/**
 * A PN as POST /api/exams takes it: the alphabetic group only (ideographic and phonetic groups follow
 * an "="), at most 5 components of at most 64 characters, trailing empty components dropped.
 */
export function personName(v: unknown): string | null {
  const alpha = text(v)?.split('=')[0];
  if (!alpha) return null;
  const parts = alpha
    .split('^')
    .slice(0, 5)
    .map((p) =>
      p
        .replace(/[\r\n]/g, ' ')
        .trim()
        .slice(0, 64),
    );
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts.length > 0 ? parts.join('^') : null;
}

/** YYYYMMDD that is a real calendar date in 1900–2099 (what an exam accepts), else null. */
export function dicomDate(v: unknown): string | null {
  const s = text(v);
  const m = s && /^(19|20)(\d\d)(\d\d)(\d\d)$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]! + m[2]!), Number(m[3]), Number(m[4])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? s : null;
}

/** HHMM or HHMMSS: a DICOM TM without its fraction, else null. */
export function dicomTime(v: unknown): string | null {
  const m = /^(\d{2}(?:\d{2}){0,2})(?:\.\d*)?$/.exec(text(v)?.replace(/:/g, '') ?? '');
  return m ? m[1]! : null;
}

/**
 * An Accession Number the exam form and the DICOM files can carry (VR SH: at most 16 characters), else null:
 * a longer one from a non-conformant RIS would make starting the exam fail on a value the midwife cannot edit,
 * and cutting it short could name another order.
 */
function accessionOf(v: unknown): string | null {
  const s = text(v);
  return s !== null && s.length <= 16 ? s : null;
}

function sexOf(v: unknown): WorklistPatient['sex'] | undefined {
  const s = text(v)?.toUpperCase();
  return s === 'M' || s === 'F' || s === 'O' ? s : undefined;
}

/** One C-FIND answer (naturalized dataset) as a worklist item. */
export function worklistItem(ds: Record<string, unknown>): WorklistItem {
  const steps = ds.ScheduledProcedureStepSequence;
  const step = ((Array.isArray(steps) ? steps[0] : steps) as Record<string, unknown> | undefined) ?? {};
  const patient: WorklistPatient = {};
  const name = personName(ds.PatientName);
  const id = text(ds.PatientID);
  const birthDate = dicomDate(ds.PatientBirthDate);
  const sex = sexOf(ds.PatientSex);
  if (name) patient.name = name;
  if (id) patient.id = id.slice(0, 64);
  if (birthDate) patient.birthDate = birthDate;
  if (sex) patient.sex = sex;
  return {
    patient,
    accessionNumber: accessionOf(ds.AccessionNumber),
    scheduledDate: dicomDate(step.ScheduledProcedureStepStartDate),
    scheduledTime: dicomTime(step.ScheduledProcedureStepStartTime),
    modality: text(step.Modality),
    procedureDescription: text(step.ScheduledProcedureStepDescription) ?? text(ds.RequestedProcedureDescription),
    scheduledStationAeTitle: text(step.ScheduledStationAETitle),
    scheduledProcedureStepId: text(step.ScheduledProcedureStepID),
    requestedProcedureId: text(ds.RequestedProcedureID),
    studyInstanceUid: text(ds.StudyInstanceUID),
    referringPhysician: personName(ds.ReferringPhysicianName),
  };
}

/** Today in the device's time zone (the clinic's day), YYYYMMDD. */
export function localDate(now: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
}
