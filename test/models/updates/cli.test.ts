import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { SHIPPED, modelFolder } from './fixtures.js';

describe('sonoedge models keygen | pack | sign | verify | install | list | rollback | activate (real processes)', () => {
  const root = tempDir('sonoedge-models-cli-');
  const keys = join(root, 'keys');
  const pkg = join(root, 'fetal-head-1.1.0.pkg');
  const config = join(root, 'sonoedge.yaml');
  const dataDir = join(root, 'data');
  const store = ['--config', config, '--data-dir', dataDir];

  beforeAll(() => {
    cpSync(join(SHIPPED, 'fetal-head'), join(root, 'bundled', 'fetal-head'), { recursive: true });
    writeFileSync(config, [
      `modelsDir: ${join(root, 'bundled')}`, 'models: [{ id: fetal-head }]', 'inference: { providers: [cpu], warmupRuns: 1, intraOpThreads: 1 }',
      'modelUpdates: { trustedKeys: [keys/signing.pub] }',
    ].join('\n'));
  });

  it('keygen writes signing.key (0600) and signing.pub, and never overwrites them', () => {
    const r = runCli(['models', 'keygen', '--out', keys]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/key id [0-9a-f]{16}/);
    expect(statSync(join(keys, 'signing.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keys, 'signing.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = runCli(['models', 'keygen', '--out', keys]);
    expect([again.status, again.stderr]).toEqual([1, expect.stringMatching(/signing\.key already exists/)]);
    expect(runCli(['models', 'keygen']).status).toBe(2);
  });

  it('pack makes an unsigned package that verify refuses; sign makes one that verifies only where the key is trusted', () => {
    const dir = modelFolder(root, 'src', (_d, m) => void (m.version = '1.1.0'));
    const packed = runCli(['models', 'pack', dir, '--out', pkg]);
    expect(packed.status, packed.stderr).toBe(0);
    // every file of the folder travels (the count follows the shipped package: a model card's figure is a file too)
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    expect(packed.stdout).toMatch(new RegExp(`packed fetal-head 1\\.1\\.0 \\(${files} files, \\d+ bytes\\)[^]*unsigned`));
    const unsigned = runCli(['models', 'verify', pkg, '--config', config]);
    expect([unsigned.status, unsigned.stderr]).toEqual([1, expect.stringMatching(/fetal-head 1\.1\.0 is not signed/)]);
    const signed = runCli(['models', 'sign', pkg, '--key', join(keys, 'signing.key'), '--expires-days', '30']);
    expect(signed.status, signed.stderr).toBe(0);
    const ok = runCli(['models', 'verify', pkg, '--config', config]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: fetal-head 1\.1\.0 \(task fetal-head\), signed by modelUpdates\.trustedKeys\[0\]/);
    const untrusted = runCli(['models', 'verify', pkg]);
    expect([untrusted.status, untrusted.stderr]).toEqual([1, expect.stringMatching(/which this device does not trust/)]);
  });

  it('install prints each step, list shows what serves and why, rollback and activate move the pointer', () => {
    const tampered = join(root, 'tampered.pkg');
    const bytes = readFileSync(pkg);
    bytes[bytes.length - 5000] = bytes[bytes.length - 5000]! ^ 1;
    writeFileSync(tampered, bytes);
    const bad = runCli(['models', 'install', tampered, ...store]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\[SONO_MODEL_[A-Z_]+, step (extract|signature|hashes)\]/);
    expect(existsSync(join(dataDir, 'models', 'fetal-head', 'active'))).toBe(false);

    const r = runCli(['models', 'install', pkg, ...store]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.split(/\s+/)[1])).toEqual(['extract', 'signature', 'hashes', 'manifest', 'compatibility', 'load', 'test-vectors', 'activate']);
    const list = runCli(['models', 'list', ...store]);
    expect(list.stdout).toMatch(/^fetal-head\t1\.1\.0\ttask=fetal-head\tfiles=.*\tactive=installed\twhy=activated .* by cli:/m);
    expect(list.stdout).toMatch(/^ {2}1\.0\.0\tbundled$/m);
    expect(list.stdout).toMatch(/^ {2}1\.1\.0\tinstalled\tACTIVE$/m);

    const back = runCli(['models', 'rollback', 'fetal-head', ...store]);
    expect([back.status, back.stdout]).toEqual([0, 'fetal-head rolled back from 1.1.0 to 1.0.0 (bundled) (a running daemon picks it up on restart)\n']);
    expect(runCli(['models', 'list', ...store]).stdout).toMatch(/^ {2}1\.0\.0\tbundled\tACTIVE$/m);
    const none = runCli(['models', 'rollback', 'fetal-head', ...store]);
    expect([none.status, none.stderr]).toEqual([1, expect.stringMatching(/runs its bundled \(factory\) package/)]);
    expect(runCli(['models', 'activate', 'fetal-head', '1.1.0', ...store]).status).toBe(0);
    expect(runCli(['models', 'list', ...store]).stdout).toMatch(/^ {2}1\.1\.0\tinstalled\tACTIVE$/m);
    const missing = runCli(['models', 'activate', 'fetal-head', '9.9.9', ...store]);
    expect([missing.status, missing.stderr]).toEqual([1, expect.stringMatching(/fetal-head 9\.9\.9 cannot be activated: .*Installed here: 1\.1\.0/)]);
  });
});
