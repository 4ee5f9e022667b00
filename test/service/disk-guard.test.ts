/**
 * The disk guard on a real small filesystem: a 16 MiB tmpfs mounted for the test (we run as root here; where
 * mounting is not allowed the file is skipped and says so). Free space is really consumed by writing files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { openDatabase } from '../../src/records/database.js';
import { DiskGuard, type DiskState } from '../../src/service/disk-guard.js';
import { registerDiskMetrics } from '../../src/service/disk-metrics.js';

const base = mkdtempSync(join(tmpdir(), 'sonoedge-disk-'));
const mnt = join(base, 'small');
mkdirSync(mnt);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', mnt]).status === 0;
if (!mounted) console.warn('disk-guard test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

const MB = 1024 * 1024;
function fill(name: string, mb: number): string {
  const f = join(mnt, name);
  writeFileSync(f, Buffer.alloc(mb * MB, 1));
  return f;
}

describe.skipIf(!mounted)('disk guard on a 16 MiB tmpfs', () => {
  afterAll(() => {
    spawnSync('umount', ['--lazy', mnt]);
    rmSync(base, { recursive: true, force: true });
  });
  const changes: Array<[DiskState['level'], DiskState['level']]> = [];
  let guard: DiskGuard;
  beforeAll(() => {
    guard = new DiskGuard({ path: mnt, levels: { warnFreeMb: 12, stopCineFreeMb: 8, refuseFreeMb: 4 }, onChange: (s, p) => changes.push([p.level, s.level]) });
  });

  it('reads the real free space and walks ok → warn → no-cine → refuse as the disk fills, and back', () => {
    expect(guard.check()).toMatchObject({ level: 'ok', totalMb: 16 });
    expect(guard.state.freeMb).toBeGreaterThanOrEqual(15);
    const a = fill('a', 6);
    expect(guard.check()).toMatchObject({ level: 'warn' });
    expect(guard.keepCine()).toBe(true);
    const b = fill('b', 3);
    expect(guard.keepCine()).toBe(false);
    expect(guard.state.level).toBe('no-cine');
    expect(guard.state.message).toMatch(/cine is no longer kept/);
    expect(() => guard.assertCanWrite('capture')).not.toThrow();
    const c = fill('c', 4);
    expect(guard.check().level).toBe('refuse');
    let err: unknown;
    try {
      guard.assertCanWrite('exam');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SonoError);
    expect((err as SonoError).code).toBe(ErrorCodes.DISK_LOW);
    expect((err as SonoError).message).toMatch(/^Disk almost full: \d MiB free on .*no new exam is accepted\. Free space/);
    expect((err as SonoError).details).toMatchObject({ refuseFreeMb: 4, what: 'exam' });
    for (const f of [a, b, c]) unlinkSync(f);
    expect(guard.check().level).toBe('ok');
    expect(changes).toEqual([['ok', 'warn'], ['warn', 'no-cine'], ['no-cine', 'refuse'], ['refuse', 'ok']]);
  });

  it('metrics show the free bytes and the level at scrape time', async () => {
    const reg = new Registry();
    registerDiskMetrics(reg, guard);
    const f = fill('m', 13);
    const text = await reg.metrics();
    expect(text).toMatch(/sonoedge_disk_guard_level 3/);
    const free = Number(/sonoedge_disk_free_bytes (\d+)/.exec(text)![1]);
    expect(free).toBeLessThan(4 * MB);
    unlinkSync(f);
    expect(await reg.metrics()).toMatch(/sonoedge_disk_guard_level 0/);
  });

  it('a records database on a disk that really fills up stays intact: the write fails, integrity_check is ok', () => {
    const db = openDatabase(join(mnt, 'records.db'), 'cd'.repeat(32));
    onTestFinished(() => {
      db.close();
    });
    const ballast = fill('ballast', 2);
    db.exec('CREATE TABLE blob_fill (b BLOB)');
    const insert = db.prepare('INSERT INTO blob_fill (b) VALUES (?)');
    const chunk = Buffer.alloc(256 * 1024, 7);
    let written = 0;
    let failure: unknown;
    // past the guard's reserve, straight into ENOSPC, as if the guard were absent
    try {
      for (;;) {
        db.transaction(() => insert.run(chunk))();
        written++;
      }
    } catch (e) {
      failure = e;
    }
    expect(String((failure as { code?: string }).code)).toMatch(/SQLITE_FULL|SQLITE_IOERR/);
    expect(guard.check().level).toBe('refuse');
    expect(() => guard.assertCanWrite('capture')).toThrow(/no new capture is accepted/);
    const rows = (db.prepare('SELECT count(*) n FROM blob_fill').get() as { n: number }).n;
    expect(rows).toBe(written);
    expect(written).toBeGreaterThan(10);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // freeing space (what the guard's message asks for) makes the database writable again
    unlinkSync(ballast);
    insert.run(Buffer.alloc(100, 1));
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect((db.prepare('SELECT count(*) n FROM blob_fill').get() as { n: number }).n).toBe(written + 1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuses levels in the wrong order with a config error', () => {
    expect(() => new DiskGuard({ path: mnt, levels: { warnFreeMb: 1, stopCineFreeMb: 8, refuseFreeMb: 4 } })).toThrow(/refuseFreeMb ≤ stopCineFreeMb ≤ warnFreeMb/);
  });

  it('a filesystem it cannot read is a warning, never a refusal', () => {
    const g = new DiskGuard({ path: join(mnt, 'no-such-folder'), levels: { warnFreeMb: 12, stopCineFreeMb: 8, refuseFreeMb: 4 } });
    expect(g.state).toMatchObject({ level: 'warn', freeMb: undefined });
    expect(() => g.assertCanWrite('exam')).not.toThrow();
  });
});
