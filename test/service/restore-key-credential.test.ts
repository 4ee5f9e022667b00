/**
 * A box whose unit keeps the records key as an encrypted systemd credential (scripts/install.sh): a restore run
 * without the unit's credentials loaded must not write the key in clear into the data folder
 * (keys/records.key, which that daemon never reads). Through the real CLI, real encrypted SQLite files and a
 * real daemon: refused with nothing changed and what to do; run with the credentials, it restores without a key
 * file and the daemon started with the same credentials lets the old PIN sign in. The backup in the same
 * situation is refused too, and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

const PIN = '482913';

function cli(args: string[], env: Record<string, string>, input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args], {
    cwd: packageRoot(),
    encoding: 'utf8',
    input,
    env: { ...process.env, CREDENTIALS_DIRECTORY: '', SONOEDGE_CREDSTORE_DIR: '/nonexistent-credstore', ...env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('restore and backup on a box keeping the records key as a credential', () => {
  const dir = tempDir('sonoedge-key-cred-');
  const boxA = join(dir, 'a');
  const usb = join(dir, 'usb');
  const credstore = join(dir, 'credstore'); // what the unit loads from (encrypted there; only its presence counts here)
  const loaded = join(dir, 'loaded'); // what systemd hands the unit: $CREDENTIALS_DIRECTORY, decrypted
  const savedKey = join(dir, 'saved-records.key');
  const boxB = join(dir, 'b');

  it('without the credentials loaded: refused, nothing written (no key in clear), and it says what to do', () => {
    expect(cli(['users', 'add', 'nurse', '--role', 'clinician', '--data-dir', boxA], {}, `${PIN}\n`).status).toBe(0);
    mkdirSync(usb);
    const b = cli(['backup', '--to', usb, '--data-dir', boxA], {});
    expect(b.status, b.stderr).toBe(0);
    const backup = b.stdout.trim();
    const key = readFileSync(join(boxA, 'keys', 'records.key'), 'utf8').trim();
    writeFileSync(savedKey, key + '\n');
    mkdirSync(credstore);
    writeFileSync(join(credstore, 'sonoedge-db-key'), 'encrypted credential, not loaded\n');
    writeFileSync(join(credstore, 'sonoedge-device-secret'), 'encrypted credential, not loaded\n');

    const r = cli(['restore', backup, '--data-dir', boxB, '--key-file', savedKey], { SONOEDGE_CREDSTORE_DIR: credstore });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`keeps its records key as the encrypted credential ${join(credstore, 'sonoedge-db-key')}, which was not loaded into this command`);
    expect(r.stderr).toContain('Nothing was changed');
    expect(r.stderr).toContain(`systemd-run --pipe --wait -p LoadCredentialEncrypted=sonoedge-db-key:${join(credstore, 'sonoedge-db-key')}`);
    expect(r.stderr).toContain(`sonoedge restore ${backup}`);
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(existsSync(join(boxB, 'keys', 'records.key'))).toBe(false);
    expect(existsSync(join(boxB, 'records.db'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('b.device-secret-'))).toEqual([]); // nor the secret beside it
  });

  it('with the credentials loaded: restored without a key file, and the daemon on those credentials lets the old PIN sign in', async () => {
    const backup = join(usb, readdirSync(usb)[0]!);
    mkdirSync(loaded, { mode: 0o700 });
    writeFileSync(join(loaded, 'sonoedge-db-key'), readFileSync(savedKey));
    writeFileSync(join(loaded, 'sonoedge-device-secret'), readFileSync(join(boxA, 'keys', 'device.secret')));
    const creds = { SONOEDGE_CREDSTORE_DIR: credstore, CREDENTIALS_DIRECTORY: loaded };
    const r = cli(['restore', backup, '--data-dir', boxB, '--key-file', savedKey], creds);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(boxB).sort()).toEqual(['records.db']); // no keys/ folder: neither key nor secret in clear
    expect(readdirSync(dir).filter((f) => f.startsWith('b.device-secret-'))).toEqual([]); // the loaded credential holds the backup's secret
    const d = await spawnDaemon([join(packageRoot(), 'src/cli.ts'), 'serve', '--data-dir', boxB, '--port', '0'], /sonoedge is running: open (\S+)\//, 90_000, creds);
    try {
      const res = await fetch(`${d.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'nurse', secret: PIN }) });
      expect(res.status).toBe(200);
    } finally {
      await d.stop();
    }
    expect(existsSync(join(boxB, 'keys', 'records.key'))).toBe(false); // the daemon read the credential, made no key file
  });

  it('the backup in the same situation: refused without the credentials (no device secret to seal), nothing left on the stick', () => {
    const before = readdirSync(usb);
    const r = cli(['backup', '--to', usb, '--data-dir', boxB, '--key-file', savedKey], { SONOEDGE_CREDSTORE_DIR: credstore });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/No device secret found .*no backup was written; run the command with both credentials of the unit: systemd-run/);
    expect(readdirSync(usb)).toEqual(before);
    expect(readdirSync(boxB).filter((f) => f !== 'records.db' && !f.startsWith('records.db-'))).toEqual([]); // nothing written in clear
    const ok = cli(['backup', '--to', usb, '--data-dir', boxB], { SONOEDGE_CREDSTORE_DIR: credstore, CREDENTIALS_DIRECTORY: loaded });
    expect(ok.status, ok.stderr).toBe(0);
  });
});
