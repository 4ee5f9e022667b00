/**
 * Installing a model package never holds up the daemon's event loop (the live view, /api/health, the systemd
 * watchdog): the package is unpacked, its signature checked and every file hashed on a worker thread, and the
 * installed versions are re-hashed from streams. Checked by order, not by time: the install is held inside a
 * verification step (the installer's test hook, the worker waiting) while a real HTTP request must be
 * answered; and GET /api/models must let the event loop turn while it re-hashes an installed version.
 */
import { join } from 'node:path';
import { request } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportedTasks } from '../../src/analysis/tasks.js';
import { ErrorCodes, type SonoError } from '../../src/errors.js';
import { type ModelUpdatesConfig, ModelUpdatesSchema } from '../../src/models/updates/config.js';
import { type InstallOptions, type StepReport, installPackage } from '../../src/models/updates/installer.js';
import { ModelUpdateService } from '../../src/models/updates/service.js';
import { verifyPackage } from '../../src/models/updates/verify.js';
import models from '../../src/server/plugins/models.js';
import { tempDir } from '../helpers/tmp.js';
import { type Signer, UPDATES, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './updates/fixtures.js';

describe('a model install leaves the event loop free (real packages, sessions and sockets)', () => {
  const root = tempDir('sonoedge-install-off-thread-');
  const store = storeIn(root);
  let signer: Signer;
  let app: FastifyInstance;
  let url: string;
  let service: ModelUpdateService;
  const options = (extra: Partial<InstallOptions> = {}): InstallOptions => ({ store, trust: trustOf(signer), updates: UPDATES, open: openCpu, knownTasks: supportedTasks(), by: 'tech-anna', ...extra });

  beforeAll(async () => {
    signer = makeSigner(join(root, 'keys'));
    const updates = Value.Default(ModelUpdatesSchema, {}) as ModelUpdatesConfig;
    service = new ModelUpdateService({ store, trust: () => trustOf(signer), updates: () => updates, open: openCpu, bundledIds: () => ['fetal-head'] });
    app = Fastify();
    app.get('/api/health', async () => ({ status: 'ok' }));
    await app.register(models, { service, maxPackageBytes: 8 * 1024 * 1024 });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  it('while the install is held in its signature and hashes steps, a real GET /api/health is answered; then it completes', async () => {
    const ended: string[] = [];
    const held: Array<{ point: string; ended: string[]; health: number }> = [];
    const r = await installPackage(
      await signedPackage(root, signer, '1.1.0'),
      options({
        onStep: (s: StepReport) => void ended.push(s.step),
        pause: async (point) => {
          if (point !== 'verifying:signature' && point !== 'verifying:hashes') return;
          const res = await fetch(`${url}/api/health`);
          held.push({ point, ended: [...ended], health: res.status });
        },
      }),
    );
    expect(held).toEqual([
      { point: 'verifying:signature', ended: ['extract'], health: 200 },
      { point: 'verifying:hashes', ended: ['extract', 'signature'], health: 200 },
    ]);
    expect(r.failed).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
  });

  it('a refusal found on the worker thread keeps the code, step and message the check gives on the calling thread', async () => {
    const bad = Buffer.from(await signedPackage(root, signer, '1.2.0'));
    const at = bad.indexOf('fetal-head.int8-u8.onnx\0') + 512 + 1000; // past its tar header, inside its bytes: its hash no longer matches
    bad[at] = bad[at]! ^ 4;
    const direct = await verifyPackage(bad, { trust: trustOf(signer), maxPackageBytes: UPDATES.maxPackageBytes }).then(
      () => undefined,
      (err: SonoError) => ({ code: err.code, message: err.message }),
    );
    expect(direct).toMatchObject({ code: ErrorCodes.MODEL_HASH_MISMATCH, message: expect.stringContaining('"fetal-head.int8-u8.onnx"') });
    const r = await installPackage(bad, options());
    expect(r.failed).toEqual({ step: 'hashes', ...direct });
    expect(r.steps.map((s) => `${s.step}:${s.ok}`)).toEqual(['extract:true', 'signature:true', 'hashes:false']);
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
  });

  it('GET /api/models re-hashes the installed version from streams: the event loop turns before the answer is ready', async () => {
    let turned = false;
    const listed = service.list();
    setImmediate(() => (turned = true));
    const view = await listed;
    expect(turned).toBe(true);
    expect(view.models[0]).toMatchObject({ id: 'fetal-head', active: { version: '1.1.0', source: 'installed' } });
  });

  it('an upload without a Content-Length (chunked) is read and installed like any other', async () => {
    const pkg = await signedPackage(root, signer, '1.3.0');
    const { port } = new URL(url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // no Content-Length: Node sends the body chunked
      const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/api/models?activate=false', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.write(pkg.subarray(0, 100_000));
      req.end(pkg.subarray(100_000));
    });
    const report = JSON.parse(answer.body) as { ok: boolean; version: string; activated: boolean };
    expect([answer.status, report.ok, report.version, report.activated]).toEqual([200, true, '1.3.0', false]);
  });
});
