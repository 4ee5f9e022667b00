import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

const haveModel = existsSync(join(packageRoot(), 'models', 'breast-lesion', 'manifest.json'));
if (!haveModel) console.warn('SKIPPED breast records API test: no breast-lesion model package');

async function json(d: Daemon, method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(d.url + url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe.skipIf(!haveModel)('breast exams over the records API (both models live, each at its cadence)', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir(), { models: [{ id: 'fetal-head', everyN: 1 }, { id: 'breast-lesion', everyN: 3 }], drivers: { simulated: { fps: 15 } } });
    await waitForHealth(d.url, 200, 60000);
    // both models publish results
    const seen = new Set<string>();
    const off = d.runtime.bus.on('result', (e) => seen.add(e.result.task));
    for (let i = 0; i < 100 && seen.size < 2; i++) await new Promise((r) => setTimeout(r, 200));
    off();
    expect([...seen].sort()).toEqual(['breast-lesion', 'fetal-head']);
  });
  afterAll(async () => d?.close());

  it('a breast exam captures the lesion findings, not the head biometry; categories are corrected by name', async () => {
    const bad = await json(d, 'POST', '/api/exams', { examType: 'thyroid' });
    expect(bad.status).toBe(400);
    const e = await json(d, 'POST', '/api/exams', { examType: 'breast', operator: 'sono-a' });
    expect(e.status).toBe(201);
    expect(e.body.examType).toBe('breast');
    // a breast capture names its breast (src/protocol/laterality.ts)
    expect((await json(d, 'POST', `/api/exams/${e.body.id as string}/captures`, {})).body.code).toBe('SONO_LATERALITY_REQUIRED');
    const cap = await json(d, 'POST', `/api/exams/${e.body.id as string}/captures`, { laterality: 'left' });
    expect(cap.body.laterality).toBe('left');
    expect(cap.status).toBe(201);
    const results = cap.body.results as Array<{ result: { task: string } }>;
    expect(results.map((r) => r.result.task)).toContain('breast-lesion');
    const ms = cap.body.measurements as Array<{ id: string; kind: string; unit: string; aiText: string | null }>;
    expect(ms.map((m) => m.kind)).not.toContain('hc');
    expect(ms.map((m) => m.kind)).toEqual(expect.arrayContaining(['lesion_class', 'malignancy_probability']));
    const cls = ms.find((m) => m.kind === 'lesion_class')!;
    expect(['normal', 'benign', 'malignant']).toContain(cls.aiText);
    const wrong = await json(d, 'POST', `/api/measurements/${cls.id}/decision`, { decision: 'corrected', text: 'cancer', by: 'dr' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/choose one of normal, benign, malignant/);
    const other = cls.aiText === 'benign' ? 'malignant' : 'benign';
    const ok = await json(d, 'POST', `/api/measurements/${cls.id}/decision`, { decision: 'corrected', text: other, by: 'dr' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'corrected', aiText: cls.aiText, finalText: other, decidedBy: 'admin' }); // the signed-in user
    // an obstetric exam's capture is unaffected by the lesion model's cadence
    const ob = await json(d, 'POST', '/api/exams', {});
    const obCap = await json(d, 'POST', `/api/exams/${ob.body.id as string}/captures`, {});
    expect((obCap.body.measurements as Array<{ kind: string }>).map((m) => m.kind)).toContain('hc');
    const list = (await fetch(d.url + '/api/exams').then((r) => r.json())) as Array<{ id: string; examType: string }>;
    expect(list.find((x) => x.id === e.body.id)?.examType).toBe('breast');
  });
});
