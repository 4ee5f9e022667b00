/**
 * Sends a new revision of an exam's reports (a signature, an amendment): builds the exam's instances for
 * that revision, de-identified as closing does, and queues only its SR instances for every sync target (the
 * images went with revision 0). Answers the SR UIDs as they are sent, for the signature record.
 */
import type { Exam } from '../records/types.js';
import { type CapturePixels, type ExportOptions, buildExamInstances } from './export-exam.js';
import type { Outbox } from './outbox.js';
import { COMPREHENSIVE_SR, type ReportRevision } from './sr-revision-status.js';

export interface ReportService {
  /** The organization written as Verifying Organization. */
  readonly organization: string;
  /** Builds and queues revision `report.revision`; its TID 1500 UID and (obstetric) TID 5000 UID as sent. */
  revise(exam: Exam, report: ReportRevision): { srUid: string; obSrUid: string | null };
}

export interface ReportServiceOptions {
  exportOptions: Omit<ExportOptions, 'report' | 'deidentified'>;
  /** sync target names; none: the revision is built (its UIDs recorded) but not queued */
  targets: string[];
  outbox: Outbox;
  pixelsOf: (captureId: string) => CapturePixels;
  /** wakes the sync process after queuing */
  poke: () => void;
  organization: string;
}

export function makeReportService(o: ReportServiceOptions): ReportService {
  return {
    organization: o.organization,
    revise(exam, report) {
      const srs = buildExamInstances(exam, o.pixelsOf, { ...o.exportOptions, deidentified: true, report }).filter((i) => i.sopClassUid === COMPREHENSIVE_SR);
      for (const t of o.targets) o.outbox.enqueue(t, exam.id, srs);
      if (o.targets.length > 0) setImmediate(o.poke);
      return { srUid: srs[0]!.sopInstanceUid, obSrUid: srs[1]?.sopInstanceUid ?? null };
    },
  };
}
