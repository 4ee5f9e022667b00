/**
 * The video size of a replay file is read by ffprobe beside the event loop. Before, ffprobe ran with
 * spawnSync: a source switch from the UI to a file that is slow to read held the whole daemon. Measured on
 * the 2-core VM (in-process daemon, /api/health every 20 ms, PUT /api/source replay): a 2 s 320×240 MP4
 * held it 971 ms; a FIFO nobody writes to 15 166 ms (until spawnSync's timeout), answered as "Cannot run
 * ffprobe (install Debian's ffmpeg)". Real ffprobe, real FIFOs.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { probeVideoSize } from '../../src/capture/ffmpeg.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { type TestApp, buildTestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

const hasFfmpeg = spawnSync('ffprobe', ['-version']).status === 0;

function fifoIn(dir: string, name: string): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

describe.skipIf(!hasFfmpeg)('replay: ffprobe beside the event loop', () => {
  const dir = realpathSync(tempDir('sonoedge-probe-'));

  it('reads a clip size; a reader that never answers is stopped after its timeout with a coded error, timers running meanwhile', async () => {
    const clip = join(dir, 'clip.avi');
    expect(spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '0.5', clip]).status).toBe(0);
    await expect(probeVideoSize(clip)).resolves.toEqual({ width: 320, height: 240 });

    const stuck = fifoIn(dir, 'stuck.avi'); // ffprobe blocks opening it: nobody writes
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const err = await probeVideoSize(stuck, [], 600).then(
      () => undefined,
      (e: unknown) => e,
    );
    clearInterval(timer);
    expect(err).toBeInstanceOf(SonoError);
    expect((err as SonoError).code).toBe(ErrorCodes.SOURCE_START_TIMEOUT);
    expect((err as SonoError).message).toMatch(/ffprobe did not say the video size of .*stuck\.avi within 0\.6 s and was stopped/);
    expect((err as SonoError).details).toEqual({ timeoutMs: 600 });
    expect(ticks).toBeGreaterThan(0); // the event loop turned while ffprobe waited
  });

  describe('PUT /api/source', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
      t.runtime.networkPolicy ??= (d) => builtinDrivers().networkPolicy(d);
      t.runtime.config.media.folders.push(dir);
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers /api/health while a switch to a replay file waits on ffprobe, then refuses what ffprobe cannot read', async () => {
      const fifo = fifoIn(dir, 'slow.avi');
      let settled = false;
      const put = t.app.inject({ method: 'PUT', url: '/api/source', payload: { driver: 'replay', settings: { path: fifo } } }).finally(() => (settled = true));
      const writer = await open(fifo, 'w'); // opens once ffprobe has the FIFO open for reading: it is reading now
      const health = await t.app.inject({ method: 'GET', url: '/api/health' });
      expect(health.statusCode).toBe(200);
      expect(settled).toBe(false); // answered while the switch still waits on ffprobe
      await writer.close(); // an empty stream: ffprobe ends
      const r = await put;
      expect(r.statusCode).toBe(400);
      expect(r.json<{ code: string }>().code).toBe(ErrorCodes.SOURCE_FAILED);
      expect(r.json<{ message: string }>().message).toMatch(/slow\.avi is not a readable image folder or video: ffprobe cannot read a video stream/);
    });
  });
});
