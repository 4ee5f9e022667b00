/**
 * The clinician's own calipers are saved with a capture (issue 18, image review): through buildApp + inject
 * over a real encrypted SQLite file, the frozen frame's message followed by { clinicianMeasurements } is
 * stored with the measures recomputed from their points and the frame's spacing, returned by the exam, and
 * audited; bad calipers are refused with a coded error and nothing is stored, capture included.
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

type Frame = ReturnType<typeof grayFrame>;
const withCalipers = (f: Frame, extras: unknown): Buffer =>
  Buffer.concat([Buffer.from(new FrameEncoder(1).encode(f)), extras === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(extras), 'utf8')]);

interface ManualDto {
  kind: string;
  n: number;
  points: number[][];
  value: number;
  unit: string;
  by: string | null;
}
interface ExamBody {
  captures: Array<{ id: string; frameSeq: number; clinicianMeasurements?: ManualDto[] }>;
}

describe("the clinician's calipers saved with a capture", async () => {
  const t = await buildTestApp();
  const newExam = async (): Promise<string> => (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'CAL-1' }, datingGaWeeks: 22 } })).json<{ id: string }>().id;
  const postFrame = (examId: string, body: Buffer, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/exams/${examId}/captures/frame`,
      headers: { 'content-type': 'application/octet-stream', ...(key ? { 'idempotency-key': key } : {}) },
      payload: body,
    });
  const exam = async (id: string): Promise<ExamBody> => (await t.app.inject({ method: 'GET', url: `/api/exams/${id}` })).json<ExamBody>();

  it('stores a distance and an area with values the daemon recomputed (mm with spacing), returns them and audits them', async () => {
    const id = await newExam();
    const f = grayFrame(300, 64, 48); // spacing 0.2 mm × 0.2 mm
    publishFrame(t.runtime, f);
    const distance = { kind: 'distance', points: [[10, 8], [40, 48]], value: 10, unit: 'mm' }; // 50 px × 0.2 = 10 mm
    const area = { kind: 'area', points: [[0, 0], [20, 0], [20, 10], [0, 10]] }; // 200 px² × 0.04 = 8 mm², value left to the daemon
    const r = await postFrame(id, withCalipers(f, { clinicianMeasurements: [distance, area] }), 'cal-1');
    expect(r.statusCode, r.body).toBe(201);
    const sent = r.json<{ clinicianMeasurements: ManualDto[] }>().clinicianMeasurements;
    expect(sent.map((m) => [m.kind, m.n, m.unit])).toEqual([['distance', 1, 'mm'], ['area', 1, 'mm²']]);
    expect(sent[0]!.value).toBeCloseTo(10, 6);
    expect(sent[1]!.value).toBeCloseTo(8, 6);
    expect(sent[0]!.points).toEqual([[10, 8], [40, 48]]);
    expect(sent[0]!.by).toBeTruthy();
    const kept = (await exam(id)).captures[0]!.clinicianMeasurements!;
    expect(kept.map((m) => [m.kind, Number(m.value.toFixed(3)), m.unit])).toEqual([['distance', 10, 'mm'], ['area', 8, 'mm²']]);
    const audit = t.runtime.access.services.audit.list({ action: 'capture.add', limit: 1 })[0];
    expect(audit?.details).toMatchObject({ examId: id, clinicianMeasurements: ['distance 1: 10.00 mm', 'area 1: 8.00 mm²'] });
  });

  it('measures in pixels on a frame without spacing, and a body without calipers still captures (older clients)', async () => {
    const id = await newExam();
    const f = { ...grayFrame(310, 64, 48), pixelSpacing: undefined };
    publishFrame(t.runtime, f);
    const r = await postFrame(id, withCalipers(f, { clinicianMeasurements: [{ kind: 'distance', points: [[0, 0], [30, 40]], unit: 'px' }] }));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json<{ clinicianMeasurements: ManualDto[] }>().clinicianMeasurements).toMatchObject([{ kind: 'distance', value: 50, unit: 'px' }]);
    const g = grayFrame(311, 64, 48);
    publishFrame(t.runtime, g);
    const plain = await postFrame(id, withCalipers(g, undefined));
    expect(plain.statusCode).toBe(201);
    expect(plain.json<{ clinicianMeasurements: ManualDto[] }>().clinicianMeasurements).toEqual([]);
  });

  it('the live capture route takes them in its JSON body too', async () => {
    const id = await newExam();
    publishFrame(t.runtime, grayFrame(320, 64, 48));
    const r = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures`, payload: { clinicianMeasurements: [{ kind: 'distance', points: [[0, 0], [0, 10]] }] } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json<{ clinicianMeasurements: ManualDto[] }>().clinicianMeasurements).toMatchObject([{ kind: 'distance', value: 2, unit: 'mm' }]);
  });

  it('the same frame saved again with a caliper measured since adds it (numbered on, audited); the stored ones stay as made', async () => {
    const id = await newExam();
    const f = grayFrame(330, 64, 48);
    publishFrame(t.runtime, f);
    const d1 = { kind: 'distance', points: [[0, 0], [0, 10]] };
    const d2 = { kind: 'distance', points: [[5, 5], [25, 5]] };
    expect((await postFrame(id, withCalipers(f, { clinicianMeasurements: [d1] }), 'again-1')).statusCode).toBe(201);
    const again = await postFrame(id, withCalipers(f, { clinicianMeasurements: [d1, d2] }), 'again-1');
    expect(again.statusCode).toBe(200);
    expect(again.json<{ clinicianMeasurements: ManualDto[] }>().clinicianMeasurements.map((m) => [m.n, m.value])).toEqual([[1, 2], [2, 4]]);
    expect(t.runtime.access.services.audit.list({ action: 'capture.calipers.add', limit: 1 })[0]?.details).toMatchObject({ examId: id, clinicianMeasurements: ['distance 1: 2.00 mm', 'distance 2: 4.00 mm'] });
    // a retry of the same list writes nothing more
    expect((await postFrame(id, withCalipers(f, { clinicianMeasurements: [d1, d2] }), 'again-1')).json<{ clinicianMeasurements: ManualDto[] }>().clinicianMeasurements).toHaveLength(2);
    expect((await exam(id)).captures).toHaveLength(1);
  });

  const bad: Array<[string, unknown, string]> = [
    ['a point outside the frame', [{ kind: 'distance', points: [[10, 10], [65, 10]] }], 'SONO_GEOMETRY_OUT_OF_RANGE'],
    ['a negative coordinate', [{ kind: 'area', points: [[-1, 0], [10, 0], [10, 10]] }], 'SONO_GEOMETRY_OUT_OF_RANGE'],
    ['a distance with three points', [{ kind: 'distance', points: [[1, 1], [2, 2], [3, 3]] }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['an area with two points', [{ kind: 'area', points: [[1, 1], [20, 20]] }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['an area that encloses nothing', [{ kind: 'area', points: [[1, 1], [2, 2], [3, 3]] }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['a distance whose ends coincide', [{ kind: 'distance', points: [[5, 5], [5, 5]] }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['a value the points do not measure', [{ kind: 'distance', points: [[10, 8], [40, 48]], value: 50, unit: 'mm' }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['pixels claimed on a frame with spacing', [{ kind: 'distance', points: [[10, 8], [40, 48]], unit: 'px' }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['an unknown kind', [{ kind: 'angle', points: [[1, 1], [2, 2]] }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['a coordinate that is not a number', [{ kind: 'distance', points: [[1, 'x'], [2, 2]] }], 'SONO_MANUAL_MEASURE_INVALID'],
    ['too many measures', Array.from({ length: 21 }, () => ({ kind: 'distance', points: [[1, 1], [2, 2]] })), 'SONO_MANUAL_MEASURE_INVALID'],
  ];
  it.each(bad)('refuses %s (coded 400) and stores nothing, not even the capture', async (_what, list, code) => {
    const id = await newExam();
    const f = grayFrame(400 + bad.findIndex((b) => b[1] === list), 64, 48);
    publishFrame(t.runtime, f);
    const r = await postFrame(id, withCalipers(f, { clinicianMeasurements: list }));
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json<{ code: string; message: string }>()).toMatchObject({ code, message: expect.stringMatching(/^[A-Z]/) });
    expect((await exam(id)).captures).toEqual([]);
    const live = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures`, payload: { clinicianMeasurements: list } });
    expect(live.statusCode, live.body).toBe(400);
    expect((await exam(id)).captures).toEqual([]);
  });

  it('refuses bytes after the pixels that are not JSON (coded), nothing stored', async () => {
    const id = await newExam();
    const f = grayFrame(450, 64, 48);
    publishFrame(t.runtime, f);
    const r = await postFrame(id, Buffer.concat([Buffer.from(new FrameEncoder(1).encode(f)), Buffer.from('{not json')]));
    expect(r.json()).toMatchObject({ code: 'SONO_FRAME_MESSAGE_INVALID', statusCode: 400 });
    expect((await exam(id)).captures).toEqual([]);
  });
});
