import { spawn } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_PAUSE_POINTS, installPackage } from '../../../src/models/updates/installer.js';
import { ModelStore } from '../../../src/models/updates/store.js';
import { runTestVectors } from '../../../src/models/updates/test-vectors.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, SHIPPED, UPDATES, makeSigner, openCpu, signedPackage, trustOf } from './fixtures.js';

/** Runs `sonoedge models install` in a real child process, stopped at `point`, and SIGKILLs it there. */
function installKilledAt(point: string, pkgFile: string, config: string, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), 'models', 'install', pkgFile, '--config', config, '--data-dir', dataDir], {
      cwd: packageRoot(), env: { ...process.env, SONOEDGE_TEST_INSTALL_PAUSE_AT: point }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let killed = false;
    const seen = (chunk: Buffer): void => {
      out += chunk.toString();
      if (!killed && out.includes(`paused at ${point}`)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(out) : reject(new Error(`installer exited ${code} before ${point}:\n${out}`))));
  });
}

describe('the installer killed (SIGKILL) at every crash point leaves a verified model serving', () => {
  const root = tempDir('sonoedge-killed-');
  const bundled = join(root, 'bundled');
  const config = join(root, 'sonoedge.yaml');
  let signer: Signer;
  let v110: Buffer;
  const v120 = join(root, 'fetal-head-1.2.0.pkg');

  beforeAll(async () => {
    cpSync(join(SHIPPED, 'fetal-head'), join(bundled, 'fetal-head'), { recursive: true });
    signer = makeSigner(join(root, 'keys'));
    v110 = await signedPackage(root, signer, '1.1.0');
    writeFileSync(v120, await signedPackage(root, signer, '1.2.0'));
    writeFileSync(config, [
      `modelsDir: ${bundled}`, 'models: [{ id: fetal-head }]', 'inference: { providers: [cpu], warmupRuns: 1, intraOpThreads: 1 }',
      `modelUpdates: { trustedKeys: [${JSON.stringify(signer.pubPath)}] }`,
    ].join('\n'));
  });

  for (const point of INSTALL_PAUSE_POINTS) {
    it(`killed at "${point}"`, async () => {
      const dataDir = join(root, `data-${point}`);
      const store = new ModelStore(dataDir, bundled);
      const options = { store, trust: trustOf(signer), updates: UPDATES, open: openCpu, by: 'tech' };
      expect((await installPackage(v110, options)).ok).toBe(true);

      const out = await installKilledAt(point, v120, config, dataDir);
      expect(out).toMatch(/^ok +signature/m);

      // what a restarted daemon serves: the old version until the pointer's rename, the new one from then on
      const active = store.resolveActive('fetal-head');
      const switched = INSTALL_PAUSE_POINTS.indexOf(point) >= INSTALL_PAUSE_POINTS.indexOf('pointer-renamed');
      expect([active.source, active.version, active.why]).toEqual(['installed', switched ? '1.2.0' : '1.1.0', expect.stringMatching(/^activated /)]);
      const engine = await openCpu(active.pkg);
      try {
        const files = new Map(readdirSync(join(active.pkg.dir, 'test-vectors')).map((f) => [`test-vectors/${f}`, readFileSync(join(active.pkg.dir, 'test-vectors', f))]));
        expect((await runTestVectors(files, active.pkg.manifest, engine)).every((r) => r.ok)).toBe(true);
      } finally {
        await engine.release();
      }

      // the next install takes over the dead process's lock, clears its staging, and completes
      const again = await installPackage(readFileSync(v120), options);
      expect(again.failed).toBeUndefined();
      expect(store.resolveActive('fetal-head').version).toBe('1.2.0');
      expect(readdirSync(join(dataDir, 'models', '.staging'))).toEqual([]);
    }, 60_000);
  }
});
