/**
 * Report revisions of an exam. Closing builds revision 0 (UNVERIFIED); a signature or an amendment builds
 * revision n with a new SOP Instance UID that names revision n-1 (or the last one sent, when the ones between were
 * replaced before sending: src/sync/revision-coalesce.ts) in its Predecessor Documents Sequence, so a
 * PACS keeps both and a reader sees which replaces which: never a silent overwrite. UIDs derive from the
 * device secret, the exam and the revision, so rebuilding a revision gives the same instance (a retry cannot
 * make a duplicate). Obstetric exams carry the TID 5000 OB report beside the TID 1500 report, revised alike.
 */
import type { ExamType } from '../records/types.js';
import type { Dataset } from './dicom-file.js';
import { dicomDate, dicomTime } from './dicom-file.js';
import { buildObReport } from './ob-report.js';
import { buildMeasurementSr, type SrInput } from './sr.js';
import type { PredecessorRef, ReportRevision } from './sr-revision-status.js';
import { keyedUid } from './uids.js';
import type { StudyContext } from './us-image.js';

export type { ReportRevision, Verification } from './sr-revision-status.js';

export interface RevisionUids {
  srSeries: string;
  sr: string;
  obSeries: string;
  ob: string;
}

/** The UIDs (before de-identification) of revision `revision` of an exam's reports. Revision 0 keeps the UIDs closing always used. */
export function revisionUids(secret: string, examId: string, revision: number): RevisionUids {
  const tail = revision === 0 ? '' : `:rev${revision}`;
  return {
    srSeries: keyedUid(secret, `series:sr:${examId}`),
    sr: keyedUid(secret, `sr:${examId}${tail}`),
    obSeries: keyedUid(secret, `series:ob:${examId}`),
    ob: keyedUid(secret, `ob:${examId}${tail}`),
  };
}

export interface ReportContext {
  secret: string;
  examId: string;
  examType: ExamType;
  /** default: revision 0, unsigned */
  report?: ReportRevision | undefined;
}

/** The report instances of one revision: the TID 1500 report, and for an obstetric exam the TID 5000 one. */
export function buildReports(study: StudyContext, sr: Omit<SrInput, 'seriesInstanceUid' | 'sopInstanceUid'>, ctx: ReportContext): Dataset[] {
  const rev = ctx.report?.revision ?? 0;
  const uids = revisionUids(ctx.secret, ctx.examId, rev);
  const before = rev > 0 ? revisionUids(ctx.secret, ctx.examId, ctx.report?.predecessor ?? rev - 1) : undefined;
  const predecessor = (series: string, sop: string): PredecessorRef => ({ studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: series, sopInstanceUid: sop });
  const at = ctx.report?.at;
  const common = {
    ...sr,
    ...(at ? { contentDate: dicomDate(at), contentTime: dicomTime(at) } : {}),
    notes: [...sr.notes, ...(ctx.report?.notes ?? [])],
    instanceNumber: rev + 1,
  };
  const verification = ctx.report?.verification;
  const out = [
    buildMeasurementSr(study, {
      ...common,
      seriesInstanceUid: uids.srSeries,
      sopInstanceUid: uids.sr,
      status: { verification, predecessor: before && predecessor(before.srSeries, before.sr) },
    }),
  ];
  if (ctx.examType === 'obstetric') {
    out.push(
      buildObReport(study, {
        ...common,
        seriesInstanceUid: uids.obSeries,
        sopInstanceUid: uids.ob,
        status: { verification, predecessor: before && predecessor(before.obSeries, before.ob) },
      }),
    );
  }
  return out;
}
