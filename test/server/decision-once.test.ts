/**
 * POST /api/measurements/:id/decision is stored once per Idempotency-Key and checked against the state the
 * client showed (`expect`). Before: a retried correction wrote two history rows and two audit rows; tablet B,
 * still showing the AI proposal, confirmed over tablet A's correction silently; on a closed exam a retry whose
 * answer was lost got 409 "already decided" though it was saved. buildApp + inject over a real encrypted SQLite.
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));
type M = { id: string; kind: string; state: string; finalValue: number | null; aiValue: number | null; decidedAt: string | null };

describe('decisions: once per Idempotency-Key, refused over a decision made since', async () => {
  const t = await buildTestApp();
  let seq = 200;
  const setup = async (): Promise<{ exam: string; hc: string }> => {
    const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-D' }, datingGaWeeks: 21 } })).json<{ id: string }>().id;
    const f = grayFrame(seq++, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, f);
    const cap = await t.app.inject({
      method: 'POST',
      url: `/api/exams/${exam}/captures/frame`,
      headers: { 'content-type': 'application/octet-stream', 'idempotency-key': `frame-${exam}-${f.seq}-${f.timestampMs}` },
      payload: encode(f),
    });
    return { exam, hc: cap.json<{ measurements: M[] }>().measurements.find((m) => m.kind === 'hc')!.id };
  };
  const decide = (id: string, payload: Record<string, unknown>, key?: string) =>
    t.app.inject({ method: 'POST', url: `/api/measurements/${id}/decision`, payload, headers: key !== undefined ? { 'idempotency-key': key } : {} });
  const history = async (exam: string) => (await t.app.inject({ method: 'GET', url: `/api/exams/${exam}/decisions` })).json<unknown[]>();
  const audited = (id: string): number => (t.db.prepare("SELECT count(*) AS n FROM audit WHERE target = ? AND action LIKE 'measurement.%'").get(id) as { n: number }).n;
  const hcOf = async (exam: string): Promise<M> =>
    (await t.app.inject({ method: 'GET', url: `/api/exams/${exam}` })).json<{ captures: Array<{ measurements: M[] }> }>().captures[0]!.measurements.find((m) => m.kind === 'hc')!;
  const unverified = { state: 'unverified', decidedAt: null };

  it('a retried correction (same key, same body) is stored and audited once; the retry answers the stored decision', async () => {
    const { exam, hc } = await setup();
    const body = { decision: 'corrected', value: 170, expect: unverified };
    const first = await decide(hc, body, 'k-1');
    expect(first.statusCode, first.body).toBe(200);
    const again = await decide(hc, { expect: unverified, value: 170, decision: 'corrected' }, 'k-1'); // the same body, keys in another order
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<M>()).toEqual(first.json<M>());
    expect(await history(exam)).toHaveLength(1);
    expect(audited(hc)).toBe(1);
    // the same key with another body is refused, and stores nothing
    const other = await decide(hc, { decision: 'corrected', value: 171, expect: unverified }, 'k-1');
    expect(other.statusCode).toBe(409);
    expect(other.json<{ code: string }>().code).toBe('SONO_IDEMPOTENCY_KEY_REUSED');
    expect(await history(exam)).toHaveLength(1);
    expect((await hcOf(exam)).finalValue).toBe(170);
  });

  it("tablet B, still showing the AI proposal, cannot confirm over tablet A's correction; with what it now shows it can", async () => {
    const { exam, hc } = await setup();
    const a = await decide(hc, { decision: 'corrected', value: 160, expect: unverified }, 'a-1');
    expect(a.statusCode).toBe(200);
    const b = await decide(hc, { decision: 'confirmed', expect: unverified }, 'b-1');
    expect(b.statusCode).toBe(409);
    expect(b.json<{ code: string; message: string }>()).toMatchObject({ code: 'SONO_DECISION_STALE' });
    expect(b.json<{ message: string }>().message).toMatch(/changed by someone else since you loaded it.*reload/);
    expect(await hcOf(exam)).toMatchObject({ state: 'corrected', finalValue: 160 });
    expect(await history(exam)).toHaveLength(1);
    // reloaded: B now expects A's decision and may replace it (kept in the history)
    const reloaded = await decide(hc, { decision: 'confirmed', expect: { state: 'corrected', decidedAt: a.json<M>().decidedAt } }, 'b-2');
    expect(reloaded.statusCode).toBe(200);
    expect(reloaded.json<M>().state).toBe('confirmed');
    expect(await history(exam)).toHaveLength(2);
  });

  it('a retry whose answer was lost, sent after the exam was closed, answers the stored decision (not 409 "already decided")', async () => {
    const { exam, hc } = await setup();
    const body = { decision: 'corrected', value: 180, expect: unverified };
    const first = await decide(hc, body, 'close-1');
    expect(first.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/close`, payload: {} })).statusCode).toBe(200);
    const retry = await decide(hc, body, 'close-1');
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json<M>()).toEqual(first.json<M>());
    expect(await history(exam)).toHaveLength(1);
    // a new decision on the closed exam is still refused
    expect((await decide(hc, { decision: 'confirmed' }, 'close-2')).json<{ code: string }>().code).toBe('SONO_EXAM_CLOSED');
  });
});
