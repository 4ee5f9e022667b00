/**
 * The System page's backup to a USB stick (src/server/plugins/system-backup.ts) through inject on a real
 * in-process daemon: the "stick" is a real tmpfs mounted under a backup root (skipped where mounting is not
 * allowed). Only mounted filesystems under the roots are offered and accepted; the copy on the stick is the
 * encrypted, checked backup `sonoedge restore` verifies, without the key; the write is audited.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../../src/service/restore.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';

const base = mkdtempSync(join(tmpdir(), 'sonoedge-usb-'));
const media = join(base, 'media');
const stick = join(media, 'STICK 1'); // a label with a space, as /proc/mounts escapes it
const plain = join(media, 'not-a-mount');
mkdirSync(stick, { recursive: true });
mkdirSync(plain);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'usbstick', stick]).status === 0;
if (!mounted) console.warn('system backup test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

describe.skipIf(!mounted)('backup to a USB stick from the System page', () => {
  let d: TestDaemon | undefined;
  afterAll(async () => {
    await d?.close();
    spawnSync('umount', ['--lazy', stick]);
    rmSync(base, { recursive: true, force: true });
  });

  it('lists the mounted stick only, refuses any other folder, writes a checked encrypted copy without the key, audits it', async () => {
    d = await startTestDaemon(base, { models: [], storage: { backupRoots: [media] } });
    const app = d.app;
    const headers = d.auth!.headers;
    const json = { ...headers, 'content-type': 'application/json' };
    for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'POST', url: '/api/exams', headers: json, payload: {} })).statusCode).toBe(201);

    const list = (await app.inject({ url: '/api/system/backup', headers })).json() as { targets: Array<{ path: string; fsType: string; device: string }>; roots: string[]; recordsBytes: number };
    expect(list.targets).toEqual([expect.objectContaining({ path: stick, fsType: 'tmpfs', device: 'usbstick' })]);
    expect(list.roots).toEqual([media]);
    expect(list.recordsBytes).toBeGreaterThan(0);

    for (const to of [plain, '/etc', join(stick, '..', '..'), media]) {
      const r = await app.inject({ method: 'POST', url: '/api/system/backup', headers: json, payload: { to } });
      expect(r.statusCode, to).toBe(400);
      expect((r.json() as { code: string }).code).toBe('SONO_BACKUP_TARGET_REFUSED');
    }
    expect(readdirSync(plain)).toEqual([]);
    expect((await app.inject({ method: 'POST', url: '/api/system/backup', headers: json, payload: { to: stick, extra: 1 } })).statusCode).toBe(400);

    const r = await app.inject({ method: 'POST', url: '/api/system/backup', headers: json, payload: { to: stick } });
    expect(r.statusCode).toBe(201);
    const done = r.json() as { dir: string; bytes: number; sha256: string; counts: Record<string, number> };
    expect(done.dir.startsWith(join(stick, 'sonoedge-backup-'))).toBe(true);
    expect(done.counts.exams).toBe(3);
    const key = readFileSync(join(base, 'data', 'keys', 'records.key'), 'utf8').trim();
    const manifest = verifyBackup(done.dir, join(done.dir, 'records.db'), key);
    expect(manifest.files[0]).toMatchObject({ bytes: done.bytes, sha256: done.sha256 });
    // the key stays on the device: nothing on the stick holds it
    for (const f of readdirSync(done.dir)) expect(readFileSync(join(done.dir, f)).includes(Buffer.from(key)), f).toBe(false);
    // the device secret is there (restored records need it for sign-ins and the audit chain), sealed under the key, not in clear
    const secret = readFileSync(join(base, 'data', 'keys', 'device.secret'), 'utf8').trim();
    expect(manifest).toMatchObject({ version: 2, deviceSecret: 'device-secret.enc' });
    expect(readdirSync(done.dir).sort()).toEqual(['device-secret.enc', 'manifest.json', 'records.db']);
    for (const f of readdirSync(done.dir)) expect(readFileSync(join(done.dir, f)).includes(Buffer.from(secret)), f).toBe(false);

    const audit = d.runtime.access.services.audit.list({ action: 'system.backup' });
    expect(audit.map((a) => [a.outcome, a.target])).toEqual(expect.arrayContaining([['ok', stick], ['failed', plain]]));

    // pulled out: no longer offered, and refused
    expect(spawnSync('umount', [stick]).status).toBe(0);
    expect(((await app.inject({ url: '/api/system/backup', headers })).json() as { targets: unknown[] }).targets).toEqual([]);
    const after = await app.inject({ method: 'POST', url: '/api/system/backup', headers: json, payload: { to: stick } });
    expect((after.json() as { code: string }).code).toBe('SONO_BACKUP_TARGET_REFUSED');
    expect(existsSync(join(stick, 'sonoedge-backup-'))).toBe(false);
  });
});
