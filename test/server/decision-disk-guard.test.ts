/**
 * Writes that grow the records keep the disk guard's reserve (review s14 HIGH: 420 decisions with a 40,000-number
 * outline filled a 300 MB disk past its 50 MB reserve; reads and sign-in then failed). buildApp + inject over a
 * real encrypted SQLite file; the guard is the real DiskGuard reading a statfs that says how much is free (no disk
 * is filled). Below refuseFreeMb: a decision carrying an outline, a second reading, an adjudication and a
 * signature answer 507 SONO_DISK_LOW and store nothing, while a plain Confirm and closing still work. At any level:
 * an outline over MAX_DECISION_OUTLINE_POINTS is a coded 400, and the decision in force sent again by the same
 * user is not appended to the history again (an Idempotency-Key retry is still answered).
 */
import { describe, expect, it } from 'vitest';
import { MAX_DECISION_OUTLINE_POINTS } from '../../src/protocol/rest/decision-limits.js';
import { DiskGuard } from '../../src/service/disk-guard.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const MB = 1024 * 1024;

describe('decisions and other record writes on a nearly full disk', async () => {
  const t = await buildTestApp();
  let freeMb = 500;
  t.runtime.disk = new DiskGuard({ path: t.dir, levels: { warnFreeMb: 120, stopCineFreeMb: 80, refuseFreeMb: 50 }, statfs: () => ({ bavail: freeMb * 256, blocks: 1000 * 256, bsize: MB / 256 }) });
  let seq = 0;
  /** An open exam with one capture of a 64×48 frame; its measurements' ids. */
  const examWithMeasurements = async (): Promise<{ exam: string; ids: string[] }> => {
    freeMb = 500;
    const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-DF' }, datingGaWeeks: 22 } })).json<{ id: string }>().id;
    publishFrame(t.runtime, grayFrame(++seq, 64, 48));
    const cap = await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/captures`, payload: {} });
    expect(cap.statusCode, cap.body).toBe(201);
    return { exam, ids: cap.json<{ measurements: Array<{ id: string }> }>().measurements.map((m) => m.id) };
  };
  const decide = (id: string, body: object, key?: string) => t.app.inject({ method: 'POST', url: `/api/measurements/${id}/decision`, headers: key ? { 'idempotency-key': key } : {}, payload: body });
  const history = (id: string): number => (t.db.prepare('SELECT count(*) AS n FROM measurement_decisions WHERE measurement_id = ?').get(id) as { n: number }).n;
  const ring = (points: number): number[] => Array.from({ length: points }, (_, k) => [32 + 20 * Math.cos((2 * Math.PI * k) / points), 24 + 20 * Math.sin((2 * Math.PI * k) / points)]).flat();

  it('below the reserve: an outline decision, a second reading, an adjudication and a signature are refused 507; a plain Confirm and closing still work', async () => {
    const { exam, ids } = await examWithMeasurements();
    freeMb = 40;
    const outline = await decide(ids[0]!, { decision: 'corrected', value: 50, geometry: { outline: ring(100) } });
    expect(outline.statusCode, outline.body).toBe(507);
    expect(outline.json()).toMatchObject({ code: 'SONO_DISK_LOW', details: { what: 'decision carrying an outline', freeMb: 40, refuseFreeMb: 50 } });
    expect(history(ids[0]!)).toBe(0);
    for (const [url, what] of [
      [`/api/measurements/${ids[0]}/second-read`, 'second reading'],
      [`/api/measurements/${ids[0]}/adjudicate`, 'adjudication'],
      [`/api/exams/${exam}/sign`, 'signature'],
    ] as const) {
      const r = await t.app.inject({ method: 'POST', url, payload: url.endsWith('second-read') ? { agree: true } : url.endsWith('adjudicate') ? { value: 50 } : {} });
      expect(r.statusCode, `${url} ${r.body}`).toBe(507);
      expect(r.json()).toMatchObject({ code: 'SONO_DISK_LOW', details: { what } });
    }
    // finishing work already begun: a plain Confirm, a corrected value, a caliper; closing
    for (const id of ids) expect((await decide(id, { decision: 'confirmed' })).statusCode).toBe(200);
    expect((await decide(ids[1]!, { decision: 'corrected', value: 12, geometry: { x1: 1, y1: 1, x2: 30, y2: 20 } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/close`, payload: {} })).statusCode).toBe(200);
    freeMb = 500;
  });

  it(`an outline of more than ${MAX_DECISION_OUTLINE_POINTS} points is a coded 400 and stores nothing; one of ${MAX_DECISION_OUTLINE_POINTS} is stored`, async () => {
    const { ids } = await examWithMeasurements();
    const big = await decide(ids[0]!, { decision: 'corrected', value: 50, geometry: { outline: ring(MAX_DECISION_OUTLINE_POINTS + 1) } });
    expect(big.statusCode, big.body).toBe(400);
    expect(big.json()).toMatchObject({ code: 'SONO_GEOMETRY_OUT_OF_RANGE', details: { points: MAX_DECISION_OUTLINE_POINTS + 1, maxPoints: MAX_DECISION_OUTLINE_POINTS } });
    expect(history(ids[0]!)).toBe(0);
    expect((await decide(ids[0]!, { decision: 'corrected', value: 50, geometry: { outline: ring(MAX_DECISION_OUTLINE_POINTS) } })).statusCode).toBe(200);
    expect(history(ids[0]!)).toBe(1);
  });

  it('the decision in force sent again by the same user is not appended again; another decision is; a keyed retry is answered as stored', async () => {
    const { ids } = await examWithMeasurements();
    const body = { decision: 'corrected', value: 50, geometry: { outline: ring(200) } };
    const first = await decide(ids[0]!, body, 'k-1');
    expect(first.statusCode).toBe(200);
    for (let i = 0; i < 20; i++) {
      const again = await decide(ids[0]!, body);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
    }
    expect(history(ids[0]!)).toBe(1);
    // the retry of the keyed request is answered from its stored row; the same key with another body is still 409
    expect((await decide(ids[0]!, body, 'k-1')).json()).toEqual(first.json());
    expect((await decide(ids[0]!, { decision: 'confirmed' }, 'k-1')).json()).toMatchObject({ code: 'SONO_IDEMPOTENCY_KEY_REUSED' });
    // a different decision is a new history row
    expect((await decide(ids[0]!, { decision: 'confirmed' })).statusCode).toBe(200);
    expect((await decide(ids[0]!, body)).statusCode).toBe(200);
    expect(history(ids[0]!)).toBe(3);
  });
});
