/**
 * What a report revision says about itself (SR Document General module, PS3.3 C.17.2): whether a clinician
 * verified it (Verification Flag, Verifying Observer Sequence) and which sent document it replaces
 * (Predecessor Documents Sequence). Shared by the TID 1500 measurement report and the TID 5000 OB report.
 */
import type { Dataset } from './dicom-file.js';

export const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';

/** The clinician who signed: the name as on their account, their organization, the time of signing. */
export interface Verification {
  observerName: string;
  organization: string;
  at: Date;
}

/**
 * Which revision of an exam's report to build: 0 is the one closing queues (UNVERIFIED); each later one
 * (a signature, an amendment) gets its own SOP Instance UID and names revision n-1 as its predecessor.
 */
export interface ReportRevision {
  revision: number;
  /** present when this revision is signed (VERIFIED) */
  verification?: Verification | undefined;
  /** when this revision was made (its content date); default: the exam's closing time */
  at?: Date | undefined;
  /** comments this revision adds (second reading: first, second and adjudicated values); never names */
  notes?: string[] | undefined;
  /**
   * The revision this one names in Predecessor Documents Sequence; default revision - 1. A later revision
   * replaces one still waiting to be sent (src/sync/revision-coalesce.ts), so it names the last one a
   * target received (or was sending), never one the PACS will not get.
   */
  predecessor?: number | undefined;
}

/** A sent SR this revision replaces. */
export interface PredecessorRef {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

export interface DocumentStatus {
  verification?: Verification | undefined;
  predecessor?: PredecessorRef | undefined;
}

/** DT (YYYYMMDDHHMMSS, UTC) of a Date. */
function dicomDateTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Completion, verification and predecessor attributes. Spread them before ContentSequence. */
export function statusAttributes(s: DocumentStatus | undefined): Dataset {
  const p = s?.predecessor;
  return {
    CompletionFlag: 'COMPLETE',
    VerificationFlag: s?.verification ? 'VERIFIED' : 'UNVERIFIED',
    ...(p
      ? {
          PredecessorDocumentsSequence: [
            {
              StudyInstanceUID: p.studyInstanceUid,
              ReferencedSeriesSequence: [{ SeriesInstanceUID: p.seriesInstanceUid, ReferencedSOPSequence: [{ ReferencedSOPClassUID: COMPREHENSIVE_SR, ReferencedSOPInstanceUID: p.sopInstanceUid }] }],
            },
          ],
        }
      : {}),
  };
}

/**
 * The Verifying Observer Sequence (spread after ContentSequence). De-identification (src/sync/deidentify.ts)
 * gives every person the alias keyed by their name, so the clinicians who decided keep the aliases they have in
 * the unsigned revision and every other one, and the signer has theirs (the same one when the signer also decided).
 */
export function verifierAttributes(s: DocumentStatus | undefined): Dataset {
  const v = s?.verification;
  if (!v) return {};
  return {
    VerifyingObserverSequence: [
      {
        VerifyingObserverName: v.observerName.slice(0, 64),
        VerifyingObserverIdentificationCodeSequence: [],
        VerifyingOrganization: v.organization.slice(0, 64),
        VerificationDateTime: dicomDateTime(v.at),
      },
    ],
  };
}
