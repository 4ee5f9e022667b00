import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addTokenUserIn, authorizeRequestsTo } from '../helpers/auth.js';
import { type DaemonProcess, getJson, putJson, spawnDaemon, until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Health {
  status: string;
  source: { driver: string; state: string; framesDelivered: number; lastError?: string };
  pipeline: { framesIn: number; framesTaken: number; framesRejected: number; lastRejected?: string; sourceFaults: number; lastSourceFault?: string };
  faults?: { attributed: number; unattributed: number; lastUnattributed?: string };
}

const FIXTURE = join('test', 'fixtures', 'faulty-daemon.ts');

async function health(d: DaemonProcess): Promise<Health> {
  const r = await getJson<Health>(d.url + '/api/health');
  expect(r.status).toBe(200); // the daemon answers, whatever its source does
  return r.body;
}

async function switchTo(d: DaemonProcess, driver: string): Promise<void> {
  const r = await putJson(d.url + '/api/source', { driver });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function runningAgain(d: DaemonProcess): Promise<void> {
  await switchTo(d, 'simulated');
  const h0 = await health(d);
  await until(() => health(d), (h) => h.source.driver === 'simulated' && h.source.state === 'running' && h.source.framesDelivered > 3 && h.pipeline.framesTaken > h0.pipeline.framesTaken, 20_000, 'simulated running again');
}

describe('a driver that misbehaves never takes the daemon down', () => {
  it('control: without the process guard, the same driver bug ends the process', async () => {
    const dataDir = join(tempDir(), 'data');
    const d = await spawnDaemon([FIXTURE, dataDir, '--no-guard'], /READY (http:\/\/\S+)/);
    try {
      authorizeRequestsTo(d.url, await addTokenUserIn(dataDir));
      await switchTo(d, 'throws-in-timer');
      const { code } = await Promise.race([d.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('process survived an uncaught exception')), 15_000))]);
      expect(code).not.toBe(0);
    } finally {
      await d.stop();
    }
  });

  it('a throw, a rejection and a guarded fault each fail only their source; malformed frames are refused; an unknown bug is counted', async () => {
    const dataDir = join(tempDir(), 'data');
    const d = await spawnDaemon([FIXTURE, dataDir], /READY (http:\/\/\S+)/);
    try {
      authorizeRequestsTo(d.url, await addTokenUserIn(dataDir));
      await until(() => health(d), (h) => h.status === 'ok' && h.source.state === 'running', 30_000, 'daemon ready');

      // 1. A bare timer callback throws after 3 frames: blamed on the source through its async context.
      await switchTo(d, 'throws-in-timer');
      let h = await until(() => health(d), (x) => x.source.state === 'failed', 15_000, 'throwing source failed');
      expect(h.source).toMatchObject({ driver: 'throws-in-timer', state: 'failed', framesDelivered: 3 });
      expect(h.source.lastError).toBe('Uncaught exception in the throws-in-timer driver: driver bug: exploded after 3 frames');
      expect(h.pipeline.sourceFaults).toBe(1);
      expect(h.faults).toMatchObject({ attributed: 1, unattributed: 0 });
      await d.waitForLog(/^source failed: Uncaught exception in the throws-in-timer driver/);
      await runningAgain(d);

      // 2. An async callback rejects: the unhandled rejection is blamed the same way.
      await switchTo(d, 'rejects-in-callback');
      h = await until(() => health(d), (x) => x.source.state === 'failed', 15_000, 'rejecting source failed');
      expect(h.source.lastError).toBe('Unhandled promise rejection in the rejects-in-callback driver: driver bug: exploded after 3 frames');
      expect(h.faults).toMatchObject({ attributed: 2, unattributed: 0 });
      await runningAgain(d);

      // 3. A driver using SourceGuard contains its own fault: the process-level guard is not needed.
      await switchTo(d, 'guarded-throw');
      h = await until(() => health(d), (x) => x.source.state === 'failed', 15_000, 'guarded source failed');
      expect(h.source.lastError).toBe('The guarded-throw driver failed in its frame timer: driver bug: exploded after 3 frames');
      expect(h.pipeline.sourceFaults).toBe(3);
      expect(h.faults).toMatchObject({ attributed: 2 });
      await runningAgain(d);

      // 4. Malformed frames: counted and refused with their reason, never reach the models or the view.
      await switchTo(d, 'malformed');
      await new Promise((r) => setTimeout(r, 300)); // a frame of the old source still in the slot is taken
      const before = await health(d);
      h = await until(() => health(d), (x) => x.pipeline.framesRejected >= before.pipeline.framesRejected + 15, 15_000, 'malformed frames rejected');
      expect(h.pipeline.framesTaken).toBe(before.pipeline.framesTaken);
      expect(h.source).toMatchObject({ driver: 'malformed', state: 'running' });
      expect(h.pipeline.lastRejected).toMatch(/^Frame \d+ from malformed refused: /);
      for (const re of [/data holds 767 bytes, 32×24×1 needs 768/, /width 0 is not a positive integer/, /pixel spacing NaN×0.2 mm is not finite and positive/, /imaging region .*"x":2.5.* is not in whole pixels/, /imaging region .* lies outside the 32×24 frame/]) {
        await d.waitForLog(re);
      }
      await runningAgain(d);

      // 5. A bug outside any source: logged at fatal level, counted, and the daemon keeps serving.
      d.proc.kill('SIGUSR2');
      h = await until(() => health(d), (x) => (x.faults?.unattributed ?? 0) === 1, 15_000, 'unattributed fault counted');
      expect(h.faults?.lastUnattributed).toBe('Uncaught exception: test: a bug outside any source');
      const fatal = await d.waitForLog(/outside any capture source/);
      expect(fatal.level).toBe(60);
      expect(h.source).toMatchObject({ driver: 'simulated', state: 'running' });

      const metrics = await (await fetch(d.url + '/metrics')).text();
      expect(metrics).toMatch(/^sonoedge_source_faults_total 3$/m);
      expect(metrics).toMatch(/^sonoedge_uncaught_errors_total\{owner="source"\} 2$/m);
      expect(metrics).toMatch(/^sonoedge_uncaught_errors_total\{owner="daemon"\} 1$/m);
      expect(Number(/^sonoedge_frames_rejected_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(12);
    } finally {
      const { code } = await d.stop();
      expect(code).toBe(0);
    }
  });
});
