import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { supportedTasks } from '../../../src/analysis/tasks.js';
import { rollbackModel } from '../../../src/models/updates/activation.js';
import { readArchive } from '../../../src/models/updates/archive.js';
import { type InstallOptions, type ModelAuditEvent, installPackage } from '../../../src/models/updates/installer.js';
import { INSTALL_STEPS } from '../../../src/models/updates/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, UPDATES, makeSigner, openCpu, replaceModelFile, signedPackage, storeIn, trustOf, withFile } from './fixtures.js';

describe('model install pipeline (real packages, real onnxruntime sessions)', () => {
  const root = tempDir('sonoedge-install-');
  const store = storeIn(root);
  let signer: Signer;
  let good: Buffer;
  const audit: ModelAuditEvent[] = [];
  const options = (extra: Partial<InstallOptions> = {}): InstallOptions => ({
    store, trust: trustOf(signer), updates: UPDATES, open: openCpu, knownTasks: supportedTasks(), by: 'tech-anna', audit: (e) => void audit.push(e), ...extra,
  });
  /** Installs `bytes`, expects a refusal with `code` at `step`, and 1.1.0 still serving, verified. */
  const refused = async (bytes: Uint8Array, code: string, step: string, extra: Partial<InstallOptions> = {}): Promise<string> => {
    const r = await installPackage(bytes, options(extra));
    expect(r.ok, JSON.stringify(r.steps)).toBe(false);
    expect(r.failed).toMatchObject({ code, step });
    expect(r.steps.at(-1)).toMatchObject({ step, ok: false, code });
    const active = store.resolveActive('fetal-head');
    expect([active.source, active.version]).toEqual(['installed', '1.1.0']);
    expect(existsSync(join(store.root, '.staging')) ? readdirSync(join(store.root, '.staging')) : []).toEqual([]);
    return r.failed!.message;
  };

  beforeAll(async () => {
    signer = makeSigner(join(root, 'keys'));
    good = await signedPackage(root, signer, '1.1.0');
  });

  it('a signed package passes every step in order, is activated, and serves verified; history and audit say who and what', async () => {
    expect(store.resolveActive('fetal-head')).toMatchObject({ source: 'bundled', version: '1.0.0' });
    const swapped: string[] = [];
    const r = await installPackage(good, options({
      swap: async (engine, pkg) => {
        // the warmed session handed to the live pipeline is the new version's, and runs
        swapped.push(`${pkg.manifest.version}@${pkg.dir}`);
        const out = await engine.run(0);
        expect(out.prob!.dims).toEqual([1, 1, 224, 320]);
        await engine.release();
      },
    }));
    expect(r.failed).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => s.step)).toEqual([...INSTALL_STEPS]);
    expect(r.steps.every((s) => s.ok)).toBe(true);
    expect(r.testVectors!.length).toBe(3);
    expect(r.testVectors!.every((v) => v.ok && v.meanAbs < 0.005)).toBe(true);
    expect(swapped).toEqual([`1.1.0@${store.versionDir('fetal-head', '1.1.0')}`]);
    const active = store.resolveActive('fetal-head');
    expect([active.source, active.version]).toEqual(['installed', '1.1.0']);
    expect(store.verifyInstalled('fetal-head', '1.1.0').manifest.version).toBe('1.1.0');
    expect(store.history('fetal-head').map((h) => [h.event, h.version, h.by])).toEqual([['installed', '1.1.0', 'tech-anna'], ['activated', '1.1.0', 'tech-anna']]);
    expect(audit.at(-1)).toMatchObject({ action: 'model.install', outcome: 'ok', target: 'fetal-head', details: { version: '1.1.0', activated: true } });
  });

  it('a flipped byte anywhere in the file is refused before anything is written, each place with its own code', async () => {
    const codes = new Set<string>();
    const positions = [0, 100, 148, 300, 511, 512, 700, 1500, 4000, good.length - 1, good.length - 600, good.length - 1100];
    for (let i = 1; i <= 24; i++) positions.push(Math.floor((good.length * i) / 25) + 7);
    const statementLength = (await readArchive(good, { maxUnpackedBytes: 1e9 })).get('statement.json')!.length;
    expect(statementLength % 512).toBeLessThan(500);
    positions.push(512 + statementLength + 3); // the zero padding after the statement
    for (const pos of positions) {
      const bad = Buffer.from(good);
      bad[pos] = bad[pos]! ^ 0x20;
      const r = await installPackage(bad, options());
      expect(r.ok, `byte ${pos}`).toBe(false);
      expect(['extract', 'signature', 'hashes'], `byte ${pos}: ${r.failed?.message}`).toContain(r.failed!.step);
      codes.add(r.failed!.code);
    }
    // a header (checksum), padding (canonical form), the statement (signature), a file's content (hash)
    expect([...codes].sort()).toEqual(
      [ErrorCodes.MODEL_PACKAGE_UNREADABLE, ErrorCodes.MODEL_PACKAGE_NOT_CANONICAL, ErrorCodes.MODEL_SIGNATURE_INVALID, ErrorCodes.MODEL_HASH_MISMATCH].sort(),
    );
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
  });

  it('an edited manifest, an unknown key, an expired signature, a revoked or expired key are refused at their step', async () => {
    const v12 = await signedPackage(root, signer, '1.2.0');
    const files = await readArchive(v12, { maxUnpackedBytes: 1e9 });
    const edited = JSON.parse(files.get('manifest.json')!.toString());
    edited.input.normalize.scale = 1;
    expect(await refused(await withFile(v12, 'manifest.json', Buffer.from(JSON.stringify(edited))), ErrorCodes.MODEL_HASH_MISMATCH, 'hashes')).toMatch(/manifest\.json/);
    const stranger = makeSigner(join(root, 'stranger'));
    expect(await refused(await signedPackage(root, stranger, '1.2.0'), ErrorCodes.MODEL_KEY_UNTRUSTED, 'signature')).toMatch(new RegExp(stranger.keyid));
    const old = await signedPackage(root, signer, '1.2.0', { now: new Date(Date.now() - 10 * 86_400_000), expiresDays: 2 });
    expect(await refused(old, ErrorCodes.MODEL_SIGNATURE_EXPIRED, 'signature')).toMatch(/expired at/);
    await refused(v12, ErrorCodes.MODEL_KEY_REVOKED, 'signature', { trust: trustOf(signer, { revoked: [signer.keyid] }) });
    await refused(v12, ErrorCodes.MODEL_KEY_EXPIRED, 'signature', { trust: trustOf(signer, { expires: '2020-01-01T00:00:00Z' }) });
    await refused(v12, ErrorCodes.MODEL_PACKAGE_TOO_LARGE, 'extract', { updates: { ...UPDATES, maxPackageBytes: 1024 * 1024 } });
  });

  it('an older version is refused unless the technician overrides it, and the override is audited', async () => {
    const older = await signedPackage(root, signer, '1.0.5');
    expect(await refused(older, ErrorCodes.MODEL_VERSION_OLDER, 'compatibility')).toMatch(/older than the serving 1\.1\.0/);
    const r = await installPackage(older, options({ activate: false, allowDowngrade: true }));
    expect(r.ok).toBe(true);
    expect(r.activated).toBe(false);
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
    expect(audit.some((e) => e.action === 'model.downgrade-override' && e.details.to === '1.0.5')).toBe(true);
  });

  it('the same version with other contents, another task, corrupt ONNX, a wrong input shape and failing test vectors are refused', async () => {
    const other = await signedPackage(root, signer, '1.1.0', { edit: (_d, m) => void (m.description = 'a different build') });
    await refused(other, ErrorCodes.MODEL_VERSION_CONFLICT, 'compatibility');
    await refused(await signedPackage(root, signer, '1.3.0', { edit: (_d, m) => void (m.task = 'enhance') }), ErrorCodes.MODEL_INCOMPATIBLE, 'compatibility');
    const corrupt = await signedPackage(root, signer, '1.3.0', { edit: (d, m) => replaceModelFile(d, m, 'int8-qdq-u8', Buffer.from('this is not an onnx graph'.repeat(40))) });
    expect(await refused(corrupt, ErrorCodes.MODEL_LOAD_FAILED, 'load')).toMatch(/fetal-head\.int8-u8\.onnx is not a loadable ONNX model/);
    const shape = await signedPackage(root, signer, '1.3.0', { edit: (_d, m) => void (m.input.shape[2] = 256) });
    expect(await refused(shape, ErrorCodes.MODEL_GRAPH_MISMATCH, 'load')).toMatch(/\[1,1,224,320\] but the manifest declares \[1,1,256,320\]/);
    const vectors = await signedPackage(root, signer, '1.3.0', {
      edit: (d) => {
        // expected outputs of another model: 1 − p
        const path = join(d, 'test-vectors', 'sim-default.prob.u16.gz');
        const raw = gunzipSync(readFileSync(path));
        for (let i = 0; i < raw.length; i += 2) raw.writeUInt16LE(65535 - raw.readUInt16LE(i), i);
        writeFileSync(path, gzipSync(raw));
      },
    });
    expect(await refused(vectors, ErrorCodes.MODEL_TEST_VECTORS_FAILED, 'test-vectors')).toMatch(/strays from test vector "sim-default" output "prob"/);
    expect(store.installedVersions('fetal-head')).toEqual(['1.1.0', '1.0.5']);
    expect(store.history('fetal-head').filter((h) => h.event === 'refused').length).toBeGreaterThanOrEqual(5);
  });

  it('rollback walks back to the bundled package, and a version that no longer verifies is skipped for the next', async () => {
    const r = await rollbackModel(store, 'fetal-head', { by: 'tech-anna', reason: 'test' });
    expect(r).toMatchObject({ from: '1.1.0', to: '1.0.0 (bundled)' });
    expect(store.resolveActive('fetal-head')).toMatchObject({ source: 'bundled', version: '1.0.0' });
    await expect(rollbackModel(store, 'fetal-head', { by: 'x', reason: 'y' })).rejects.toMatchObject({ code: ErrorCodes.MODEL_NO_PREVIOUS_VERSION });
  });
});
