/**
 * A disk filled to the last byte (a 32 MiB tmpfs mounted for the test, filled with a file; skipped where mounting
 * is not allowed). Session-15 review: a token not used for a minute is noted as used (a write) when checked, and
 * on a full disk that write failed the whole request, so /api/health answered 507 to the technician who came to
 * read why. Now the note is best-effort: the check stands, health answers, nothing stored is lost.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';

const base = mkdtempSync(join(tmpdir(), 'sonoedge-fulldisk-'));
const mnt = join(base, 'small');
mkdirSync(mnt);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0700', 'tmpfs', mnt]).status === 0;
if (!mounted) console.warn('full-disk credentials test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

describe.skipIf(!mounted)('credentials on a full disk', () => {
  let d: TestDaemon | undefined;
  afterAll(async () => {
    await d?.close();
    spawnSync('umount', ['--lazy', mnt]);
    rmSync(base, { recursive: true, force: true });
  });

  it('a token never used before still opens /api/health and the technician sees the disk level', async () => {
    d = await startTestDaemon(mnt, { models: [], storage: { warnFreeMb: 20, stopCineFreeMb: 12, refuseFreeMb: 8, checkIntervalMs: 60_000 } });
    // made before the disk fills, used only after: its first use is a write
    const tech = await addTokenUser(d.runtime.access.services, 'technician', 'tech-on-call');
    // fill the disk to the last block: a file as large as the free space, then bytes until nothing more fits
    const s = statfsSync(mnt);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Number(s.bavail) * s.bsize, 1));
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(mnt, `crumb-${i}`), Buffer.alloc(4096, 1));
      } catch {
        break;
      }
    }
    expect(statfsSync(mnt).bavail).toBe(0);
    // a new exam is refused (and the guard looks at the disk again)
    const exam = await fetch(d.url + '/api/exams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(exam.status).toBe(507);
    // the note of the token's first use cannot be written: before, this answered 507 SONO_DISK_LOW
    const health = await fetch(d.url + '/api/health', { headers: tech.headers });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { disk: { level: string } }).disk.level).toBe('refuse');
    expect(d.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
