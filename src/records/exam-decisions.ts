/** Every clinician decision on one exam's measurements, oldest first (the record view's history). */
import type { Db } from './database.js';
import { hasEllipse } from '../protocol/outline-moved.js';

export interface ExamDecision {
  measurementId: string;
  kind: string;
  decision: 'confirmed' | 'corrected';
  finalValue: number | null;
  finalText: string | null;
  /** The decision stored an ellipse of its own (a head outline the clinician left). */
  withEllipse: boolean;
  by: string;
  at: string;
}

export function examDecisions(db: Db, examId: string): ExamDecision[] {
  const rows = db
    .prepare(
      `SELECT d.measurement_id, m.kind, d.decision, d.final_value, d.final_text, d.final_geometry_json, d.decided_by, d.decided_at FROM measurement_decisions d
       JOIN measurements m ON m.id = d.measurement_id JOIN captures c ON c.id = m.capture_id WHERE c.exam_id = ? ORDER BY d.id`,
    )
    .all(examId) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    measurementId: r.measurement_id as string,
    kind: r.kind as string,
    decision: r.decision as ExamDecision['decision'],
    finalValue: r.final_value as number | null,
    finalText: r.final_text as string | null,
    withEllipse: r.final_geometry_json !== null && hasEllipse(JSON.parse(r.final_geometry_json as string)),
    by: r.decided_by as string,
    at: r.decided_at as string,
  }));
}
