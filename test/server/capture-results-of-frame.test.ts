/**
 * POST /api/exams/:id/captures pairs a kept frame with the results of that very frame: same sequence AND capture
 * time. Sequences restart with the source, so a result kept for an earlier source's frame 12 must never be
 * stored (as AI measurements the clinician then confirms) with the new source's frame 12.
 * buildApp + inject over a real encrypted SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

type CaptureBody = { id: string; code?: string; frameSeq: number; results: unknown[]; measurements: Array<{ kind: string }> };

describe("a capture after the source restarted: the earlier source's results of the same frame number are not its own", async () => {
  const t = await buildTestApp();
  const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-SR' }, datingGaWeeks: 21 } })).json<{ id: string }>().id;
  const capture = (body: object) => t.app.inject({ method: 'POST', url: `/api/exams/${exam}/captures`, payload: body });

  it('a cine frame (seq) is stored without the old frame 12 result; the newest frame waits for a result of its own', async () => {
    // the first source: frames 0…12, frame 12 with its head result
    for (let seq = 0; seq <= 12; seq++) publishFrame(t.runtime, grayFrame(seq, 64, 48, undefined, 1000 + seq * 33), seq === 12);
    // the source restarted: frames 0…12 again (the daemon keeps the last 12), other times, no result yet
    for (let seq = 0; seq <= 12; seq++) publishFrame(t.runtime, grayFrame(seq, 64, 48, undefined, 90_000 + seq * 33), false);

    const cine = await capture({ seq: 12 });
    expect(cine.statusCode, cine.body).toBe(201);
    expect(cine.json<CaptureBody>()).toMatchObject({ frameSeq: 12, results: [], measurements: [] });

    // no seq: the newest frame with a head result; the old result is not this frame's, so none is kept
    const tap = await capture({});
    expect(tap.json<CaptureBody>().code).toBe('SONO_FRAME_RESULTS_UNKNOWN');
  });

  it('a cine frame (seq) after a restart within the kept frames is the new frame of that number, not the old one', async () => {
    for (let seq = 0; seq <= 3; seq++) publishFrame(t.runtime, grayFrame(seq, 64, 48, undefined, 200_000 + seq * 33), seq === 3);
    // the source restarted after 4 frames: frames 0…3 again; the daemon still keeps the first source's too
    for (let seq = 0; seq <= 3; seq++) publishFrame(t.runtime, grayFrame(seq, 64, 48, undefined, 300_000 + seq * 33), false);
    const cine = await capture({ seq: 3 });
    expect(cine.statusCode, cine.body).toBe(201);
    expect(cine.json<CaptureBody>()).toMatchObject({ frameSeq: 3, results: [] });
    const row = t.db.prepare('SELECT frame_timestamp_ms FROM captures WHERE id = ?').get(cine.json<CaptureBody>().id) as { frame_timestamp_ms: number };
    expect(row.frame_timestamp_ms).toBe(300_000 + 3 * 33);
  });
});
