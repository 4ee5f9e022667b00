import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HealthMark } from '../../../src/models/updates/health-mark.js';
import { ModelStore } from '../../../src/models/updates/store.js';
import { addTokenUserIn } from '../../helpers/auth.js';
import { runCli } from '../../helpers/cli.js';
import { type TestDaemon, startTestDaemon } from '../../helpers/daemon.js';
import { getJson, spawnDaemon, until } from '../../helpers/process-daemon.js';
import { tempDir } from '../../helpers/tmp.js';
import { SHIPPED, type Signer, makeSigner, signedPackage } from '../updates/fixtures.js';
import { makeIdentityModel } from './identity-model.js';

/**
 * The health window survives the daemon: the "under watch" mark lives in the model store (health-mark.ts), so
 * a daemon killed during the window, or a version activated by the CLI, is watched at the next start and
 * rolled back there. The model is the identity one (test/models/daemon/identity-model.ts): it passes every
 * install step, then gives "probabilities" up to 2 on live frames.
 */

type ModelsBody = { models: Array<{ id: string; active: { version: string }; health: { state: string; seen: number; insane: number; reason?: string } | null }> };

function setUp(prefix: string, healthWindow: Record<string, number>): { root: string; dataDir: string; config: string; pkg: Promise<Buffer>; pub: string; bundled: string; signer: Signer } {
  const root = tempDir(prefix);
  const bundled = join(root, 'bundled');
  cpSync(join(SHIPPED, 'fetal-head'), join(bundled, 'fetal-head'), { recursive: true });
  const signer = makeSigner(join(root, 'keys'));
  const config = join(root, 'sonoedge.json');
  writeFileSync(config, JSON.stringify({
    server: { port: 0 }, log: { level: 'info' }, modelsDir: bundled, models: [{ id: 'fetal-head', everyN: 1 }],
    inference: { providers: ['cpu'], warmupRuns: 1, intraOpThreads: 1 },
    modelUpdates: { trustedKeys: [signer.pubPath], healthWindow: { maxLatencyMs: 600_000, ...healthWindow } },
  }));
  return { root, dataDir: join(root, 'data'), config, pkg: signedPackage(root, signer, '1.2.0', { edit: makeIdentityModel }), pub: signer.pubPath, bundled, signer };
}

/** The health window's mark on disk (src/models/updates/health-mark.ts), if any. */
function readMark(dataDir: string): HealthMark | undefined {
  const path = join(dataDir, 'models', 'fetal-head', 'health.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as HealthMark) : undefined;
}

/** An in-process daemon on the same data dir (the restart), with the default window but latency. */
function restart(s: ReturnType<typeof setUp>, results: number): Promise<TestDaemon> {
  return startTestDaemon(s.root, { modelsDir: s.bundled, models: [{ id: 'fetal-head', everyN: 1 }] }, [
    [['inference', 'providers'], ['cpu']],
    [['modelUpdates', 'trustedKeys'], [s.pub]],
    [['modelUpdates', 'healthWindow', 'results'], results],
    [['modelUpdates', 'healthWindow', 'maxLatencyMs'], 600_000],
  ]);
}

/** Waits for the automatic rollback the restarted daemon makes by itself; returns the health-failed line. */
async function rolledBack(d: TestDaemon, store: ModelStore): Promise<string> {
  await until(async () => d.runtime.sessions.map((s) => s.version), (v) => v.length === 1 && v[0] === '1.0.0', 60_000, 'the bundled 1.0.0 serving again');
  const history = store.history('fetal-head');
  expect(history.slice(-2).map((h) => `${h.event}:${h.version}:${h.by}`)).toEqual(['health-failed:1.2.0:health-window', 'rolled-back:null:health-window']);
  expect(store.readPointer('fetal-head')?.version).toBeNull();
  return history.at(-2)!.detail!;
}

describe('the model health window survives the daemon (real processes)', () => {
  it('a CLI install, then a daemon start: the window runs there and rolls the model back', async () => {
    const s = setUp('sonoedge-health-cli-', {});
    const file = join(s.root, 'fetal-head-1.2.0.pkg');
    writeFileSync(file, await s.pkg);
    const installed = runCli(['models', 'install', file, '--config', s.config, '--data-dir', s.dataDir]);
    expect(installed.status, installed.stderr).toBe(0);
    const store = new ModelStore(s.dataDir, s.bundled);
    const d = await restart(s, 6);
    try {
      expect(await rolledBack(d, store)).toMatch(/^\d+ of its first \d+ results had non-finite or out-of-range outputs/);
    } finally {
      await d.close();
    }
    expect(readMark(s.dataDir)).toMatchObject({ version: '1.2.0', state: 'failed' });
  }, 180_000);

  it('a window that passed stays passed across a restart: shown, and not run again', async () => {
    const s = setUp('sonoedge-health-passed-', {});
    const file = join(s.root, 'fetal-head-1.1.0.pkg');
    writeFileSync(file, await signedPackage(s.root, s.signer, '1.1.0'));
    const installed = runCli(['models', 'install', file, '--config', s.config, '--data-dir', s.dataDir]);
    expect(installed.status, installed.stderr).toBe(0);
    const store = new ModelStore(s.dataDir, s.bundled);
    let d = await restart(s, 6);
    try {
      await until(async () => d.runtime.modelUpdates!.health('fetal-head')?.state, (v) => v === 'passed', 60_000, 'the window to pass');
    } finally {
      await d.close();
    }
    d = await restart(s, 6);
    try {
      const body = (await (await fetch(d.url + '/api/models')).json()) as ModelsBody;
      const passed = { state: 'passed', id: 'fetal-head', version: '1.1.0', seen: 6, of: 6, errors: 0, slow: 0, insane: 0, reason: '6 results within limits' };
      expect(body.models.find((m) => m.id === 'fetal-head')?.health).toEqual(passed);
      expect(store.history('fetal-head').map((h) => h.event)).toEqual(['installed', 'activated', 'health-passed']);
    } finally {
      await d.close();
    }
  }, 180_000);

  it('a daemon SIGKILLed while an HTTP install is under watch: the restarted daemon resumes the counts and rolls back', async () => {
    // a lenient window at first (fails only past 270 insane results of 300), so the kill lands inside it
    const s = setUp('sonoedge-health-kill-', { results: 300, maxInsaneFraction: 0.9 });
    const auth = await addTokenUserIn(s.dataDir, 'technician');
    const child = await spawnDaemon([join('src', 'cli.ts'), 'serve', '--config', s.config, '--data-dir', s.dataDir], /open (http:\/\/[^/\s]+)\//, 120_000);
    let mark: HealthMark | undefined;
    try {
      const r = await fetch(child.url + '/api/models', { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...auth.headers }, body: new Uint8Array(await s.pkg) });
      expect(r.status, await r.clone().text()).toBe(200);
      const models = (): Promise<ModelsBody> => getJson<ModelsBody>(child.url + '/api/models', { headers: auth.headers }).then((x) => x.body);
      await until(models, (b) => (b.models[0]?.health?.seen ?? 0) >= 30, 60_000, 'two checkpoints of the window');
      child.proc.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      mark = readMark(s.dataDir);
    } finally {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    }
    // restarted with the default share (5 %): the counts it had already break it at the next result
    const store = new ModelStore(s.dataDir, s.bundled);
    const d = await restart(s, 300);
    try {
      const reason = await rolledBack(d, store);
      expect(mark).toMatchObject({ version: '1.2.0', state: 'watching' });
      expect(mark!.seen).toBeGreaterThanOrEqual(30);
      expect(mark!.insane).toBe(mark!.seen);
      const [, insane, seen] = /^(\d+) of its first (\d+) results/.exec(reason) ?? [];
      expect(Number(seen), reason).toBeGreaterThan(mark!.seen); // resumed from the mark, not from 0
      expect(Number(insane)).toBeGreaterThan(15);
    } finally {
      await d.close();
    }
  }, 240_000);
});
