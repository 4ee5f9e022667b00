/**
 * Backup and restore when the box itself is damaged, through the real CLI and real encrypted SQLite files:
 * a records.db with a damaged page (the usual reason to restore) can still be replaced with --replace-newer, and
 * without it the refusal says it cannot be read; a keys/device.secret torn by a power cut does not block the
 * backup (written without the secret, said so); on a box that keeps its device secret as a systemd credential
 * the restore never writes it in clear into the data folder.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { restoreRecords } from '../../src/service/restore.js';
import { sha256File } from '../../src/service/records-file.js';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

const PIN = '482913';

function cli(args: string[], extraEnv: Record<string, string> = {}, input?: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, CREDENTIALS_DIRECTORY: '', SONOEDGE_CREDSTORE_DIR: '/nonexistent-credstore', ...extraEnv };
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args], { cwd: packageRoot(), encoding: 'utf8', input, env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function newBox(dataDir: string, exams: number): void {
  expect(cli(['users', 'add', 'nurse', '--role', 'clinician', '--data-dir', dataDir], {}, `${PIN}\n`).status).toBe(0);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test/service/fixtures/exam-writer.ts'), dataDir, String(exams)], {
    cwd: packageRoot(),
    encoding: 'utf8',
    env: { ...process.env, CREDENTIALS_DIRECTORY: '' },
  });
  expect(r.stdout).toMatch(/DONE/);
}

const keyOf = (dataDir: string): string => readFileSync(join(dataDir, 'keys', 'records.key'), 'utf8').trim();
const secretOf = (dataDir: string): string => readFileSync(join(dataDir, 'keys', 'device.secret'), 'utf8').trim();

function examCount(dataDir: string): number {
  const db = openDatabase(join(dataDir, 'records.db'), keyOf(dataDir));
  try {
    return (db.prepare('SELECT count(*) n FROM exams').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Overwrites 100 bytes inside the root page of `table` in the (closed, checkpointed) database: a damaged page. */
function damageTable(dataDir: string, table: string): void {
  const file = join(dataDir, 'records.db');
  const db = openDatabase(file, keyOf(dataDir));
  const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as { rootpage: number }).rootpage;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0); // everything is in the main file
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(100), 0, 100, (root - 1) * pageSize + 100);
  } finally {
    closeSync(fd);
  }
}

function refusal(f: () => unknown): { code: string; reason: string; message: string } {
  try {
    f();
  } catch (err) {
    const e = err as { code: string; details?: { reason?: string }; message: string };
    return { code: e.code, reason: e.details?.reason ?? '', message: e.message };
  }
  throw new Error('not refused');
}

describe('backup and restore on a damaged box', () => {
  const dir = tempDir('sonoedge-restore-damaged-');
  const usb = join(dir, 'usb');
  const boxA = join(dir, 'a');
  let backup = '';

  it('replaces a records.db with a damaged page with --replace-newer; without it refuses, saying it cannot be read', () => {
    newBox(boxA, 30);
    mkdirSync(usb);
    const b = cli(['backup', '--to', usb, '--data-dir', boxA]);
    expect(b.status, b.stderr).toBe(0);
    backup = b.stdout.trim();
    damageTable(boxA, 'audit');
    const damaged = sha256File(join(boxA, 'records.db'));

    const refused = refusal(() => restoreRecords({ fromDir: backup, dataDir: boxA, key: keyOf(boxA), env: { CREDENTIALS_DIRECTORY: '' } }));
    expect(refused).toMatchObject({ code: 'SONO_RESTORE_REFUSED', reason: 'newer-data-unknown' });
    expect(refused.message).toMatch(/current database .* cannot be read .*--replace-newer/);
    expect(sha256File(join(boxA, 'records.db'))).toBe(damaged); // nothing changed
    expect(readdirSync(boxA).filter((f) => f.includes('restoring') || f.includes('before-restore'))).toEqual([]);

    const r = cli(['restore', backup, '--data-dir', boxA, '--replace-newer']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the database it replaced is kept as .*before-restore-\S+ \(it could not be read: .*; --replace-newer\)/);
    expect(examCount(boxA)).toBe(30);
    const kept = readdirSync(boxA).filter((f) => /^records\.db\.before-restore-\d{8}T\d{6}Z$/.test(f));
    expect(kept).toHaveLength(1);
    expect(sha256File(join(boxA, kept[0]!))).toBe(damaged); // set aside, not deleted
    const v = cli(['audit', 'verify', '--data-dir', boxA]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });

  it('a torn keys/device.secret does not block the backup: written without it, said so; its restore then needs the secret', () => {
    const boxT = join(dir, 't');
    newBox(boxT, 2);
    const secret = secretOf(boxT);
    const saved = join(dir, 'saved-device.secret');
    writeFileSync(saved, secret + '\n');
    writeFileSync(join(boxT, 'keys', 'device.secret'), secret.slice(0, 20)); // a power cut mid-write
    const b = cli(['backup', '--to', usb, '--data-dir', boxT]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/WARNING: the device secret \(.*device\.secret\) could not be read .*--device-secret-file/);
    expect(b.stderr).not.toMatch(/give the old box's keys\/device\.secret/);
    const torn = b.stdout.trim();
    const m = JSON.parse(readFileSync(join(torn, 'manifest.json'), 'utf8')) as { deviceSecret: unknown; deviceSecretWarning: string; files: Array<{ name: string }> };
    expect(m.deviceSecret).toBeNull();
    expect(m.deviceSecretWarning).toMatch(/torn by a power cut/);
    expect(m.files.map((f) => f.name)).toEqual(['records.db']);

    const boxN = join(dir, 'n');
    mkdirSync(join(boxN, 'keys'), { recursive: true });
    writeFileSync(join(boxN, 'keys', 'records.key'), keyOf(boxT) + '\n');
    const refused = refusal(() => restoreRecords({ fromDir: torn, dataDir: boxN, key: keyOf(boxT), env: { CREDENTIALS_DIRECTORY: '' } }));
    expect(refused).toMatchObject({ code: 'SONO_RESTORE_REFUSED', reason: 'device-secret-needed' });
    expect(refused.message).toMatch(/does not hold the device secret/);
    const r = cli(['restore', torn, '--data-dir', boxN, '--device-secret-file', saved]);
    expect(r.status, r.stderr).toBe(0);
    expect(secretOf(boxN)).toBe(secret);
    expect(cli(['audit', 'verify', '--data-dir', boxN]).status).toBe(0);
  });

  it('on a box keeping the device secret as a credential, the secret is not written in clear into the data folder', () => {
    const credstore = join(dir, 'credstore');
    mkdirSync(credstore);
    writeFileSync(join(credstore, 'sonoedge-device-secret'), 'encrypted credential, not loaded\n');
    const boxC = join(dir, 'c');
    mkdirSync(join(boxC, 'keys'), { recursive: true });
    writeFileSync(join(boxC, 'keys', 'records.key'), keyOf(boxA) + '\n');
    const r = cli(['restore', backup, '--data-dir', boxC], { SONOEDGE_CREDSTORE_DIR: credstore });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(boxC, 'keys', 'device.secret'))).toBe(false);
    const pending = readdirSync(dir).filter((f) => /^c\.device-secret-\d{8}T\d{6}Z$/.test(f));
    expect(pending).toHaveLength(1);
    const file = join(dir, pending[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(secretOf(boxA));
    expect(r.stderr).toContain(`systemd-creds encrypt --name=sonoedge-device-secret ${file} ${join(credstore, 'sonoedge-device-secret')} && shred -u ${file}`);
    expect(r.stdout + r.stderr).not.toContain(secretOf(boxA));
  });
});
