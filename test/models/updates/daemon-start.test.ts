import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openSessions } from '../../../src/app/sessions.js';
import { loadConfig } from '../../../src/config/load.js';
import { installPackage } from '../../../src/models/updates/installer.js';
import { ModelStore } from '../../../src/models/updates/store.js';
import { tempDir } from '../../helpers/tmp.js';
import { SHIPPED, UPDATES, makeSigner, openCpu, signedPackage, trustOf } from './fixtures.js';

describe('a (re)started daemon opens the activated version, or falls back to a verified one', () => {
  it('serves the installed 1.1.0, and the bundled 1.0.0 once 1.1.0 stops verifying', async () => {
    const root = tempDir('sonoedge-start-');
    cpSync(join(SHIPPED, 'fetal-head'), join(root, 'bundled', 'fetal-head'), { recursive: true });
    const store = new ModelStore(join(root, 'data'), join(root, 'bundled'));
    const signer = makeSigner(join(root, 'keys'));
    expect((await installPackage(await signedPackage(root, signer, '1.1.0'), { store, trust: trustOf(signer), updates: UPDATES, open: openCpu, by: 'tech' })).ok).toBe(true);
    const loaded = loadConfig(undefined, { env: {}, overrides: [[['dataDir'], join(root, 'data')], [['modelsDir'], join(root, 'bundled')], [['models'], [{ id: 'fetal-head', everyN: 1 }]], [['inference', 'providers'], ['cpu']], [['inference', 'warmupRuns'], 0]] });
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });

    const [first] = await openSessions(loaded, log);
    expect(first!.version).toBe('1.1.0');
    await first!.release();

    appendFileSync(join(store.versionDir('fetal-head', '1.1.0'), 'fetal-head.int8-u8.onnx'), 'x'); // bit rot, or a half-written copy
    const [second] = await openSessions(loaded, log);
    expect(second!.version).toBe('1.0.0');
    await second!.release();
    expect(warnings).toEqual([expect.stringMatching(/fetal-head: the activated version does not verify; serving 1\.0\.0 \(bundled\)/)]);
    expect(store.resolveActive('fetal-head').why).toMatch(/1\.1\.0 failed its check \(Installed model fetal-head 1\.1\.0: fetal-head\.int8-u8\.onnx no longer matches/);
  }, 60_000);
});
