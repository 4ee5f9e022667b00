import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { captureLive, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { getJson, putJson, until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Cal {
  pixelSpacing: { x: number; y: number } | null;
  frame?: { width: number; height: number };
}

const SMALL = { simulated: { fps: 15, width: 320, height: 240 } }; // own spacing 150 mm / 240 px = 0.625 mm/px

async function liveSpacing(d: Daemon): Promise<number> {
  const cap = await captureLive(d.url, (c) => c.frames.length >= 3);
  return cap.frames[2]!.pixelSpacing?.x ?? 0;
}

async function start(dir: string, drivers: Record<string, unknown> = SMALL): Promise<Daemon> {
  // the replay folder a network client switches to must lie under a media folder (issue 17): the test's folder is one
  const d = await startTestDaemon(dir, { drivers, media: { folders: [dir], removable: false } }, [[['inference', 'warmupRuns'], 0]]);
  await waitForHealth(d.url, 200);
  // a calibration is made on frames that were seen: wait for some
  await until(() => getJson<{ pipeline: { framesIn: number } }>(d.url + '/api/health'), (h) => h.body.pipeline.framesIn > 2, 20_000, 'frames');
  return d;
}

describe('two-point calibration made in the UI', () => {
  it('is kept per source across restarts, is not applied to another source or frame size, and clearing it is kept too', async () => {
    const dir = tempDir();
    const file = join(dir, 'data', 'calibration.json');
    mkdirSync(join(dir, 'frames'));
    await sharp({ create: { width: 200, height: 150, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toFile(join(dir, 'frames', 'a.png'));

    let d = await start(dir);
    try {
      expect((await getJson<Cal>(d.url + '/api/source/calibration')).body).toMatchObject({ pixelSpacing: null });
      expect(await liveSpacing(d)).toBeCloseTo(0.625, 5);
      // two points 100 px apart on a 25 mm ruler: 0.25 mm/px; the simulated probe declares its own spacing, so
      // the calibration replaces it only when asked to (test/server/calibration-identity.test.ts: refused without)
      const put = await putJson<Cal>(d.url + '/api/source/calibration', { x1: 10, y1: 20, x2: 70, y2: 100, distanceMm: 25, override: true });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ pixelSpacing: { x: 0.25, y: 0.25 }, frame: { width: 320, height: 240 } });
      expect(await liveSpacing(d)).toBeCloseTo(0.25, 5);
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { version: number; sources: Record<string, { calibration: unknown; pixelSpacing: unknown }> };
      expect(stored.version).toBe(1);
      expect(stored.sources['simulated@simulated']).toMatchObject({ calibration: { x1: 10, y1: 20, x2: 70, y2: 100, distanceMm: 25 }, pixelSpacing: { x: 0.25, y: 0.25 }, override: true });
    } finally {
      await d.close();
    }

    d = await start(dir);
    try {
      expect((await getJson<Cal>(d.url + '/api/source/calibration')).body).toMatchObject({ pixelSpacing: { x: 0.25, y: 0.25 }, frame: { width: 320, height: 240 } });
      expect(await liveSpacing(d)).toBeCloseTo(0.25, 5);
      // another source has its own (none); coming back restores this one
      expect((await putJson(d.url + '/api/source', { driver: 'replay', settings: { path: join(dir, 'frames'), fps: 20, pixelSpacingMm: 0.4 } })).status).toBe(200);
      expect((await getJson<Cal>(d.url + '/api/source/calibration')).body).toMatchObject({ pixelSpacing: null });
      expect(await liveSpacing(d)).toBeCloseTo(0.4, 5);
      expect((await putJson(d.url + '/api/source', { driver: 'simulated' })).status).toBe(200);
      expect((await getJson<Cal>(d.url + '/api/source/calibration')).body.pixelSpacing).toEqual({ x: 0.25, y: 0.25 });
      expect(await liveSpacing(d)).toBeCloseTo(0.25, 5);
    } finally {
      await d.close();
    }

    // Same source at another resolution: the calibration (made in pixels of 320×240) is not applied.
    d = await start(dir, { simulated: { fps: 15, width: 160, height: 120 } });
    try {
      expect(await liveSpacing(d)).toBeCloseTo(150 / 120, 5);
    } finally {
      await d.close();
    }

    d = await start(dir);
    try {
      const cleared = await putJson<Cal>(d.url + '/api/source/calibration', { clear: true });
      expect(cleared).toMatchObject({ status: 200, body: { pixelSpacing: null, stored: null } });
      expect(await liveSpacing(d)).toBeCloseTo(0.625, 5);
      const bad = await putJson<{ message: string }>(d.url + '/api/source/calibration', { x1: 5, y1: 5, x2: 5, y2: 5, distanceMm: 10 });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/two different points/);
    } finally {
      await d.close();
    }

    d = await start(dir);
    try {
      expect((await getJson<Cal>(d.url + '/api/source/calibration')).body).toMatchObject({ pixelSpacing: null });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, sources: {} });
    } finally {
      await d.close();
    }

    // A damaged file is kept aside, not lost, and the daemon starts with no calibration.
    writeFileSync(file, '{"version": 1, "sources": {"simulated:probe": {"pixelSpacing": {"x": -1');
    d = await start(dir);
    try {
      expect((await getJson<Cal>(d.url + '/api/source/calibration')).body).toMatchObject({ pixelSpacing: null });
      expect(existsSync(`${file}.unreadable`)).toBe(true);
    } finally {
      await d.close();
    }
  });
});
