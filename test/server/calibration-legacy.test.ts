/**
 * Calibrations and imaging regions an earlier version stored under `<driver>:<config.source.id>` (a key every
 * source of the driver shared) keep working for the configured device, and for it alone; one of another
 * driver, or one saved with no frame size, is not applied and the status says why. Real replay folders of
 * real PNG files (they declare no spacing) through the real daemon.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { getJson, putJson, until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Status {
  pixelSpacing: { x: number; y: number } | null;
  source?: string;
  stored?: { pixelSpacing: { x: number; y: number }; migratedFrom: string | null } | null;
  notApplied?: { reason: string; message: string } | null;
}
interface Region {
  origin: string;
  source?: string;
  notApplied?: string | null;
}

async function folder(dir: string, name: string, grey: number): Promise<string> {
  const path = join(dir, name);
  mkdirSync(path);
  await sharp({ create: { width: 200, height: 150, channels: 3, background: { r: grey, g: grey, b: grey } } })
    .png()
    .toFile(join(path, 'a.png'));
  return path;
}

/** Waits for three frames in a row from the folder whose grey is `grey` with `spacing` (undefined: none) and `origin`. */
async function frames(d: TestDaemon, grey: number, spacing: number | undefined, origin: string | undefined): Promise<void> {
  let streak = 0;
  let last = '';
  const off = d.runtime.bus.on('frame', (f: Frame) => {
    last = `grey ${f.data[0]} at ${String(f.pixelSpacing?.x)} mm, region ${String(f.region.origin)}`;
    streak = f.data[0] === grey && f.pixelSpacing?.x === spacing && f.region.origin === origin ? streak + 1 : 0;
  });
  try {
    await until(
      async () => streak,
      (s) => s >= 3,
      10_000,
      `frames of grey ${grey} at ${String(spacing)} mm, region ${String(origin)}`,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last: ${last}`);
    });
  } finally {
    off();
  }
}

const legacyCal = (mm: number, frame?: { width: number; height: number }) => ({
  calibration: { pixelSpacingMm: mm },
  pixelSpacing: { x: mm, y: mm },
  ...(frame ? { frame } : {}),
  savedAt: '2026-11-01T10:00:00.000Z',
});
const legacyRegion = {
  shape: { rect: { x: 10, y: 10, width: 100, height: 100 } },
  region: { x: 10, y: 10, width: 100, height: 100 },
  frame: { width: 200, height: 150 },
  savedAt: '2026-11-01T10:00:00.000Z',
};

function seed(dir: string, calibrations: Record<string, unknown>, regions: Record<string, unknown>): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'calibration.json'), JSON.stringify({ version: 1, sources: calibrations }));
  writeFileSync(join(dir, 'data', 'region.json'), JSON.stringify({ version: 1, sources: regions }));
}

describe('settings an earlier version stored under driver:id', () => {
  it('are bound to the configured folder and kept for it alone: another folder of the same driver gets neither calibration nor region', async () => {
    const dir = tempDir();
    const a = await folder(dir, 'a', 60);
    const b = await folder(dir, 'b', 120);
    seed(dir, { 'replay:probe': legacyCal(0.3, { width: 200, height: 150 }) }, { 'replay:probe': legacyRegion });
    const d = await startTestDaemon(dir, { models: [], source: { driver: 'replay', id: 'probe' }, drivers: { replay: { path: a, fps: 20 } }, media: { folders: [dir], removable: false } });
    try {
      await frames(d, 60, 0.3, 'set');
      expect((await getJson<Status>(d.url + '/api/source/calibration')).body).toMatchObject({
        pixelSpacing: { x: 0.3, y: 0.3 },
        source: `replay@${a}`,
        stored: { migratedFrom: 'replay:probe' },
        notApplied: null,
      });
      const file = JSON.parse(readFileSync(join(dir, 'data', 'calibration.json'), 'utf8')) as { sources: Record<string, { identity?: string }> };
      expect(Object.keys(file.sources)).toEqual([`replay@${a}`]);
      expect(file.sources[`replay@${a}`]!.identity).toBe(`replay@${a}`);

      // another folder, same driver, same frame size, same config.source.id: neither the calibration nor the region
      expect((await putJson(d.url + '/api/source', { driver: 'replay', settings: { path: b, fps: 20 } })).status).toBe(200);
      await frames(d, 120, undefined, undefined);
      expect((await getJson<Status>(d.url + '/api/source/calibration')).body).toMatchObject({ pixelSpacing: null, source: `replay@${b}`, stored: null, notApplied: null });
      expect((await getJson<Region>(d.url + '/api/source/region')).body).toMatchObject({ origin: 'unknown', source: `replay@${b}` });

      // a calibration made here (the folder declares no spacing: no override needed) is this folder's own
      const put = await putJson<Status>(d.url + '/api/source/calibration', { x1: 0, y1: 0, x2: 100, y2: 0, distanceMm: 25 });
      expect(put.status).toBe(200);
      await frames(d, 120, 0.25, undefined);
      expect((await putJson(d.url + '/api/source', { driver: 'replay', settings: { path: a, fps: 20 } })).status).toBe(200);
      await frames(d, 60, 0.3, 'set');
    } finally {
      await d.close();
    }
  });

  it('of another driver, or saved with no frame size, are not applied, and the status says why', async () => {
    const dir = tempDir();
    const a = await folder(dir, 'a', 60);
    // replay:probe from a box whose configured source was another driver; simulated:probe saved before any frame
    seed(dir, { 'replay:probe': legacyCal(0.3, { width: 200, height: 150 }), 'simulated:probe': legacyCal(0.9) }, { 'replay:probe': legacyRegion });
    const d = await startTestDaemon(dir, {
      models: [],
      source: { driver: 'simulated', id: 'probe' },
      drivers: { simulated: { fps: 20, width: 320, height: 240 } },
      media: { folders: [dir], removable: false },
    });
    try {
      const sim = await until(
        () => getJson<Status>(d.url + '/api/source/calibration').then((r) => r.body),
        (s) => s.notApplied?.reason === 'no-frame-size',
        10_000,
        'the simulated source status',
      );
      expect(sim).toMatchObject({ pixelSpacing: null, stored: { pixelSpacing: { x: 0.9, y: 0.9 }, migratedFrom: 'simulated:probe' } });
      expect(sim.notApplied!.message).toMatch(/before any frame had arrived/);

      expect((await putJson(d.url + '/api/source', { driver: 'replay', settings: { path: a, fps: 20 } })).status).toBe(200);
      await frames(d, 60, undefined, undefined);
      const st = (await getJson<Status>(d.url + '/api/source/calibration')).body;
      expect(st).toMatchObject({ pixelSpacing: null, stored: null, notApplied: { reason: 'legacy-unbound' } });
      expect(st.notApplied!.message).toMatch(/earlier version under "replay:probe".*Calibrate this source again/);
      const region = (await getJson<Region>(d.url + '/api/source/region')).body;
      expect(region.origin).toBe('unknown');
      expect(region.notApplied).toMatch(/earlier version under "replay:probe"/);
    } finally {
      await d.close();
    }
  });
});
