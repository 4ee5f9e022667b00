/**
 * A decision on a measurement of a closed exam (issue 21's "a change after a report was sent"). Closing sends
 * revision 0 of the report UNVERIFIED with every measurement as it then stood; a measurement nobody decided
 * before closing would otherwise block the signature for good (signing needs every measurement decided, and
 * a closed exam took no decisions). The safe rule:
 *   - open exam: decided as always;
 *   - closed, not signed, measurement still undecided: decided, and in the same transaction a new report
 *     revision (an amendment, UNVERIFIED, naming the one it replaces) is queued, so the PACS never holds a
 *     report the device silently contradicts;
 *   - a measurement already decided, or any measurement of a signed report: refused (409 SONO_EXAM_CLOSED);
 *     a signed value changes only through a second reading and its adjudication, which amends the report.
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from './database.js';
import type { ExamStore } from './exam-store.js';
import { SignatureStore } from './signatures.js';
import type { Exam, Measurement } from './types.js';

export type Decision = Parameters<ExamStore['decide']>[1];
/** Builds and queues report revision `revision` of `exam` (the sync wiring); undefined where no report service runs. */
export type SendRevision = (exam: Exam, revision: number, at: Date, notes: string[]) => { srUid: string; obSrUid: string | null } | undefined;

export function decideMeasurement(db: Db, store: ExamStore, measurementId: string, d: Omit<Decision, 'afterClose'>, send: SendRevision): { measurement: Measurement; amendedRevision: number | null } {
  return db
    .transaction(() => {
      const row = db
        .prepare('SELECT e.id exam_id, e.closed_at, m.state FROM measurements m JOIN captures c ON c.id = m.capture_id JOIN exams e ON e.id = c.exam_id WHERE m.id = ?')
        .get(measurementId) as { exam_id: string; closed_at: string | null; state: string } | undefined;
      if (!row?.closed_at) return { measurement: store.decide(measurementId, d), amendedRevision: null };
      const signatures = new SignatureStore(db);
      const signed = signatures.latestSignature(row.exam_id);
      if (signed || row.state !== 'unverified') {
        throw new SonoError(
          ErrorCodes.EXAM_CLOSED,
          signed
            ? `Measurement ${measurementId} belongs to exam ${row.exam_id}, whose report ${signed.by} signed; a signed value changes through a second reading (POST /api/measurements/${measurementId}/second-read) and its adjudication`
            : `Measurement ${measurementId} of closed exam ${row.exam_id} was already decided; decisions are final once an exam is closed (only one nobody decided before closing may still be decided)`,
          { details: { measurementId, examId: row.exam_id, signed: !!signed } },
        );
      }
      const measurement = store.decide(measurementId, { ...d, afterClose: true });
      const at = new Date();
      // a revision's notes never name (ReportRevision.notes): who decided is the measurement's own Finding and person observer
      const note = `${measurement.kind} ${measurement.state} after the exam was closed`;
      const rec = signatures.addRevision(row.exam_id, { kind: 'amendment', by: d.by, at }, (revision) => send(store.getExam(row.exam_id), revision, at, [note]));
      return { measurement, amendedRevision: rec.revision };
    })
    .immediate();
}
