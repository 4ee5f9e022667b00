/**
 * Sends a new revision of an exam's reports (a signature, an amendment): builds only the exam's report
 * instances of that revision (src/sync/export-sr.ts: no image is read or encoded), de-identified as closing
 * does, and queues them for every sync target (the images went with revision 0). Answers the SR UIDs as they
 * are sent, for the signature record.
 */
import type { Exam } from '../records/types.js';
import type { ExportOptions } from './export-exam.js';
import { type CaptureGeometry, buildExamReportInstances } from './export-sr.js';
import type { Outbox } from './outbox.js';
import type { ReportRevision } from './sr-revision-status.js';

export interface ReportService {
  /** The organization written as Verifying Organization. */
  readonly organization: string;
  /** Builds and queues revision `report.revision`; its TID 1500 UID and (obstetric) TID 5000 UID as sent. */
  revise(exam: Exam, report: ReportRevision): { srUid: string; obSrUid: string | null };
}

export interface ReportServiceOptions {
  exportOptions: Omit<ExportOptions, 'report' | 'deidentified' | 'clips'>;
  /** sync target names; none: the revision is built (its UIDs recorded) but not queued */
  targets: string[];
  outbox: Outbox;
  /** a capture's size and imaging region (the report references the image and counts the withheld ones; no pixels needed) */
  geometryOf: (captureId: string) => CaptureGeometry;
  /** wakes the sync process after queuing */
  poke: () => void;
  organization: string;
}

export function makeReportService(o: ReportServiceOptions): ReportService {
  return {
    organization: o.organization,
    revise(exam, report) {
      const srs = buildExamReportInstances(exam, o.geometryOf, { ...o.exportOptions, deidentified: true, report });
      for (const t of o.targets) o.outbox.enqueue(t, exam.id, srs);
      if (o.targets.length > 0) setImmediate(o.poke);
      return { srUid: srs[0]!.sopInstanceUid, obSrUid: srs[1]?.sopInstanceUid ?? null };
    },
  };
}
