import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { MODEL_ID_PATTERN, MODEL_NAME_MAX_LENGTH } from '../../../src/models/manifest.js';
import type { ModelPackage } from '../../../src/models/package.js';
import { type ModelUpdatesConfig, ModelUpdatesSchema } from '../../../src/models/updates/config.js';
import type { HealthState } from '../../../src/models/updates/health-window.js';
import type { ModelAuditEvent } from '../../../src/models/updates/installer.js';
import { ModelUpdateService } from '../../../src/models/updates/service.js';
import { Value } from '@sinclair/typebox/value';
import models from '../../../src/server/plugins/models.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './fixtures.js';

describe('POST/GET /api/models, rollback, and the health window (fastify inject, real packages and sessions)', () => {
  const root = tempDir('sonoedge-models-http-');
  const store = storeIn(root);
  const updates = Value.Default(ModelUpdatesSchema, { healthWindow: { results: 10, maxErrorFraction: 0.2 } }) as ModelUpdatesConfig;
  const serving: string[] = []; // what the "pipeline" runs: each swap's version, after a real run on its session
  const audit: ModelAuditEvent[] = [];
  const health: HealthState[] = [];
  const routes: Array<{ url: string; method: string; access: unknown; idSchema?: unknown }> = [];
  let signer: Signer;
  let app: FastifyInstance;
  let service: ModelUpdateService;
  const post = (body: Buffer, query = ''): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: `/api/models${query}`, headers: { 'content-type': 'application/octet-stream' }, payload: body });

  beforeAll(async () => {
    signer = makeSigner(join(root, 'keys'));
    service = new ModelUpdateService({
      store, trust: () => trustOf(signer), updates: () => updates, open: openCpu, bundledIds: () => ['fetal-head'], audit: (e) => void audit.push(e), onHealth: (s) => void health.push(s),
      swap: async (engine, pkg: ModelPackage) => {
        const out = await engine.run(0);
        serving.push(`${pkg.manifest.version}:${out.prob!.data.length}`);
        await engine.release();
      },
    });
    app = Fastify();
    app.addHook('onRoute', (r) => {
      const idSchema = (r.schema?.params as { properties?: { id?: unknown } } | undefined)?.properties?.id;
      routes.push({ url: r.url, method: String(r.method), access: (r.config as { access?: unknown } | undefined)?.access, idSchema });
    });
    await app.register(models, { service, maxPackageBytes: 8 * 1024 * 1024, actorOf: () => 'tech-anna' });
    await app.ready();
  });
  afterAll(() => app.close());

  it('every route is for technicians', () => {
    expect(routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url} ${String(r.access)}`).sort()).toEqual([
      'GET /api/models technician', 'POST /api/models technician', 'POST /api/models/:id/rollback technician',
    ]);
  });

  it('a signed package installs and activates: 200 with the step report, the live pipeline gets the new version', async () => {
    const r = await post(await signedPackage(root, signer, '1.1.0'));
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ ok: true, id: 'fetal-head', version: '1.1.0', activated: true });
    expect(body.steps.map((s: { step: string }) => s.step)).toEqual(['extract', 'signature', 'hashes', 'manifest', 'compatibility', 'load', 'test-vectors', 'activate']);
    expect(serving).toEqual(['1.1.0:71680']);
    const list = (await app.inject({ method: 'GET', url: '/api/models' })).json();
    expect(list.models[0]).toMatchObject({ id: 'fetal-head', active: { version: '1.1.0', source: 'installed' }, bundled: '1.0.0', installed: [{ version: '1.1.0', active: true }], health: { state: 'watching', seen: 0, of: 10 } });
    expect(list.models[0].history.map((h: { event: string; by: string }) => `${h.event}:${h.by}`)).toEqual(['installed:tech-anna', 'activated:tech-anna']);
  });

  it('a refused package answers 4xx with its code and the failed step, and the active model keeps serving', async () => {
    const bad = Buffer.from(await signedPackage(root, signer, '1.2.0'));
    bad[bad.length - 3000] = bad[bad.length - 3000]! ^ 4;
    const r = await post(bad);
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: expect.stringMatching(/^SONO_MODEL_/), step: expect.stringMatching(/^(extract|signature|hashes)$/), report: { ok: false } });
    const older = await post(await signedPackage(root, signer, '1.0.1'));
    expect([older.statusCode, older.json().code, older.json().step]).toEqual([409, ErrorCodes.MODEL_VERSION_OLDER, 'compatibility']);
    const big = await post(Buffer.alloc(9 * 1024 * 1024));
    expect([big.statusCode, big.json().code, big.json().step]).toEqual([413, ErrorCodes.MODEL_PACKAGE_TOO_LARGE, 'extract']);
    expect(serving).toEqual(['1.1.0:71680']);
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
  });

  it('?activate=false only installs', async () => {
    const r = await post(await signedPackage(root, signer, '1.3.0'), '?activate=false');
    expect([r.statusCode, r.json().activated]).toEqual([200, false]);
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
  });

  it('a model that starts failing after activation is rolled back by itself, swapped live, kept in history and audit', async () => {
    expect((await post(await signedPackage(root, signer, '1.4.0'))).statusCode).toBe(200);
    expect(serving.at(-1)).toBe('1.4.0:71680');
    for (let i = 0; i < 3; i++) service.record('fetal-head', '1.4.0', { error: true, latencyMs: 0, sane: false });
    await expect.poll(() => serving.at(-1)).toBe('1.1.0:71680');
    expect(health.at(-1)).toMatchObject({ state: 'failed', id: 'fetal-head', version: '1.4.0', errors: 3 });
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
    expect(store.history('fetal-head').slice(-2).map((h) => `${h.event}:${h.version}:${h.by}`)).toEqual(['health-failed:1.4.0:health-window', 'rolled-back:1.1.0:health-window']);
    expect(audit.at(-1)).toMatchObject({ action: 'model.rollback', outcome: 'ok', details: { from: '1.4.0', to: '1.1.0' } });
    expect((await app.inject({ method: 'GET', url: '/api/models' })).json().models[0].health).toMatchObject({ state: 'failed', reason: expect.stringMatching(/3 of its first 3 results failed/) });
  });

  it('POST /api/models/:id/rollback goes back one version, then 409 at the bundled one', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/models/fetal-head/rollback' });
    expect([r.statusCode, r.json()]).toEqual([200, { id: 'fetal-head', from: '1.1.0', to: '1.0.0 (bundled)' }]);
    expect(serving.at(-1)).toBe('1.0.0:71680');
    const none = await app.inject({ method: 'POST', url: '/api/models/fetal-head/rollback' });
    expect([none.statusCode, none.json().code]).toEqual([409, ErrorCodes.MODEL_NO_PREVIOUS_VERSION]);
  });

  it('the rollback route takes the one shared model id pattern and length: anything else is a 400 before the store is asked', async () => {
    const rollback = routes.find((r) => r.method === 'POST' && r.url === '/api/models/:id/rollback');
    expect(rollback?.idSchema).toMatchObject({ type: 'string', pattern: MODEL_ID_PATTERN, maxLength: MODEL_NAME_MAX_LENGTH });
    const history = store.history('fetal-head').length;
    for (const id of ['a'.repeat(MODEL_NAME_MAX_LENGTH + 1), 'Fetal-Head', '-fetal', 'fetal.head']) {
      const r = await app.inject({ method: 'POST', url: `/api/models/${id}/rollback` });
      expect([id, r.statusCode, r.json().code]).toEqual([id, 400, 'FST_ERR_VALIDATION']);
    }
    const longest = await app.inject({ method: 'POST', url: `/api/models/${'a'.repeat(MODEL_NAME_MAX_LENGTH)}/rollback` });
    expect([longest.statusCode, longest.json().code]).toEqual([409, ErrorCodes.MODEL_NO_PREVIOUS_VERSION]);
    expect(store.history('fetal-head').length).toBe(history);
  });
});
