/**
 * Session-15 technician review 11: a backup to a USB stick without room. The System page refuses before
 * copying with 507 SONO_BACKUP_TARGET_FULL (was 500 SONO_BACKUP_FAILED after a failed copy), and a copy that
 * meets a full disk anyway says the same code. The "stick" is a real 64 KiB tmpfs (skipped where mounting is
 * not allowed); the records database of a fresh daemon is about 250 KB.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupRecords } from '../../src/service/backup.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';

const base = mkdtempSync(join(tmpdir(), 'sonoedge-usb-full-'));
const media = join(base, 'media');
const stick = join(media, 'SMALL');
mkdirSync(stick, { recursive: true });
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'smallstick', stick]).status === 0;
if (!mounted) console.warn('backup-target-full test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

describe.skipIf(!mounted)('backup to a USB stick without room', () => {
  let d: TestDaemon | undefined;
  afterAll(async () => {
    await d?.close();
    spawnSync('umount', ['--lazy', stick]);
    rmSync(base, { recursive: true, force: true });
  });

  it('the System page refuses with 507 before copying, names the free and needed bytes, leaves the stick empty, audits it', async () => {
    d = await startTestDaemon(base, { models: [], storage: { backupRoots: [media] } });
    const json = { ...d.auth!.headers, 'content-type': 'application/json' };
    const r = await d.app.inject({ method: 'POST', url: '/api/system/backup', headers: json, payload: { to: stick } });
    expect(r.statusCode, r.body).toBe(507);
    const body = r.json() as { code: string; message: string };
    expect(body.code).toBe('SONO_BACKUP_TARGET_FULL');
    expect(body.message).toMatch(/has 0\.\d MB free, the backup needs about 0\.\d MB: nothing was written/);
    expect(readdirSync(stick)).toEqual([]);
    const audit = d.runtime.access.services.audit.list({ action: 'system.backup' });
    expect(audit.map((a) => [a.outcome, a.target, a.details?.code])).toContainEqual(['failed', stick, 'SONO_BACKUP_TARGET_FULL']);
  });

  it('a copy that meets a full disk (no check before) is SONO_BACKUP_TARGET_FULL too, and nothing is left on the stick', () => {
    const dataDir = join(base, 'data');
    const key = readFileSync(join(dataDir, 'keys', 'records.key'), 'utf8').trim();
    let caught: unknown;
    try {
      backupRecords({ dataDir, key, toDir: stick, software: 'test', checkRoom: false });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'SONO_BACKUP_TARGET_FULL' });
    expect((caught as Error).message).toContain('ran out of room while the backup was written');
    expect(readdirSync(stick)).toEqual([]);
  });
});
