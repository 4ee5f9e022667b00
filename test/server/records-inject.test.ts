import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';
import { makeClosedBreastExam } from '../helpers/breast-exam-fixture.js';
import { makeClosedExam } from '../helpers/exam-fixture.js';

const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));

describe('records routes through buildApp + inject (real SQLite, no models)', async () => {
  const t = await buildTestApp();
  const post = (url: string, body: unknown) => t.app.inject({ method: 'POST', url, payload: body as Record<string, unknown> });
  const json = <T>(r: { json: () => unknown }): T => r.json() as T;
  const newExam = async (): Promise<string> => (await post('/api/exams', { patient: { id: 'P-1', name: 'DOE^JANE' }, datingGaWeeks: 21 })).json<{ id: string }>().id;
  const postFrame = (examId: string, msg: Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${examId}/captures/frame`, headers: { 'content-type': 'application/octet-stream', ...headers }, payload: msg });

  it('answers every error with one coded body: a missing exam, a schema failure, broken JSON, an unknown route', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/exams/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'SONO_EXAM_NOT_FOUND', statusCode: 404, message: expect.stringMatching(/^Exam nope does not exist/) });
    const invalid = await post('/api/exams', { datingGaWeeks: 80 });
    expect(invalid.statusCode).toBe(400);
    const body = invalid.json<{ code: string; message: string; details: { issues: string[] } }>();
    expect(body.code).toBe('SONO_REQUEST_INVALID');
    expect(body.message).toMatch(/^The request body was refused: datingGaWeeks must be at most 44\. Correct it/);
    expect(body.details.issues[0]).toMatch(/datingGaWeeks/);
    const extra = await post('/api/exams', { patient: { id: 'P-1', nickname: 'x' } });
    expect(extra.json<{ message: string }>().message).toMatch(/refused: patient\.nickname is not a field this request takes/);
    const broken = await t.app.inject({ method: 'POST', url: '/api/exams', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(broken.json()).toMatchObject({ code: 'SONO_REQUEST_INVALID', statusCode: 400 });
    const unknown = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(unknown.json()).toMatchObject({ code: 'SONO_ROUTE_NOT_FOUND', statusCode: 404 });
    const noProposal = await t.app.inject({ method: 'GET', url: '/api/live/best' });
    expect(noProposal.json()).toMatchObject({ code: 'SONO_NO_PROPOSAL', statusCode: 404 });
  });

  it('the growth route answers its schema (visits, points, intervals, flags)', async () => {
    const id = await newExam();
    const g = await t.app.inject({ method: 'GET', url: `/api/exams/${id}/growth` });
    expect(g.statusCode).toBe(200);
    expect(g.json()).toEqual({ visits: [], points: [], intervals: [], flags: [] });
  });

  it('stores the same frame posted twice to one exam once; the second answer is the stored capture', async () => {
    const id = await newExam();
    const f = grayFrame(40, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, f);
    const first = await postFrame(id, encode(f));
    expect(first.statusCode).toBe(201);
    const second = await postFrame(id, encode(f));
    expect(second.statusCode).toBe(200);
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    // a client key names a capture too: a retry of another frame with the same key answers the first
    const g = grayFrame(41, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, g);
    const keyed = await postFrame(id, encode(g), { 'idempotency-key': 'tap-1' });
    expect(keyed.statusCode).toBe(201);
    expect((await postFrame(id, encode(g), { 'idempotency-key': 'tap-1' })).json<{ id: string }>().id).toBe(keyed.json<{ id: string }>().id);
    const exam = (await t.app.inject({ method: 'GET', url: `/api/exams/${id}` })).json<{ captures: Array<{ frameSeq: number; results: Array<{ result: { task: string; hcMm: number } }> }> }>();
    expect(exam.captures.map((c) => c.frameSeq)).toEqual([40, 41]);
    expect(exam.captures[0]!.results[0]!.result).toMatchObject({ task: 'fetal-head', hcMm: 175.2 });
    // the live route keys on the frame as well: two taps on the newest frame store one capture
    const live1 = await post(`/api/exams/${id}/captures`, {});
    const live2 = await post(`/api/exams/${id}/captures`, {});
    expect([live1.statusCode, live2.statusCode]).toEqual([200, 200]);
    expect(live1.json<{ frameSeq: number }>().frameSeq).toBe(41);
  });

  it("captures a frame of a source whose frames change size: the frame's own region is its truth", async () => {
    const id = await newExam();
    // a replayed folder: one image 320×360 (region height 336), the next 320×320 (region height 301)
    const tall = grayFrame(54, 320, 360, { x: 10, y: 12, width: 300, height: 336 });
    const short = grayFrame(55, 320, 320, { x: 10, y: 10, width: 300, height: 301 });
    publishFrame(t.runtime, tall);
    publishFrame(t.runtime, short);
    const r = await postFrame(id, encode(tall));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ frameSeq: 54, width: 320, height: 360 });
    // a frame message whose region was edited is refused (coded), nothing stored
    const edited = encode(short);
    edited.writeUInt16LE(200, 38);
    expect((await postFrame(id, edited)).json()).toMatchObject({ code: 'SONO_FRAME_MESSAGE_INVALID', statusCode: 400 });
  });

  it('sends every stored AI result field of both tasks through the response schema (nothing dropped, nothing unknown)', async () => {
    for (const { store, exam } of [makeClosedExam(t.db), makeClosedBreastExam(t.db)]) {
      const r = await t.app.inject({ method: 'GET', url: `/api/exams/${exam.id}` });
      expect(r.statusCode).toBe(200);
      const sent = r.json<{ captures: Array<{ results: unknown[]; measurements: unknown[] }> }>();
      const kept = JSON.parse(JSON.stringify(store.getExam(exam.id))) as typeof sent;
      expect(sent.captures[0]!.results).toEqual(kept.captures[0]!.results);
      expect(sent.captures[0]!.measurements).toEqual(kept.captures[0]!.measurements);
    }
  });

  it("assesses a patient's HC over visits from the clinician's values and flags a fall (moved here from a real-daemon suite)", async () => {
    const ids: string[] = [];
    for (const [i, ga, hc] of [[0, 20, 172.5], [1, 30, 250]] as const) {
      const id = json<{ id: string }>(await post('/api/exams', { patient: { id: 'GROWTH-1' }, datingGaWeeks: ga }));
      const f = grayFrame(500 + i, 64, 48);
      publishFrame(t.runtime, f);
      const c = await post(`/api/exams/${id.id}/captures`, {});
      const m = json<{ measurements: Array<{ id: string; kind: string }> }>(c).measurements.find((x) => x.kind === 'hc')!;
      expect((await post(`/api/measurements/${m.id}/decision`, { decision: 'corrected', value: hc, by: 'dr' })).statusCode).toBe(200);
      ids.push(id.id);
    }
    const g = await t.app.inject({ method: 'GET', url: `/api/exams/${ids[1]!}/growth` });
    expect(g.statusCode).toBe(200);
    const body = json<{ points: Array<{ hcMm: number; z: number }>; flags: Array<{ code: string }> }>(g);
    expect(body.points.map((p) => p.hcMm)).toEqual([172.5, 250]);
    expect(body.points[0]!.z).toBeCloseTo(0, 1);
    expect(body.flags.map((f) => f.code)).toContain('hc-centile-falling');
  });

  it('describes every route with its schemas at /docs/json', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    const paths = r.json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>().paths;
    expect(Object.keys(paths['/api/exams/{id}/growth']!.get!.responses).sort()).toEqual(['200', '400', '404', '4XX', '5XX']);
    expect(paths['/api/exams/{id}/captures/frame']!.post!.responses).toHaveProperty('413');
    // every API route declares its error body, whatever it lists itself
    for (const [path, methods] of Object.entries(paths).filter(([p]) => p.startsWith('/api/') && p !== '/api/live')) {
      for (const [method, op] of Object.entries(methods)) expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['4XX', '5XX']));
    }
  });
});
