/**
 * A decision's Idempotency-Key replays the stored decision only while it is the one in force (session 13).
 * A Confirm retried after a partial failure sends its answered decisions again with their first key (the page
 * keeps it: web-ui/src/live/saved-frames.ts decisionRequest): answered from the stored row, no second history
 * row. When another tablet decided the measurement after it, the replay is refused with 409
 * SONO_DECISION_STALE instead of telling the retrying tablet that its values are stored. buildApp + inject
 * over a real encrypted SQLite; history rows counted in it.
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));
type M = { id: string; kind: string; state: string; finalValue: number | null; decidedAt: string | null };

describe('decision replay: the stored decision while it is in force, else 409 stale', async () => {
  const t = await buildTestApp();
  let seq = 300;
  const setup = async (): Promise<M[]> => {
    const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-R' }, datingGaWeeks: 21 } })).json<{ id: string }>().id;
    const f = grayFrame(seq++, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, f);
    const cap = await t.app.inject({
      method: 'POST',
      url: `/api/exams/${exam}/captures/frame`,
      headers: { 'content-type': 'application/octet-stream', 'idempotency-key': `frame-${exam}-${f.seq}-${f.timestampMs}` },
      payload: encode(f),
    });
    return cap.json<{ measurements: M[] }>().measurements;
  };
  const decide = (id: string, payload: Record<string, unknown>, key: string) => t.app.inject({ method: 'POST', url: `/api/measurements/${id}/decision`, payload, headers: { 'idempotency-key': key } });
  const rows = (id: string): number => (t.db.prepare('SELECT count(*) AS n FROM measurement_decisions WHERE measurement_id = ?').get(id) as { n: number }).n;
  const unverified = { state: 'unverified', decidedAt: null };

  it('a Confirm retried after a partial failure: the answered decision is replayed (one row), the rest stored once', async () => {
    const [first, second] = await setup();
    const body = (v: number) => ({ decision: 'corrected', value: v, expect: unverified });
    const a = await decide(first!.id, body(170), 'try-1-a');
    expect(a.statusCode, a.body).toBe(200);
    // the second decision was lost on the way: the retry sends both again, the first with its first key and body
    const again = await decide(first!.id, body(170), 'try-1-a');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<M>()).toEqual(a.json<M>());
    expect((await decide(second!.id, body(60), 'try-1-b')).statusCode).toBe(200);
    expect([rows(first!.id), rows(second!.id)]).toEqual([1, 1]);
  });

  it('replayed after another tablet decided the measurement since: 409 stale, nothing stored, the other decision stands', async () => {
    const [m] = await setup();
    const mine = await decide(m!.id, { decision: 'confirmed', expect: unverified }, 'mine-1');
    expect(mine.statusCode).toBe(200);
    const other = await decide(m!.id, { decision: 'corrected', value: 181, expect: { state: 'confirmed', decidedAt: mine.json<M>().decidedAt } }, 'other-1');
    expect(other.statusCode, other.body).toBe(200);
    const retry = await decide(m!.id, { decision: 'confirmed', expect: unverified }, 'mine-1');
    expect(retry.statusCode, retry.body).toBe(409);
    expect(retry.json<{ code: string; message: string }>()).toMatchObject({ code: 'SONO_DECISION_STALE' });
    expect(retry.json<{ message: string }>().message).toMatch(/decided again by someone else after this decision \(it is now corrected since .+\); reload the exam/);
    expect(rows(m!.id)).toBe(2);
    const now = t.db.prepare('SELECT state, final_value AS v FROM measurements WHERE id = ?').get(m!.id);
    expect(now).toEqual({ state: 'corrected', v: 181 });
  });
});
