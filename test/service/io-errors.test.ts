/**
 * The I/O-error loop in CI (test/service/io-errors/io-loop.ts): the N-th write or fsync of the real daemon to
 * its records database fails with ENOSPC (sticky) or EIO (once), for N = 1 … the writes of one whole exam
 * (spread over SONOEDGE_IO_RUNS runs per errno; the first writes are the daemon's start-up, which then refuses to
 * start). The daemon must refuse the request whose write failed (never acknowledge it), keep answering health,
 * and leave a database that passes integrity_check and holds everything it acknowledged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { type IoRun, buildShim, countWrites, makeTemplate, runOnce } from './io-errors/io-loop.js';

const dir = tempDir('sonoedge-io-');
const shim = buildShim(dir);
if (!shim) console.warn('I/O-error loop skipped: gcc is missing (the LD_PRELOAD shim cannot be built)');
const RUNS = Number(process.env.SONOEDGE_IO_RUNS ?? 8);

describe.skipIf(!shim)('I/O errors on the records database', () => {
  const runs: IoRun[] = [];
  afterAll(() => console.info(`I/O-error loop: ${runs.length} runs\n${runs.map((r) => `${r.errno} N=${r.n}: failed at ${r.failedAt.split(':')[0]}, health ${r.healthAfter}, ${r.violations.length} violations`).join('\n')}`));

  it('every N-th write failing (ENOSPC sticky, EIO once) through a whole exam loses nothing acknowledged', async () => {
    const template = await makeTemplate(`${dir}/template`);
    const total = await countWrites({ dir, template, shim: shim! });
    expect(total).toBeGreaterThan(3);
    const step = Math.max(1, Math.ceil(total / RUNS));
    for (const errno of ['ENOSPC', 'EIO'] as const) {
      for (let n = 1; n <= total; n += step) {
        const r = await runOnce({ dir, template, shim: shim!, errno, n });
        runs.push(r);
        expect(r.violations, `${errno} at write ${n}`).toEqual([]);
        expect(r.failedAt, `${errno} at write ${n} of ${total}: a request must have been refused`).not.toBe('none');
        // a write failing at start-up stops the start (exit ≠ 0: systemd restarts it); later, health still answers
        // refused because its write failed, not for want of credentials or a bad body
        expect(r.failedAt, `${errno} at write ${n}`).not.toMatch(/answered 4\d\d/);
        if (!r.failedAt.startsWith('startup')) expect(r.healthAfter, `${errno} at write ${n}: health`).toBe(200);
        else expect(r.failedAt).toMatch(/daemon exited before ready/);
      }
    }
  }, 600_000);
});
