/**
 * A clinician's decision on one AI measurement, stored with its history row in one transaction, and the replay
 * of a decision already stored under the client's Idempotency-Key (ExamStore.decide / replayedDecision).
 */
import { ErrorCodes, SonoError } from '../errors.js';
import { MAX_DECISION_OUTLINE_POINTS } from '../protocol/rest/decision-limits.js';
import { checkGeometry } from './checks.js';
import type { Db } from './database.js';
import { measurementOf } from './exam-rows.js';
import { CATEGORIES } from './measurement-rows.js';
import type { Measurement, MeasurementState } from './types.js';

export interface DecisionInput {
  decision: 'confirmed' | 'corrected';
  value?: number | undefined;
  text?: string | undefined;
  geometry?: unknown;
  by: string;
  afterClose?: boolean;
  expect?: { state: MeasurementState; decidedAt: string | null } | undefined;
  clientKey?: string | undefined;
  requestDigest?: string | undefined;
}

export function voided(what: string): SonoError {
  return new SonoError(ErrorCodes.EXAM_VOIDED, `${what}; a voided exam takes nothing more: start a new exam`);
}

/**
 * `afterClose`: a closed exam's still-undecided measurement may be decided (src/records/late-decision.ts sends the amendment).
 * `expect`: the measurement as the client showed it; when its state or decidedAt is no longer that (someone
 * decided since), 409 SONO_DECISION_STALE and nothing is stored. `clientKey` and `requestDigest` are kept
 * with the history row, for `replayedDecision`.
 */
export function storeDecision(db: Db, measurementId: string, d: DecisionInput): Measurement {
  const row = db
    .prepare(
      `SELECT m.*, e.closed_at AS exam_closed, e.voided_at AS exam_voided, c.width AS frame_width, c.height AS frame_height FROM measurements m JOIN captures c ON c.id = m.capture_id JOIN exams e ON e.id = c.exam_id WHERE m.id = ?`,
    )
    .get(measurementId) as (Record<string, unknown> & { exam_closed: string | null; exam_voided: string | null; frame_width: number; frame_height: number }) | undefined;
  if (!row) throw new SonoError(ErrorCodes.MEASUREMENT_NOT_FOUND, `Measurement ${measurementId} does not exist`);
  if (row.exam_voided) throw voided(`Measurement ${measurementId} belongs to a voided exam`);
  if (row.exam_closed && !(d.afterClose && row.state === 'unverified'))
    throw new SonoError(ErrorCodes.EXAM_CLOSED, `Measurement ${measurementId} belongs to a closed exam; decisions are final once an exam is closed`);
  if (d.expect && (row.state !== d.expect.state || ((row.decided_at as string | null) ?? null) !== d.expect.decidedAt)) {
    throw new SonoError(
      ErrorCodes.DECISION_STALE,
      `Measurement ${measurementId} (${String(row.kind)}) was changed by someone else since you loaded it (it is now ${String(row.state)}${row.decided_at ? ` since ${String(row.decided_at)}` : ''}); reload the exam and decide again`,
      { details: { measurementId, state: row.state as string } },
    );
  }
  if (d.value !== undefined && !(Number.isFinite(d.value) && d.value > 0))
    throw new SonoError(ErrorCodes.DECISION_INVALID, `The corrected value ${d.value} is not a positive finite number; send the measured value`);
  checkOutlineSize(d.geometry);
  checkGeometry(d.geometry, { width: row.frame_width, height: row.frame_height });
  const categories = CATEGORIES[row.kind as Measurement['kind']];
  if (d.text !== undefined && !categories) throw new SonoError(ErrorCodes.DECISION_INVALID, `Measurement ${measurementId} (${String(row.kind)}) is a number; correct it with "value", not "text"`);
  if (d.text !== undefined && !categories!.includes(d.text)) throw new SonoError(ErrorCodes.DECISION_INVALID, `"${d.text}" is not a ${String(row.kind)}; choose one of ${categories!.join(', ')}`);
  if (d.decision === 'corrected' && (categories ? d.text === undefined && d.value === undefined : d.value === undefined)) {
    throw new SonoError(
      ErrorCodes.DECISION_INVALID,
      categories ? `A correction of ${String(row.kind)} needs the corrected "text" (${categories.join(', ')})` : 'A correction needs the corrected value',
    );
  }
  const confirmed = d.decision === 'confirmed';
  const finalValue = confirmed ? (row.ai_value as number | null) : (d.value ?? (row.ai_value as number | null));
  const finalText = confirmed ? (row.ai_text as string | null) : (d.text ?? (row.ai_text as string | null));
  const finalGeometry = d.geometry !== undefined ? JSON.stringify(d.geometry) : confirmed ? (row.ai_geometry_json as string | null) : null;
  // the decision in force, sent again by the same user (a double tap, a client looping): stored once, answered as stored
  if (row.state === d.decision && row.decided_by === d.by && row.final_value === finalValue && row.final_text === finalText && row.final_geometry_json === finalGeometry) {
    return measurementOf(db.prepare('SELECT * FROM measurements WHERE id = ?').get(measurementId) as Record<string, unknown>);
  }
  const at = new Date().toISOString();
  db.transaction(() => {
    db.prepare('UPDATE measurements SET state = ?, final_value = ?, final_text = ?, final_geometry_json = ?, decided_by = ?, decided_at = ? WHERE id = ?').run(
      d.decision satisfies MeasurementState,
      finalValue,
      finalText,
      finalGeometry,
      d.by,
      at,
      measurementId,
    );
    // every decision stays in the history; the measurement row holds the one in force
    db.prepare(
      'INSERT INTO measurement_decisions (measurement_id, decision, final_value, final_text, final_geometry_json, decided_by, decided_at, client_key, request_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(measurementId, d.decision, finalValue, finalText, finalGeometry, d.by, at, d.clientKey ?? null, d.clientKey !== undefined ? (d.requestDigest ?? null) : null);
  })();
  return measurementOf(db.prepare('SELECT * FROM measurements WHERE id = ?').get(measurementId) as Record<string, unknown>);
}

/** An outline of more than MAX_DECISION_OUTLINE_POINTS points: 400 SONO_GEOMETRY_OUT_OF_RANGE, before anything else is read from it. */
function checkOutlineSize(g: unknown): void {
  const outline = (g as { outline?: unknown } | null | undefined)?.outline;
  if (!Array.isArray(outline) || outline.length <= 2 * MAX_DECISION_OUTLINE_POINTS) return;
  throw new SonoError(
    ErrorCodes.GEOMETRY_OUT_OF_RANGE,
    `The outline has ${Math.ceil(outline.length / 2)} points; a decision keeps at most ${MAX_DECISION_OUTLINE_POINTS}. Send the outline as traced (or thinned to ${MAX_DECISION_OUTLINE_POINTS} points)`,
    { details: { points: Math.ceil(outline.length / 2), maxPoints: MAX_DECISION_OUTLINE_POINTS } },
  );
}

/**
 * The decision already stored on this measurement under this client key (a retry whose answer was lost, or a
 * Confirm retried after a partial failure), as it was answered then: undefined when the key is new. The same
 * key with another request (`requestDigest` differs) is refused with 409 SONO_IDEMPOTENCY_KEY_REUSED; a
 * decision no longer in force (someone decided the measurement after it) with 409 SONO_DECISION_STALE, as a
 * new decision expecting it would be: answering it would tell the client its values are the stored ones.
 * Checked before anything else, so a retry on an exam closed since is still answered.
 */
export function storedReplay(db: Db, measurementId: string, clientKey: string, requestDigest: string): Measurement | undefined {
  const h = db
    .prepare('SELECT id, decision, final_value, final_text, final_geometry_json, decided_by, decided_at, request_digest FROM measurement_decisions WHERE measurement_id = ? AND client_key = ?')
    .get(measurementId, clientKey) as Record<string, unknown> | undefined;
  if (!h) return undefined;
  if (h.request_digest !== requestDigest) {
    throw new SonoError(ErrorCodes.IDEMPOTENCY_KEY_REUSED, `The Idempotency-Key "${clientKey}" already carried another decision on measurement ${measurementId}; send a new key for a new decision`, {
      details: { measurementId },
    });
  }
  const m = db.prepare('SELECT * FROM measurements WHERE id = ?').get(measurementId) as Record<string, unknown>;
  // every decision writes its history row (storeDecision): the newest row is the decision in force
  const newest = db.prepare('SELECT max(id) AS id FROM measurement_decisions WHERE measurement_id = ?').get(measurementId) as { id: number };
  if (newest.id !== h.id) {
    throw new SonoError(
      ErrorCodes.DECISION_STALE,
      `Measurement ${measurementId} (${String(m.kind)}) was decided again by someone else after this decision (it is now ${String(m.state)} since ${String(m.decided_at)}); reload the exam to see it`,
      { details: { measurementId, state: m.state as string } },
    );
  }
  return measurementOf({
    ...m,
    state: h.decision,
    final_value: h.final_value,
    final_text: h.final_text,
    final_geometry_json: h.final_geometry_json,
    decided_by: h.decided_by,
    decided_at: h.decided_at,
  });
}
