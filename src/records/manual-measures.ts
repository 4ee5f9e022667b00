/**
 * The clinician's own distance and area calipers on a capture (issue 18, image review): checked against the
 * captured frame before anything is stored (finite points inside the frame, two ends for a distance, 3 or more
 * corners for an area, at most MAX_MANUAL_MEASURES), each value recomputed from its points and the frame's
 * pixel spacing (the page's own number is only compared: a capture whose shown value differs is refused),
 * and stored in the capture's transaction (migration 26; never changed afterwards).
 */
import { randomUUID } from 'node:crypto';
import { type CaliperPoint, type CaliperSpacing, caliperUnit, caliperValue } from '../analysis/manual-caliper.js';
import { type ErrorDetail, ErrorCodes, SonoError } from '../errors.js';
import { MAX_AREA_POINTS, MAX_MANUAL_MEASURES } from '../protocol/rest/manual-measures.js';
import { type FrameSize, checkPoint } from './checks.js';
import type { Db } from './database.js';
import type { ManualMeasure } from './types.js';

/** A measure as a client sends it (value and unit optional: the daemon works them out). */
export interface ManualMeasureInput {
  kind: string;
  points: number[][];
  value?: number | undefined;
  unit?: string | undefined;
}

export type CheckedMeasure = Pick<ManualMeasure, 'kind' | 'n' | 'points' | 'value' | 'unit'>;

function invalid(message: string, details: Record<string, ErrorDetail>): SonoError {
  return new SonoError(ErrorCodes.MANUAL_MEASURE_INVALID, message, { details });
}

/** The page rounds nothing, but computes in its own floating point: agreement within 0.5 % (or 0.01). */
const agrees = (sent: number, mine: number): boolean => Math.abs(sent - mine) <= Math.max(0.01, 0.005 * Math.abs(mine));

/** Checks `list` against the captured frame and recomputes every value; throws a coded 400 naming the measure at fault. */
export function checkManualMeasures(list: readonly ManualMeasureInput[] | undefined, frame: FrameSize, spacing: CaliperSpacing): CheckedMeasure[] {
  if (!list || list.length === 0) return [];
  if (list.length > MAX_MANUAL_MEASURES) throw invalid(`${list.length} clinician measurements were sent; a capture keeps at most ${MAX_MANUAL_MEASURES}: clear some`, { count: list.length });
  const counts = { distance: 0, area: 0 };
  return list.map((m, i) => {
    const what = `Clinician measurement ${i + 1}`;
    if (m.kind !== 'distance' && m.kind !== 'area') throw invalid(`${what} is a "${String(m.kind)}"; send "distance" or "area"`, { index: i });
    const [least, most] = m.kind === 'distance' ? [2, 2] : [3, MAX_AREA_POINTS];
    if (!Array.isArray(m.points) || m.points.length < least || m.points.length > most)
      throw invalid(`${what} (${m.kind}) has ${Array.isArray(m.points) ? m.points.length : 0} points; a ${m.kind} has ${least === most ? least : `${least} to ${most}`}`, { index: i });
    const points = m.points.map((p, k): [number, number] => {
      if (!Array.isArray(p) || p.length !== 2) throw invalid(`${what} point ${k + 1} is not [x, y]; send frame pixels as [x, y]`, { index: i, point: k });
      checkPoint(Number(p[0]), Number(p[1]), frame, `${what} point ${k + 1}`);
      return [Number(p[0]), Number(p[1])];
    });
    const value = caliperValue(m.kind, points as CaliperPoint[], spacing);
    const unit = caliperUnit(m.kind, spacing);
    if (!(value > 0)) throw invalid(`${what} (${m.kind}) measures nothing (its points ${m.kind === 'distance' ? 'coincide' : 'enclose no area'}); measure it again`, { index: i });
    if (m.unit !== undefined && m.unit !== unit)
      throw invalid(`${what} was shown in ${m.unit}, but the frame ${spacing ? 'has' : 'has no'} pixel spacing: it is in ${unit}; measure it again on this frame`, { index: i, unit: m.unit });
    if (m.value !== undefined && !(Number.isFinite(m.value) && agrees(m.value, value)))
      throw invalid(`${what} was shown as ${m.value} ${unit}, but its points measure ${value.toFixed(2)} ${unit} on this frame; measure it again on this frame`, {
        index: i,
        sent: m.value,
        recomputed: value,
      });
    return { kind: m.kind, n: ++counts[m.kind], points, value, unit };
  });
}

/**
 * Of `list` (the page's whole list for the frame), those capture `captureId` does not hold yet (same kind and
 * points), numbered after the stored ones: measured after the frame was first saved, then saved again.
 */
export function missingManualMeasures(db: Db, captureId: string, list: readonly CheckedMeasure[]): CheckedMeasure[] {
  const stored = manualMeasuresOf(db, captureId);
  const keyOf = (m: Pick<CheckedMeasure, 'kind' | 'points'>): string => `${m.kind}:${JSON.stringify(m.points)}`;
  const held = new Set(stored.map(keyOf));
  const counts = { distance: stored.filter((m) => m.kind === 'distance').length, area: stored.filter((m) => m.kind === 'area').length };
  return list.filter((m) => !held.has(keyOf(m))).map((m) => ({ ...m, n: ++counts[m.kind] }));
}

/** Stores checked measures of capture `captureId` (call inside the capture's transaction). */
export function insertManualMeasures(db: Db, captureId: string, list: readonly CheckedMeasure[], by: string | null, at: string): void {
  const insert = db.prepare('INSERT INTO manual_measures (id, capture_id, kind, n, points_json, value, unit, made_by, made_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const m of list) insert.run(randomUUID(), captureId, m.kind, m.n, JSON.stringify(m.points), m.value, m.unit, by, at);
}

export function manualMeasuresOf(db: Db, captureId: string): ManualMeasure[] {
  const rows = db.prepare('SELECT * FROM manual_measures WHERE capture_id = ? ORDER BY rowid').all(captureId) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind as ManualMeasure['kind'],
    n: r.n as number,
    points: JSON.parse(r.points_json as string) as ManualMeasure['points'],
    value: r.value as number,
    unit: r.unit as ManualMeasure['unit'],
    by: r.made_by as string | null,
    at: r.made_at as string,
  }));
}
