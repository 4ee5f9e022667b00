/**
 * Report sign-off in the records database: who signed which exam's report, when, and the UIDs of the SR
 * instances that revision sent. Revision 0 is the report closing sends (never signed); each signature or
 * amendment is the next revision, kept for good (the table is append-only).
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from './database.js';
import type { Exam, MeasurementKind } from './types.js';

export interface ReportRevisionRecord {
  examId: string;
  revision: number;
  kind: 'signature' | 'amendment';
  by: string;
  at: string;
  /** SOP Instance UID of the TID 1500 report as sent (de-identified); null where nothing was built */
  srUid: string | null;
  /** the TID 5000 OB report's, for obstetric exams */
  obSrUid: string | null;
}

/**
 * AI output shown as AI output, never the clinician's finding: the breast lesion's AI class and malignancy
 * probability. The live page shows them as unverified decision support and offers no way to agree or disagree
 * (web-ui/src/exam-types/breast.ts), and the report and SR label them AI ("Class (AI)", "AI proposal, not
 * verified by a clinician"). A signature does not wait for a decision on them; one may still be made by API.
 */
export const AI_ONLY_KINDS: ReadonlySet<MeasurementKind> = new Set<MeasurementKind>(['lesion_class', 'malignancy_probability']);

/** Refuses a signature the exam is not ready for: it must be closed and every AI measurement decided, AI-only outputs (AI_ONLY_KINDS) apart. */
export function checkSignable(exam: Exam): void {
  if (!exam.closedAt) throw new SonoError(ErrorCodes.REPORT_EXAM_OPEN, `Exam ${exam.id} is still open; close it before signing its report`, { details: { examId: exam.id } });
  const undecided = exam.captures.flatMap((c) => c.measurements).filter((m) => m.state === 'unverified' && !AI_ONLY_KINDS.has(m.kind));
  if (undecided.length > 0) {
    const names = undecided.map((m) => `${m.kind} (${m.id})`);
    throw new SonoError(ErrorCodes.REPORT_UNDECIDED, `Exam ${exam.id} has ${undecided.length} AI measurement(s) nobody confirmed or corrected: ${names.join(', ')}; decide each before signing`, {
      details: { examId: exam.id, undecided: undecided.map((m) => m.id), kinds: undecided.map((m) => m.kind) },
    });
  }
}

/**
 * Refuses a new signature while a second reader disagrees with a value nobody adjudicated yet. Second reading
 * follows the signature; the disagreement is settled by an adjudication (signer or second reader), which amends
 * the report. A signature meanwhile would send a VERIFIED report of the disputed value with no word of the
 * dispute, could be the disputing second reader's own, and would make its signer the one who adjudicates in
 * place of the first signer. Answered 409 SONO_REPORT_UNDECIDED (the value is not settled) naming each one in
 * `details.disagreements` (and `undecided`, as for an undecided measurement).
 */
export function checkNoOpenDisagreement(exam: Exam): void {
  const open = exam.captures.flatMap((c) => c.measurements).filter((m) => m.secondRead?.flagged);
  if (open.length === 0) return;
  const names = open.map((m) => `${m.kind} (${m.id})`);
  throw new SonoError(
    ErrorCodes.REPORT_UNDECIDED,
    `Exam ${exam.id} has ${open.length} value(s) a second reader disagrees with and nobody adjudicated yet: ${names.join(', ')}; the signer or the second reader adjudicates each (POST /api/measurements/:id/adjudicate), then sign`,
    { details: { examId: exam.id, undecided: open.map((m) => m.id), kinds: open.map((m) => m.kind), disagreements: open.map((m) => m.id) } },
  );
}

export class SignatureStore {
  constructor(private readonly db: Db) {}

  /** The number the next revision of this exam's report gets (1 after closing's revision 0). */
  nextRevision(examId: string): number {
    const r = this.db.prepare('SELECT max(revision) r FROM report_revisions WHERE exam_id = ?').get(examId) as { r: number | null };
    return (r.r ?? 0) + 1;
  }

  /**
   * Records revision `nextRevision(examId)` and runs `send` (which builds and queues it, returning its UIDs)
   * in the same transaction: a revision is recorded if and only if it was queued.
   * A signature by the clinician whose signature is still the latest revision (nothing amended since: a
   * double tap, a retry whose answer was lost) is idempotent: that revision is answered and nothing is built,
   * queued or recorded, as a retried decision answers its stored row. Another clinician's signature is a new one.
   */
  addRevision(
    examId: string,
    r: { kind: ReportRevisionRecord['kind']; by: string; at: Date },
    send: (revision: number) => { srUid: string; obSrUid: string | null } | undefined,
  ): ReportRevisionRecord {
    return this.db
      .transaction((): ReportRevisionRecord => {
        const latest = this.revisions(examId).at(-1);
        if (r.kind === 'signature' && this.#repeats(latest, r.by)) return latest!;
        const revision = this.nextRevision(examId);
        const uids = send(revision);
        const rec: ReportRevisionRecord = { examId, revision, kind: r.kind, by: r.by, at: r.at.toISOString(), srUid: uids?.srUid ?? null, obSrUid: uids?.obSrUid ?? null };
        this.db
          .prepare('INSERT INTO report_revisions (exam_id, revision, kind, by_user, at, sr_uid, ob_sr_uid) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(rec.examId, rec.revision, rec.kind, rec.by, rec.at, rec.srUid, rec.obSrUid);
        return rec;
      })
      .immediate();
  }

  /** `by`'s signature is still the latest revision: signing again answers it (addRevision) and signs nothing new. */
  repeatsSignature(examId: string, by: string): boolean {
    return this.#repeats(this.revisions(examId).at(-1), by);
  }

  #repeats(latest: ReportRevisionRecord | undefined, by: string): boolean {
    return latest?.kind === 'signature' && latest.by === by;
  }

  /** Every revision after closing's, oldest first. */
  revisions(examId: string): ReportRevisionRecord[] {
    return (this.db.prepare('SELECT * FROM report_revisions WHERE exam_id = ? ORDER BY revision').all(examId) as Array<Record<string, unknown>>).map((r) => ({
      examId: r.exam_id as string,
      revision: r.revision as number,
      kind: r.kind as ReportRevisionRecord['kind'],
      by: r.by_user as string,
      at: r.at as string,
      srUid: r.sr_uid as string | null,
      obSrUid: r.ob_sr_uid as string | null,
    }));
  }

  /** The latest signature of this exam's report, if any. */
  latestSignature(examId: string): ReportRevisionRecord | undefined {
    return this.revisions(examId)
      .filter((r) => r.kind === 'signature')
      .at(-1);
  }
}
