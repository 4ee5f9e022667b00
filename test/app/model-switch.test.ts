import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { ErrorCodes } from '../../src/errors.js';
import type { InferenceEngine } from '../../src/inference/engine.js';
import { openModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import type { ResultEvent } from '../../src/pipeline/bus.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

const cpu = { providers: ['cpu' as const], precision: 'fp32' as const, intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 1 };

/** The shipped fetal-head package opened again, presented under another id or version (as an update would bring). */
async function openAs(as: { id?: string; version: string }): Promise<InferenceEngine & { released: boolean }> {
  const s = await openModelSession(findModelPackage(join(packageRoot(), 'models'), 'fetal-head'), cpu);
  const e = {
    pkg: s.pkg, provider: s.provider, file: s.file, attempts: s.attempts, id: as.id ?? s.id, version: as.version,
    inputData: s.inputData, runMs: s.runMs, run: (slot: 0 | 1) => s.run(slot), released: false,
    release: async () => {
      e.released = true;
      await s.release();
    },
  };
  return e;
}

describe('a model update in a running daemon (Runtime.models)', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir(), { models: [{ id: 'fetal-head', everyN: 1 }] }, [[['inference', 'warmupRuns'], 0]]);
    await waitForHealth(d.url, 200);
  });
  afterAll(async () => d?.close());

  it('switches live results to the new session, shows it in health, and gives the old version back', async () => {
    const before = d.runtime.sessions[0]!.version;
    const seen: ResultEvent[] = [];
    const off = d.runtime.bus.on('result', (e) => seen.push(e));
    const update = await openAs({ version: '9.9.9-update' });
    const swapped = await d.runtime.models.replace(async () => update);
    expect(swapped).toEqual({ id: 'fetal-head', previousVersion: before, version: '9.9.9-update' });
    const from = seen.length;
    for (const t0 = Date.now(); !seen.slice(from).some((e) => e.modelVersion === '9.9.9-update') && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 50));
    off();
    expect(seen.slice(from).length).toBeGreaterThan(0);
    expect(seen.slice(from).every((e) => e.modelVersion === '9.9.9-update')).toBe(true);
    const h = (await (await fetch(d.url + '/api/health')).json()) as { models: Array<{ id: string; version: string }> };
    expect(h.models).toEqual([expect.objectContaining({ id: 'fetal-head', version: '9.9.9-update' })]);
    expect(update.released).toBe(false);
  });

  it('refuses a session for a model that is not running, releases it, and the running one keeps serving', async () => {
    const stray = await openAs({ id: 'breast-lesion', version: '1.0.0' });
    await expect(d.runtime.models.replace(async () => stray)).rejects.toMatchObject({
      code: ErrorCodes.MODEL_REPLACE_FAILED,
      message: expect.stringMatching(/Model "breast-lesion" is not running, so it cannot be replaced; running: fetal-head/),
    });
    expect(stray.released).toBe(true);
    expect(d.runtime.sessions.map((s) => s.version)).toEqual(['9.9.9-update']);
  });
});
