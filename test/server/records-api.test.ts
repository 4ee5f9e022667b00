import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

async function json(d: Daemon, method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> & Array<Record<string, unknown>> }> {
  const r = await fetch(d.url + url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as never };
}

describe('records API (real daemon, encrypted SQLite)', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir());
    await waitForHealth(d.url, 200);
    // wait for a result so captures carry measurements
    for (let i = 0; i < 50 && !(await fetch(d.url + '/api/live/best')).ok; i++) await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => d?.close());

  it('creates, captures, decides and closes an exam; the record holds AI and final values with who and when', async () => {
    const created = await json(d, 'POST', '/api/exams', { patient: { name: 'DOE^JANE', id: 'P-123', birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21, operator: 'midwife-a' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.anonymous).toBe(false);
    const cap = await json(d, 'POST', `/api/exams/${id}/captures`, {});
    expect(cap.status).toBe(201);
    const ms = cap.body.measurements as Array<{ id: string; kind: string; aiValue: number; state: string }>;
    expect(ms.map((m) => m.kind).sort()).toEqual(['bpd', 'ga', 'hc', 'ofd']);
    expect(ms.every((m) => m.state === 'unverified')).toBe(true);
    const hc = ms.find((m) => m.kind === 'hc')!;
    const corrected = await json(d, 'POST', `/api/measurements/${hc.id}/decision`, { decision: 'corrected', value: 180.5, by: 'dr-b' });
    expect(corrected.status).toBe(200);
    // who decided is who is signed in (the test's admin token), not the body's "by"
    expect(corrected.body).toMatchObject({ state: 'corrected', aiValue: hc.aiValue, finalValue: 180.5, decidedBy: 'admin' });
    expect(typeof corrected.body.decidedAt).toBe('string');
    const bpd = ms.find((m) => m.kind === 'bpd')!;
    expect((await json(d, 'POST', `/api/measurements/${bpd.id}/decision`, { decision: 'confirmed', by: 'dr-b' })).body).toMatchObject({ state: 'confirmed', finalValue: bpd.aiValue });
    const closed = await json(d, 'POST', `/api/exams/${id}/close`, {});
    expect(closed.status).toBe(200);
    expect(closed.body.closedAt).toBeTruthy();
    const again = await json(d, 'GET', `/api/exams/${id}`);
    const stored = (again.body.captures as Array<{ measurements: Array<{ kind: string; aiValue: number; finalValue: number; state: string }> }>)[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect(stored).toMatchObject({ aiValue: hc.aiValue, finalValue: 180.5, state: 'corrected' });
    // decisions are final after close; closing twice is a conflict
    expect((await json(d, 'POST', `/api/measurements/${bpd.id}/decision`, { decision: 'confirmed', by: 'x' })).status).toBe(409);
    expect((await json(d, 'POST', `/api/exams/${id}/close`, {})).status).toBe(409);
    expect((await json(d, 'POST', `/api/exams/${id}/captures`, {})).status).toBe(409);
    const list = await json(d, 'GET', '/api/exams');
    expect(list.body.some((e) => e.id === id && e.captureCount === 1)).toBe(true);
  });

  it('an exam without patient is anonymous', async () => {
    const r = await json(d, 'POST', '/api/exams', {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ anonymous: true, patient: null });
  });

  it('every bad input gets a clear 400/404, and nothing stored is lost', async () => {
    const bad = [
      { patient: { name: 'DOE\\JANE' } },
      { patient: { birthDate: '1990-02-14' } },
      { patient: { sex: 'X' } },
      { datingGaWeeks: 80 },
      { surprise: true },
    ];
    for (const body of bad) {
      const r = await json(d, 'POST', '/api/exams', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toBeTruthy();
    }
    expect((await json(d, 'GET', '/api/exams/does-not-exist')).status).toBe(404);
    expect((await json(d, 'POST', '/api/measurements/nope/decision', { decision: 'confirmed', by: 'x' })).status).toBe(404);
    const e = await json(d, 'POST', '/api/exams', {});
    const cap = await json(d, 'POST', `/api/exams/${e.body.id as string}/captures`, {});
    const m = (cap.body.measurements as Array<{ id: string }>)[0]!;
    const noValue = await json(d, 'POST', `/api/measurements/${m.id}/decision`, { decision: 'corrected', by: 'x' });
    expect(noValue.status).toBe(400);
    expect(noValue.body.message).toMatch(/needs the corrected value/);
    const before = (await json(d, 'GET', '/api/exams')).body.length;
    const r = await fetch(d.url + '/api/exams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(r.status).toBe(400);
    expect((await json(d, 'GET', '/api/exams')).body.length).toBe(before);
  });
});
