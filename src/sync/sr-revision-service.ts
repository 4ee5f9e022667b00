/**
 * Sends a new revision of an exam's reports (a signature, an amendment): builds only the exam's report
 * instances of that revision (src/sync/export-sr.ts: no image is read or encoded), de-identified as closing
 * does, and queues them for every sync target (the images went with revision 0). A revision still waiting
 * for a target is replaced by the newer one, which names the last one that target got
 * (src/sync/revision-coalesce.ts). Answers the SR UIDs as they are sent, for the signature record.
 */
import type { Exam } from '../records/types.js';
import type { ExportOptions } from './export-exam.js';
import { type CaptureGeometry, buildExamReportInstances } from './export-sr.js';
import type { Outbox } from './outbox.js';
import { type CoalescePlan, REVISION_QUIET_MS, planFor, replacedNotes } from './revision-coalesce.js';
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
  /** how long an unsigned revision waits for a newer one to replace it (default REVISION_QUIET_MS); a signed one goes at once */
  quietMs?: number;
}

export function makeReportService(o: ReportServiceOptions): ReportService {
  const build = (exam: Exam, report: ReportRevision) => buildExamReportInstances(exam, o.geometryOf, { ...o.exportOptions, deidentified: true, report });
  return {
    organization: o.organization,
    // runs inside the transaction that records the revision (SignatureStore.addRevision): planned, queued and replaced at once
    revise(exam, report) {
      const notes = report.notes ?? [];
      o.outbox.keepRevisionNotes(exam.id, report.revision, notes);
      if (o.targets.length === 0) {
        const srs = build(exam, report);
        return { srUid: srs[0]!.sopInstanceUid, obSrUid: srs[1]?.sopInstanceUid ?? null };
      }
      const now = Date.now();
      const notBefore = report.verification ? 0 : now + (o.quietMs ?? REVISION_QUIET_MS);
      const plans = new Map<string, CoalescePlan>(o.targets.map((t) => [t, planFor(o.outbox, t, o.exportOptions.secret, exam.id, report.revision, now)]));
      // one build per distinct predecessor and replaced set (every target alike, as a rule)
      const builds = new Map<string, ReturnType<typeof build>>();
      let srs: ReturnType<typeof build> | undefined;
      for (const t of o.targets) {
        const plan = plans.get(t)!;
        const key = `${plan.predecessor}:${plan.replaced.join(',')}`;
        let built = builds.get(key);
        if (!built) {
          built = build(exam, { ...report, predecessor: plan.predecessor, notes: [...replacedNotes(o.outbox, exam.id, plan.replaced), ...notes] });
          builds.set(key, built);
        }
        srs ??= built;
        o.outbox.dropReplaceable(plan.rowIds, now);
        o.outbox.enqueue(t, exam.id, built, notBefore);
      }
      setImmediate(o.poke);
      return { srUid: srs![0]!.sopInstanceUid, obSrUid: srs![1]?.sopInstanceUid ?? null };
    },
  };
}
