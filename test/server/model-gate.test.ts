import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Daemon } from '../../src/app/daemon.js';
import { ModelGate } from '../../src/pipeline/model-gate.js';
import { TASK_OF_EXAM } from '../../src/protocol/exam-types.js';
import type { ExamType } from '../../src/records/types.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { liveHeaders } from '../helpers/auth.js';
import { tempDir } from '../helpers/tmp.js';

describe('ModelGate', () => {
  const models = [{ id: 'fh', task: 'fetal-head' }, { id: 'bl', task: 'breast-lesion' }, { id: 'en', task: 'enhance' }];
  const make = (ms = models): { gate: ModelGate<ExamType>; on: Map<string, boolean> } => {
    const on = new Map<string, boolean>();
    return { gate: new ModelGate<ExamType>(() => ms, (id, e) => on.set(id, e), TASK_OF_EXAM), on };
  };

  it('runs every diagnostic model when nobody watches and no exam is open; never touches the enhancer', () => {
    const { gate, on } = make();
    gate.apply();
    expect(Object.fromEntries(on)).toEqual({ fh: true, bl: true });
  });
  it('runs the viewers’ and open exams’ types only', () => {
    const { gate, on } = make();
    const a = {};
    gate.setViewer(a, 'obstetric');
    expect(Object.fromEntries(on)).toEqual({ fh: true, bl: false });
    gate.setOpenExams(['breast']);
    expect(Object.fromEntries(on)).toEqual({ fh: true, bl: true });
    gate.setViewer(a, undefined);
    expect(Object.fromEntries(on)).toEqual({ fh: false, bl: true });
    gate.setOpenExams([]);
    expect(Object.fromEntries(on)).toEqual({ fh: true, bl: true });
  });
  it('a wanted type with no configured model gates nothing', () => {
    const { gate, on } = make([{ id: 'fh', task: 'fetal-head' }]);
    gate.setViewer({}, 'breast');
    expect(Object.fromEntries(on)).toEqual({ fh: true });
  });
});

const haveModel = existsSync(join(packageRoot(), 'models', 'breast-lesion', 'manifest.json'));

describe.skipIf(!haveModel)('exam type chooses the live models (real daemon, both models)', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir(), { models: [{ id: 'fetal-head', everyN: 1 }, { id: 'breast-lesion', everyN: 2 }], drivers: { simulated: { fps: 15 } } });
    await waitForHealth(d.url, 200, 60000);
  });
  afterAll(async () => d?.close());

  const tasksFor = async (ms: number): Promise<Set<string>> => {
    const seen = new Set<string>();
    const off = d.runtime.bus.on('result', (e) => seen.add(e.result.task));
    await new Promise((r) => setTimeout(r, ms));
    off();
    return seen;
  };

  it('an obstetric viewer stops the lesion model; a breast exam starts it again', async () => {
    const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: liveHeaders(d.url) });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'exam-type', examType: 'obstetric' }));
    await new Promise((r) => setTimeout(r, 1000)); // a run in flight may still land
    expect([...(await tasksFor(3000))]).toEqual(['fetal-head']);
    const r = await fetch(d.url + '/api/exams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ examType: 'breast' }) });
    expect(r.status).toBe(201);
    expect((await tasksFor(4000)).has('breast-lesion')).toBe(true);
    ws.close();
  });
});
