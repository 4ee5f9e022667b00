import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

const SCRIPT = join(packageRoot(), 'scripts', 'install.sh');

function install(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function decrypt(file: string, name: string): string {
  const r = spawnSync('systemd-creds', ['decrypt', `--name=${name}`, file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`systemd-creds decrypt ${file}: ${r.stderr}`);
  return r.stdout;
}

describe('scripts/install.sh (laid out under --root)', () => {
  const dir = tempDir('sonoedge-install-');

  it('creates folders, encrypted credentials that decrypt to 64-hex keys, a config and the verified unit with the prefix', () => {
    const root = join(dir, 'fresh');
    const r = install(['--root', root, '--prefix', '/srv/sono']);
    expect(r.status, r.out).toBe(0);
    const db = decrypt(join(root, 'etc/credstore.encrypted/sonoedge-db-key'), 'sonoedge-db-key');
    const secret = decrypt(join(root, 'etc/credstore.encrypted/sonoedge-device-secret'), 'sonoedge-device-secret');
    expect(db).toMatch(/^[0-9a-f]{64}$/);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(db).not.toBe(secret);
    // encrypted: the key is not in the file
    expect(readFileSync(join(root, 'etc/credstore.encrypted/sonoedge-db-key'), 'latin1')).not.toContain(db);
    expect(statSync(join(root, 'etc/credstore.encrypted')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'var/cache/sonoedge')).isDirectory()).toBe(true);
    const unit = readFileSync(join(root, 'etc/systemd/system/sonoedge.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/bin/node /srv/sono/dist/src/cli.js serve');
    expect(unit).not.toContain('/opt/sonoedge/dist');
    expect(existsSync(join(root, 'etc/sonoedge/config.yaml'))).toBe(true);

    // Running again keeps the credentials.
    const again = install(['--root', root]);
    expect(again.status, again.out).toBe(0);
    expect(again.out).toContain('credential sonoedge-db-key exists, kept');
    expect(decrypt(join(root, 'etc/credstore.encrypted/sonoedge-db-key'), 'sonoedge-db-key')).toBe(db);
  });

  it('turns a plaintext key of an earlier version into the credential, then removes the plaintext file', () => {
    const root = join(dir, 'upgrade');
    const legacy = join(root, 'var/lib/sonoedge/keys/records.key');
    mkdirSync(join(root, 'var/lib/sonoedge/keys'), { recursive: true });
    const key = 'ab'.repeat(32);
    writeFileSync(legacy, key + '\n', { mode: 0o600 });
    const r = install(['--root', root]);
    expect(r.status, r.out).toBe(0);
    expect(decrypt(join(root, 'etc/credstore.encrypted/sonoedge-db-key'), 'sonoedge-db-key')).toBe(key);
    expect(existsSync(legacy)).toBe(false);
  });

  it('refuses a plaintext key file that holds no key, and leaves it', () => {
    const root = join(dir, 'bad');
    const legacy = join(root, 'var/lib/sonoedge/keys/records.key');
    mkdirSync(join(root, 'var/lib/sonoedge/keys'), { recursive: true });
    writeFileSync(legacy, 'not a key\n');
    const r = install(['--root', root]);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/does not hold a 64-hex-digit key/);
    expect(existsSync(legacy)).toBe(true);
  });
});
