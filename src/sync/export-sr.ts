/**
 * A closed exam's report instances alone (the TID 1500 SR and, obstetric, the TID 5000 one) of one revision,
 * without building any image: what a signature, an amendment, a late decision or an adjudication sends (the
 * images went with closing). The same instances, byte for byte, as buildExamInstances makes for that revision
 * (test/sync/sr-only-build.test.ts), but it reads each capture's size and imaging region, never its pixels, and
 * encodes no pixel data: a sign of an 80-capture exam took seconds of event loop building 160 images it dropped.
 */
import type { ImagingRegion } from '../capture/frame.js';
import { TASK_OF_EXAM } from '../protocol/exam-types.js';
import type { Exam } from '../records/types.js';
import { deidentify } from './deidentify.js';
import { dicomDate, dicomTime, writePart10 } from './dicom-file.js';
import type { DicomInstance, ExportOptions } from './export-exam.js';
import type { EllipseLike } from './overlay-draw.js';
import type { buildMeasurementSr, SrMeasurement } from './sr.js';
import { measurementShape } from './sr-geometry.js';
import { reportDatasets } from './report-datasets.js';
import { keyedUid } from './uids.js';
import { US_IMAGE_STORAGE, type StudyContext } from './us-image.js';

/** What the report needs of a capture's image: its size and imaging region (the pixels are not read). */
export interface CaptureGeometry {
  width: number;
  height: number;
  region: ImagingRegion;
}

interface StoredResultEvent {
  modelId?: string;
  modelVersion?: string;
  provider?: string;
  result?: { task?: string; ellipse?: EllipseLike };
}

/** The study the exam's instances belong to (the same as buildExamInstances's). */
export function studyOf(exam: Exam, o: Pick<ExportOptions, 'secret' | 'deviceSerial' | 'softwareVersion'>): StudyContext {
  const created = new Date(exam.createdAt);
  const p = exam.patient;
  return {
    studyInstanceUid: keyedUid(o.secret, `study:${exam.id}`),
    studyDate: dicomDate(created),
    studyTime: dicomTime(created),
    studyId: exam.id.slice(0, 16),
    accessionNumber: '',
    patient: { name: p?.name ?? '', id: p?.id ?? '', birthDate: p?.birthDate ?? '', sex: p?.sex ?? '' },
    deviceSerial: o.deviceSerial,
    softwareVersion: o.softwareVersion,
  };
}

/** A region that only says "the whole frame", from a record that never marked it, counts as not set (as export-exam.ts decides). */
export function regionKnown(g: CaptureGeometry): boolean {
  const wholeFrame = g.region.x === 0 && g.region.y === 0 && g.region.width === g.width && g.region.height === g.height;
  return g.region.origin === undefined ? !wholeFrame : g.region.origin !== 'unset';
}

/** The report instances of revision `o.report` (default 0), de-identified when `o.deidentified`, as buildExamInstances writes them. */
export function buildExamReportInstances(exam: Exam, geometryOf: (captureId: string) => CaptureGeometry, o: Omit<ExportOptions, 'clips'>): DicomInstance[] {
  const k = o.secret;
  const study = studyOf(exam, o);
  const rawSeries = keyedUid(k, `series:raw:${exam.id}`);
  const groups: Parameters<typeof buildMeasurementSr>[1]['groups'] = [];
  const examType = exam.examType ?? 'obstetric';
  const task: string = TASK_OF_EXAM[examType];
  let model = { name: task, version: 'unknown', provider: 'unknown' };
  let withheld = 0;
  for (const c of exam.captures) {
    const g = geometryOf(c.id);
    const mine = (c.results as StoredResultEvent[]).find((r) => r.result?.task === task);
    if (mine?.modelId) model = { name: mine.modelId, version: mine.modelVersion ?? 'unknown', provider: mine.provider ?? 'unknown' };
    const measurements = c.measurements.map((m): SrMeasurement => ({
      kind: m.kind,
      unit: m.unit,
      aiValue: m.aiValue,
      finalValue: m.finalValue,
      aiText: m.aiText,
      finalText: m.finalText,
      state: m.state,
      decidedBy: m.decidedBy,
      decidedAt: m.decidedAt,
      shape: g.width === c.width && g.height === c.height ? measurementShape(m, mine?.result?.ellipse) : undefined,
    }));
    if (!regionKnown(g)) withheld++;
    groups.push({
      trackingUid: keyedUid(k, `group:${c.id}`),
      image: { sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: keyedUid(k, `image:raw:${c.id}`), seriesInstanceUid: rawSeries },
      measurements,
      manual: c.clinicianMeasurements,
      laterality: c.laterality,
    });
  }
  const datasets = reportDatasets(exam, study, groups, model, withheld, o);
  const patientKey = exam.patient?.id ?? `exam:${exam.id}`;
  return datasets.map((ds) => {
    const out = o.deidentified ? deidentify(ds, { secret: k, patientKey, dates: o.dates }) : ds;
    return { sopInstanceUid: out.SOPInstanceUID as string, sopClassUid: out.SOPClassUID as string, seriesInstanceUid: out.SeriesInstanceUID as string, bytes: writePart10(out), dataset: out };
  });
}
