import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../src/access/roles.js';
import type { ModelEvent } from '../../../src/pipeline/bus.js';
import { type TestAuth, addTokenUser } from '../../helpers/auth.js';
import { runCli } from '../../helpers/cli.js';
import { type TestDaemon, captureLive, startTestDaemon, waitForHealth } from '../../helpers/daemon.js';
import { tempDir } from '../../helpers/tmp.js';
import { openDataDir } from '../../access/access-app.js';
import { AuditTrail } from '../../../src/audit/audit-trail.js';
import { SHIPPED, type Signer, makeSigner, signedPackage } from '../updates/fixtures.js';
import { makeIdentityModel } from './identity-model.js';

interface HealthBody { models: Array<{ id: string; version: string; healthWindow?: string }> }

/** Waits for a condition the daemon reaches by itself (no sleeps standing in for it). */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live results (over /api/live) until `n` of them come from `version`; every one after the first of those must too. */
async function liveVersions(d: TestDaemon, version: string, n = 3): Promise<string[]> {
  const cap = await captureLive(d.url, (c) => c.texts.filter((t) => t.type === 'result' && t.modelVersion === version).length >= n, 60_000);
  const versions = cap.texts.filter((t) => t.type === 'result').map((t) => String(t.modelVersion));
  return versions.slice(versions.indexOf(version));
}

describe('model updates in the real daemon: HTTP install, live switch, health, access, automatic rollback, audit', () => {
  const root = tempDir('sonoedge-models-daemon-');
  const bundled = join(root, 'bundled');
  const events: ModelEvent[] = [];
  let signer: Signer;
  let d: TestDaemon;
  const users: Partial<Record<Role, TestAuth>> = {};
  const post = (body: Buffer, role: Role): Promise<Response> =>
    fetch(d.url + '/api/models', { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...users[role]!.headers }, body: new Uint8Array(body) });
  const health = async (): Promise<HealthBody> => (await (await fetch(d.url + '/api/health')).json()) as HealthBody;
  const modelAudit = (): ReturnType<AuditTrail['list']> => d.runtime.access.services.audit.list({ action: 'model.' }).reverse();

  const start = (): Promise<TestDaemon> => startTestDaemon(root, { modelsDir: bundled, models: [{ id: 'fetal-head', everyN: 1 }] }, [
    [['inference', 'providers'], ['cpu']],
    [['modelUpdates', 'trustedKeys'], [signer.pubPath]],
    // counted results, and no latency verdicts on a shared test machine: only errors and outputs decide
    [['modelUpdates', 'healthWindow', 'results'], 6],
    [['modelUpdates', 'healthWindow', 'maxLatencyMs'], 600_000],
  ]);

  beforeAll(async () => {
    cpSync(join(SHIPPED, 'fetal-head'), join(bundled, 'fetal-head'), { recursive: true });
    signer = makeSigner(join(root, 'keys'));
    d = await start();
    d.runtime.bus.on('model', (e) => void events.push(e));
    users.technician = await addTokenUser(d.runtime.access.services, 'technician', 'tech-anna');
    users.clinician = await addTokenUser(d.runtime.access.services, 'clinician', 'dr-bea');
    await waitForHealth(d.url, 200, 60_000);
  }, 120_000);
  afterAll(async () => d?.close());

  it("a clinician's upload is refused (403) and the bundled model keeps serving", async () => {
    const r = await post(await signedPackage(root, signer, '1.1.0'), 'clinician');
    expect(r.status).toBe(403);
    expect(((await r.json()) as { code: string }).code).toMatch(/^SONO_ACCESS_/);
    expect((await health()).models).toEqual([expect.objectContaining({ id: 'fetal-head', version: '1.0.0' })]);
    expect(events).toEqual([]);
  });

  it('a bad package is refused with its code and step while the active model keeps serving', async () => {
    const bad = Buffer.from(await signedPackage(root, signer, '1.1.0'));
    bad[bad.length - 3000] = bad[bad.length - 3000]! ^ 4;
    const r = await post(bad, 'technician');
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ code: expect.stringMatching(/^SONO_MODEL_/), step: expect.stringMatching(/^(extract|signature|hashes)$/) });
    expect(d.runtime.sessions.map((s) => s.version)).toEqual(['1.0.0']);
  });

  it('POST /api/models with a signed 1.1.0 makes live results come from 1.1.0; health shows it; its window passes; all audited', async () => {
    const r = await post(await signedPackage(root, signer, '1.1.0'), 'technician');
    const report = (await r.json()) as { ok: boolean; version: string; activated: boolean; steps: Array<{ step: string; ok: boolean }> };
    expect(r.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ ok: true, version: '1.1.0', activated: true });
    expect(report.steps.map((s) => `${s.step}:${s.ok}`)).toEqual(['extract', 'signature', 'hashes', 'manifest', 'compatibility', 'load', 'test-vectors', 'activate'].map((s) => `${s}:true`));

    const versions = await liveVersions(d, '1.1.0');
    expect(new Set(versions)).toEqual(new Set(['1.1.0']));
    expect((await health()).models).toEqual([expect.objectContaining({ id: 'fetal-head', version: '1.1.0' })]);
    const passed = await until('the health window to pass', async () => ((await health()).models[0]?.healthWindow === 'passed' ? true : undefined));
    expect(passed).toBe(true);
    expect(events.map((e) => `${e.action}:${e.outcome}:${e.modelId}`)).toEqual(['model.install:failed:unknown', 'model.install:ok:fetal-head', 'model.health:ok:fetal-head']);

    const list = (await (await fetch(d.url + '/api/models', { headers: users.technician!.headers })).json()) as { models: Array<{ id: string; active: { version: string; source: string }; history: Array<{ event: string; by: string }> }> };
    expect(list.models.find((m) => m.id === 'fetal-head')).toMatchObject({ active: { version: '1.1.0', source: 'installed' } });
    expect(list.models[0]!.history.map((h) => `${h.event}:${h.by}`)).toEqual(['installed:tech-anna', 'activated:tech-anna', 'health-passed:health-window']);
    expect(modelAudit().map((a) => `${a.action}:${a.outcome}:${a.user}:${a.role}:${a.client}`)).toEqual(['model.install:failed:tech-anna:technician:daemon', 'model.install:ok:tech-anna:technician:daemon']);
  });

  it('a model that starts failing after activation is rolled back by itself: on the bus, in health, history and the audit trail', async () => {
    // passes every install step (its test vectors are its own outputs), then gives "probabilities" over 1 on live frames
    const r = await post(await signedPackage(root, signer, '1.2.0', { edit: makeIdentityModel }), 'technician');
    expect(r.status, await r.clone().text()).toBe(200);
    const rollback = await until('the automatic rollback', () => events.find((e) => e.action === 'model.rollback'));
    expect(rollback).toMatchObject({ outcome: 'ok', modelId: 'fetal-head', details: { from: '1.2.0', to: '1.1.0', by: 'health-window' } });
    const verdict = events.find((e) => e.action === 'model.health' && e.details.version === '1.2.0');
    expect(verdict).toMatchObject({ outcome: 'failed', details: { state: 'failed', reason: expect.stringMatching(/non-finite or out-of-range outputs/) } });

    expect(d.runtime.sessions.map((s) => s.version)).toEqual(['1.1.0']);
    const versions = await liveVersions(d, '1.1.0');
    expect(new Set(versions)).toEqual(new Set(['1.1.0']));
    expect((await health()).models).toEqual([expect.objectContaining({ id: 'fetal-head', version: '1.1.0', healthWindow: 'failed' })]);
    const rows = modelAudit();
    expect(rows.slice(-2).map((a) => `${a.action}:${a.outcome}:${a.user}:${a.client}`)).toEqual(['model.install:ok:tech-anna:daemon', 'model.rollback:ok:null:daemon']);
    expect(rows.at(-1)!.details).toMatchObject({ from: '1.2.0', to: '1.1.0', by: 'health-window', reason: expect.stringMatching(/^health window failed/) });
    expect(d.runtime.access.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('a restarted daemon serves the active installed version (opened on its worker thread, from <dataDir>/models)', async () => {
    await d.close();
    d = await start();
    await waitForHealth(d.url, 200, 60_000);
    expect((await health()).models).toEqual([expect.objectContaining({ id: 'fetal-head', version: '1.1.0' })]);
    expect(new Set(await liveVersions(d, '1.1.0'))).toEqual(new Set(['1.1.0']));
  });
});

describe('sonoedge models install|rollback write the same chained audit trail (real processes)', () => {
  it('install and rollback from the CLI are audited with client "cli", in the chain the daemon verifies', async () => {
    const root = tempDir('sonoedge-models-cli-audit-');
    const signer = makeSigner(join(root, 'keys'));
    cpSync(join(SHIPPED, 'fetal-head'), join(root, 'bundled', 'fetal-head'), { recursive: true });
    const config = join(root, 'sonoedge.yaml');
    writeFileSync(config, [`modelsDir: ${join(root, 'bundled')}`, 'models: [{ id: fetal-head }]', 'inference: { providers: [cpu], warmupRuns: 1, intraOpThreads: 1 }', `modelUpdates: { trustedKeys: [${signer.pubPath}] }`].join('\n'));
    const pkg = join(root, 'fetal-head-1.1.0.pkg');
    writeFileSync(pkg, await signedPackage(root, signer, '1.1.0'));
    const dataDir = join(root, 'data');
    const installed = runCli(['models', 'install', pkg, '--config', config, '--data-dir', dataDir]);
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toMatch(/fetal-head 1\.1\.0 installed and active \(a running daemon picks it up on restart\)/);
    const back = runCli(['models', 'rollback', 'fetal-head', '--config', config, '--data-dir', dataDir]);
    expect(back.status, back.stderr).toBe(0);

    const { db, deviceSecret } = openDataDir(dataDir);
    try {
      const trail = new AuditTrail(db, deviceSecret);
      const rows = trail.list({ action: 'model.' }).reverse();
      expect(rows.map((a) => `${a.action}:${a.outcome}:${a.user}:${a.client}`)).toEqual(['model.install:ok:null:cli', 'model.rollback:ok:null:cli']);
      expect(rows[0]!.details).toMatchObject({ version: '1.1.0', activated: true, by: expect.stringMatching(/^cli:/) });
      expect(trail.verify()).toMatchObject({ ok: true, rows: 2 });
    } finally {
      db.close();
    }
    expect(readFileSync(join(dataDir, 'models', 'fetal-head', 'active'), 'utf8')).toMatch(/"version": null/);
  }, 120_000);
});
