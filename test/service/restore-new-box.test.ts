/**
 * Backup and restore of what the records need beyond the database, through the real CLI and a real daemon:
 * the device secret travels in the backup (sealed under the records key), so a restore onto a new, empty box
 * lets the old PIN sign in and keeps the audit chain verifiable; a restore that would set aside newer data is
 * refused unless --replace-newer; backup and restore are in the audit trail; a backup made before backups
 * held the device secret (manifest version 1) needs the old box's secret, refused with what to do without it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditTrail, type AuditRow } from '../../src/audit/audit-trail.js';
import { openDatabase } from '../../src/records/database.js';
import { restoreRecords } from '../../src/service/restore.js';
import { packageRoot } from '../../src/util/package-root.js';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

// no credential store: the restore must not take this machine's /etc/credstore.encrypted for the box's (a box keeping its key there is test/service/restore-key-credential)
const ENV = { ...process.env, CREDENTIALS_DIRECTORY: '', SONOEDGE_CREDSTORE_DIR: '/nonexistent-credstore' };
const PIN = '482913';

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args], { cwd: packageRoot(), encoding: 'utf8', input, env: ENV, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `count` closed exams written the way the daemon writes them (test/service/fixtures/exam-writer.ts). */
function addExams(dataDir: string, count: number): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test/service/fixtures/exam-writer.ts'), dataDir, String(count)], { cwd: packageRoot(), encoding: 'utf8', env: ENV });
  expect(r.stdout).toMatch(/DONE/);
}

const secretOf = (dataDir: string): string => readFileSync(join(dataDir, 'keys', 'device.secret'), 'utf8').trim();
const keyOf = (dataDir: string): string => readFileSync(join(dataDir, 'keys', 'records.key'), 'utf8').trim();

/** The audit rows (newest first) and exam count of a data folder, read with its own key and device secret. */
function readBox(dataDir: string): { audit: AuditRow[]; exams: number } {
  const db = openDatabase(join(dataDir, 'records.db'), keyOf(dataDir));
  try {
    return { audit: new AuditTrail(db, secretOf(dataDir)).list(), exams: (db.prepare('SELECT count(*) n FROM exams').get() as { n: number }).n };
  } finally {
    db.close();
  }
}

function verify(dataDir: string): string {
  const r = cli(['audit', 'verify', '--data-dir', dataDir]);
  return `${r.status} ${r.stdout.trim()}`;
}

describe('restore with the device secret, newer data and the audit trail', () => {
  const dir = tempDir('sonoedge-restore-box-');
  const boxA = join(dir, 'a');
  const usb = join(dir, 'usb');
  const savedKey = join(dir, 'saved-records.key');
  let backup = '';

  it('restores onto an EMPTY box: the old PIN signs in on a real daemon and the audit chain verifies, restore row included', async () => {
    expect(cli(['users', 'add', 'nurse', '--role', 'clinician', '--data-dir', boxA], `${PIN}\n`).status).toBe(0);
    addExams(boxA, 2);
    mkdirSync(usb);
    const b = cli(['backup', '--to', usb, '--data-dir', boxA]);
    expect(b.status, b.stderr).toBe(0);
    backup = b.stdout.trim();
    const secret = secretOf(boxA);
    expect(b.stdout + b.stderr).not.toContain(secret);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as { version: number; deviceSecret: string; files: Array<{ name: string }> };
    expect(manifest.version).toBe(2);
    expect(manifest.files.map((f) => f.name)).toEqual(['records.db', 'device-secret.enc']);
    for (const f of readdirSync(backup)) expect(readFileSync(join(backup, f)).includes(Buffer.from(secret)), f).toBe(false); // sealed, not in clear
    // the CLI backup is audited, as the System page's
    expect(readBox(boxA).audit[0]).toMatchObject({ action: 'system.backup', client: 'cli', target: usb, outcome: 'ok', details: expect.objectContaining({ dir: backup, exams: 2 }) });

    writeFileSync(savedKey, keyOf(boxA) + '\n');
    const boxB = join(dir, 'b'); // nothing there: a new box
    const r = cli(['restore', backup, '--data-dir', boxB, '--key-file', savedKey]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(secretOf(boxB)).toBe(secret);
    expect(statSync(join(boxB, 'keys', 'device.secret')).mode & 0o777).toBe(0o600);
    expect(verify(boxB)).toBe('0 audit trail intact: 2 rows'); // user.create, then system.restore
    expect(readBox(boxB).audit[0]).toMatchObject({
      id: 2,
      action: 'system.restore',
      client: 'cli',
      details: expect.objectContaining({ backup: backup.slice(usb.length + 1), setAside: null, deviceSecret: 'backup' }),
    });

    const d = await spawnDaemon([join(packageRoot(), 'src/cli.ts'), 'serve', '--data-dir', boxB, '--port', '0'], /sonoedge is running: open (\S+)\//, 90_000, { CREDENTIALS_DIRECTORY: '' });
    try {
      const res = await fetch(`${d.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'nurse', secret: PIN }) });
      expect(res.status).toBe(200);
    } finally {
      await d.stop();
    }
  });

  it('refuses to set aside newer exams unless --replace-newer, then records the restore in the chain', () => {
    // only the backup's own system.backup row is newer: not data, restored without a flag
    const same = cli(['restore', backup, '--data-dir', boxA]);
    expect(same.status, same.stderr).toBe(0);
    addExams(boxA, 3);
    const before = readBox(boxA);
    expect(before.exams).toBe(5);
    const refused = cli(['restore', backup, '--data-dir', boxA]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/holds data newer than the backup .*: 3 exams the backup does not hold/);
    expect(refused.stderr).toMatch(/--replace-newer/);
    expect(readBox(boxA)).toEqual(before); // nothing changed
    expect(readdirSync(boxA).filter((f) => f.includes('before-restore'))).toHaveLength(1); // the first restore's only

    const r = cli(['restore', backup, '--data-dir', boxA, '--replace-newer']);
    expect(r.status, r.stderr).toBe(0);
    const after = readBox(boxA);
    expect(after.exams).toBe(2);
    const kept = readdirSync(boxA).filter((f) => /^records\.db\.before-restore-\d{8}T\d{6}Z$/.test(f));
    expect(kept).toHaveLength(2);
    expect(after.audit[0]).toMatchObject({ action: 'system.restore', details: expect.objectContaining({ newer: expect.objectContaining({ exams: 3 }) }) });
    expect(kept).toContain(after.audit[0]!.details!.setAside);
    expect(verify(boxA)).toBe(`0 audit trail intact: ${after.audit[0]!.id} rows`);
    expect(readdirSync(join(boxA, 'keys')).filter((f) => f.includes('before-restore'))).toEqual([]); // same box, same secret
  });

  it('restores onto a box with another device secret: the backup’s wins, the replaced one is kept', () => {
    const boxD = join(dir, 'd');
    mkdirSync(join(boxD, 'keys'), { recursive: true });
    copyFileSync(savedKey, join(boxD, 'keys', 'records.key'));
    expect(cli(['users', 'add', 'other', '--role', 'clinician', '--data-dir', boxD], '111111\n').status).toBe(0);
    const own = secretOf(boxD);
    expect(cli(['restore', backup, '--data-dir', boxD]).status).toBe(1); // its user.create row is newer
    const r = cli(['restore', backup, '--data-dir', boxD, '--replace-newer']);
    expect(r.status, r.stderr).toBe(0);
    expect(secretOf(boxD)).toBe(secretOf(boxA));
    const aside = readdirSync(join(boxD, 'keys')).filter((f) => /^device\.secret\.before-restore-\d{8}T\d{6}Z$/.test(f));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(boxD, 'keys', aside[0]!), 'utf8').trim()).toBe(own);
    expect(verify(boxD)).toBe('0 audit trail intact: 2 rows');
  });

  it('an old (version 1) backup onto a box without the matching secret is refused until the old secret is given', () => {
    const old = join(usb, 'sonoedge-backup-old');
    mkdirSync(old);
    copyFileSync(join(backup, 'records.db'), join(old, 'records.db'));
    // what a version 1 manifest held: the same fields less deviceSecret and latest, records.db only
    const { deviceSecret: _s, latest: _l, ...m } = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as Record<string, unknown> & { files: Array<{ name: string }> };
    const v1 = { ...m, version: 1, files: m.files.filter((f) => f.name === 'records.db') };
    writeFileSync(join(old, 'manifest.json'), JSON.stringify(v1, null, 2));

    const boxC = join(dir, 'c');
    const refused = cli(['restore', old, '--data-dir', boxC, '--key-file', savedKey]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/older sonoedge that did not keep the device secret.*--device-secret-file FILE/);
    expect(existsSync(join(boxC, 'records.db'))).toBe(false);
    let code: unknown;
    try {
      restoreRecords({ fromDir: old, dataDir: boxC, key: keyOf(boxA) });
    } catch (err) {
      code = [(err as { code: string }).code, (err as { details: { reason: string } }).details.reason];
    }
    expect(code).toEqual(['SONO_RESTORE_REFUSED', 'device-secret-needed']);
    const wrong = join(dir, 'wrong.secret');
    writeFileSync(wrong, randomBytes(32).toString('hex'));
    expect(cli(['restore', old, '--data-dir', boxC, '--key-file', savedKey, '--device-secret-file', wrong]).stderr).toMatch(/given with --device-secret-file does not/);

    const oldSecret = join(dir, 'old-box-device.secret');
    copyFileSync(join(boxA, 'keys', 'device.secret'), oldSecret);
    const r = cli(['restore', old, '--data-dir', boxC, '--key-file', savedKey, '--device-secret-file', oldSecret]);
    expect(r.status, r.stderr).toBe(0);
    expect(secretOf(boxC)).toBe(secretOf(boxA));
    expect(verify(boxC)).toBe('0 audit trail intact: 2 rows');
    // onto the box that made it, whose secret matches: no secret file needed
    const home = cli(['restore', old, '--data-dir', boxA, '--replace-newer']);
    expect(home.status, home.stderr).toBe(0);
    expect(verify(boxA)).toMatch(/^0 audit trail intact/);
    rmSync(old, { recursive: true });
  });
});
