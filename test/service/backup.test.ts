/**
 * Backup and restore through the real CLI, against a database another process keeps writing (the exam writer,
 * as the daemon writes) and against the real daemon holding it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { packageRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Writer {
  proc: ChildProcess;
  acks: string[];
  waitFor(n: number): Promise<void>;
  stop(): Promise<void>;
}

function startWriter(dataDir: string, count?: number): Writer {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test/service/fixtures/exam-writer.ts'), dataDir, ...(count ? [String(count)] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acks: string[] = [];
  let buf = '';
  const waiters: Array<() => void> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (const m of buf.matchAll(/^ACK (\S+)$/gm)) if (!acks.includes(m[1]!)) acks.push(m[1]!);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return {
    proc, acks,
    waitFor: (n) => new Promise((resolve, reject) => {
      const check = (): void => {
        if (acks.length >= n) resolve();
        else if (proc.exitCode !== null) reject(new Error(`writer exited after ${acks.length} exams`));
        else waiters.push(check);
      };
      check();
    }),
    stop: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

const cli = (args: string[]): ReturnType<typeof runCli> => runCli(args, { CREDENTIALS_DIRECTORY: '' });

/** The CLI without blocking this process, so the writer's acknowledgements are read while it runs. */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args], { cwd: packageRoot(), env: { ...process.env, CREDENTIALS_DIRECTORY: '' } });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.on('exit', (status) => resolve({ status, stdout, stderr })));
}

const heldBy = (pid: number | undefined): RegExp => new RegExp(`is open in process [\\d, ]*\\b${String(pid)}\\b`);

/** Exam ids in `file` (default: the data folder's database), opened with the data folder's key; a backup is read through a copy, never changed. */
function examIds(dataDir: string, file = join(dataDir, 'records.db')): Set<string> {
  const key = readFileSync(join(dataDir, 'keys', 'records.key'), 'utf8').trim();
  let open = file;
  if (!file.startsWith(dataDir)) {
    open = join(dataDir, '..', `read-${Math.random().toString(36).slice(2)}.db`);
    copyFileSync(file, open);
  }
  const db = openDatabase(open, key);
  try {
    return new Set((db.prepare('SELECT id FROM exams').all() as Array<{ id: string }>).map((r) => r.id));
  } finally {
    db.close();
  }
}

describe('sonoedge backup / restore', () => {
  const dir = tempDir('sonoedge-backup-');
  const data = join(dir, 'data');
  const usb = join(dir, 'usb');
  let backup = '';
  const writers: Writer[] = [];
  afterAll(async () => {
    for (const w of writers) await w.stop();
  });

  it('copies the records while another process keeps writing: encrypted, consistent, every exam acknowledged before it is there', async () => {
    mkdirSync(usb);
    const w = startWriter(data);
    writers.push(w);
    await w.waitFor(5);
    const ackedBefore = [...w.acks];
    const r = await cliAsync(['backup', '--to', usb, '--data-dir', data]);
    expect(r.status, r.stderr).toBe(0);
    expect(w.acks.length).toBeGreaterThan(ackedBefore.length); // the writer went on while the backup ran
    await w.stop();
    backup = r.stdout.trim();
    expect(readdirSync(usb)).toEqual([backup.slice(usb.length + 1)]);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as { files: Array<{ sha256: string; bytes: number }>; counts: Record<string, number>; keyCheck: string };
    const bytes = readFileSync(join(backup, 'records.db'));
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0'); // encrypted
    expect(bytes.includes(Buffer.from('DOE^JANE'))).toBe(false); // no patient name in clear
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.files[0]!.sha256);
    const inCopy = examIds(data, join(backup, 'records.db'));
    for (const id of ackedBefore) expect(inCopy.has(id)).toBe(true);
    expect(manifest.counts.exams).toBe(inCopy.size);
    // one snapshot: each exam's capture is there, except perhaps for the one exam the writer had just started
    expect(manifest.counts.captures).toBeLessThanOrEqual(inCopy.size);
    expect(manifest.counts.captures).toBeGreaterThanOrEqual(inCopy.size - 1);
    expect(r.stderr).toMatch(/Keep the key too/);
  });

  it('refuses to restore while a process holds the database, naming it and saying what to do', async () => {
    const w = startWriter(data);
    writers.push(w);
    await w.waitFor(1);
    const before = examIds(data);
    const r = cli(['restore', backup, '--data-dir', data]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(heldBy(w.proc.pid));
    expect(r.stderr).toMatch(/stop it first \(systemctl stop sonoedge\)/);
    await w.stop();
    const after = examIds(data);
    for (const id of before) expect(after.has(id)).toBe(true);
  });

  it('restores onto the same device, keeping the database it replaces (newer exams: only with --replace-newer)', () => {
    const refused = cli(['restore', backup, '--data-dir', data]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/holds data newer than the backup .*exams? the backup does not hold/);
    const r = cli(['restore', backup, '--data-dir', data, '--replace-newer']);
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8')) as { counts: Record<string, number> };
    expect(examIds(data).size).toBe(manifest.counts.exams);
    const kept = readdirSync(data).filter((f) => /^records\.db\.before-restore-\d{8}T\d{6}Z$/.test(f));
    expect(kept).toHaveLength(1);
    expect(examIds(data, join(data, kept[0]!)).size).toBeGreaterThan(manifest.counts.exams!); // the later exams are still there, aside
    expect(r.stderr).toMatch(/the database it replaced is kept as/);
  });

  it('restores onto a new device with the key given, writing its key file', () => {
    const fresh = join(dir, 'new-board');
    const keyFile = join(dir, 'carried.key');
    writeFileSync(keyFile, readFileSync(join(data, 'keys', 'records.key')));
    const r = cli(['restore', backup, '--data-dir', fresh, '--key-file', keyFile]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(fresh, 'keys', 'records.key'), 'utf8')).toBe(readFileSync(keyFile, 'utf8'));
    const db = openDatabase(join(fresh, 'records.db'), readFileSync(keyFile, 'utf8').trim());
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses a damaged backup, a foreign key and a folder that is not a backup, changing nothing', () => {
    const other = join(dir, 'other');
    const w = cli(['restore', backup, '--data-dir', other, '--key-file', join(dir, 'wrong.key')]);
    expect(w.stderr).toMatch(/Key file .*wrong\.key does not exist/);
    writeFileSync(join(dir, 'wrong.key'), 'ef'.repeat(32));
    const wrong = cli(['restore', backup, '--data-dir', other, '--key-file', join(dir, 'wrong.key')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/was made with another records key/);
    expect(existsSync(join(other, 'records.db'))).toBe(false);

    const file = join(backup, 'records.db');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(file, bytes);
    const damaged = cli(['restore', backup, '--data-dir', data]);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toMatch(/SHA-256 .* the copy was damaged or changed/);

    const notBackup = cli(['restore', dir, '--data-dir', data]);
    expect(notBackup.stderr).toMatch(/manifest\.json cannot be read/);
    expect(cli(['backup', '--data-dir', data]).status).toBe(2);
  });

  it('backs up while the real daemon runs, and restore names the daemon', async () => {
    const d = await spawnDaemon([join(packageRoot(), 'src/cli.ts'), 'serve', '--data-dir', data, '--port', '0'], /sonoedge is running: open (\S+)\//, 90_000);
    try {
      mkdirSync(join(dir, 'usb2'));
      const r = cli(['backup', '--to', join(dir, 'usb2'), '--data-dir', data]);
      expect(r.status, r.stderr).toBe(0);
      const refused = cli(['restore', r.stdout.trim(), '--data-dir', data]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(heldBy(d.proc.pid));
    } finally {
      await d.stop();
    }
  });
});
