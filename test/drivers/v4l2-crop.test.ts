/**
 * A v4l2 crop must lie inside the capture (width × height, what ffmpeg scales to). No /dev/video here: the
 * check runs in the driver's settings validation, which both the config file and PUT /api/source go through,
 * and the ffmpeg arguments of a crop that fits are checked as built. (Before: a crop too wide made ffmpeg fail
 * on every restart, state "reconnecting", while start and PUT succeeded; one past the right edge was moved
 * inside by ffmpeg, another part of the screen.)
 */
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { V4l2Source } from '../../drivers/v4l2/v4l2.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { type TestApp, buildTestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

const codeOf = (fn: () => unknown): { code?: string; message: string; details?: unknown } => {
  try {
    fn();
  } catch (err) {
    return { code: err instanceof SonoError ? err.code : undefined, message: (err as Error).message, details: err instanceof SonoError ? err.details : undefined };
  }
  return { message: 'no error' };
};

describe('v4l2 crop inside the capture', () => {
  it('refuses a crop wider than the capture or past its right or bottom edge, naming the field', () => {
    const wide = codeOf(() => new V4l2Source('g', { crop: { x: 0, y: 0, width: 800, height: 100 } })); // default 640×480
    expect(wide.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(wide.message).toMatch(/crop x 0 \+ crop width 800 = 800 lies outside the 640×480 capture/);
    const right = codeOf(() => new V4l2Source('g', { width: 640, height: 480, crop: { x: 600, y: 0, width: 200, height: 100 } }));
    expect(right.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(right.details).toMatchObject({ field: 'crop.x/width', end: 800, limit: 640 });
    const bottom = codeOf(() => new V4l2Source('g', { width: 320, height: 240, crop: { x: 0, y: 200, width: 100, height: 50 } }));
    expect(bottom.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(bottom.message).toMatch(/crop y 200 \+ crop height 50 = 250 lies outside the 320×240 capture/);
  });

  it('takes a crop that touches the edges and builds ffmpeg arguments that scale, then crop there', () => {
    const src = new V4l2Source('g', { width: 640, height: 480, crop: { x: 440, y: 380, width: 200, height: 100 } });
    const args = src.ffmpegArgs();
    expect(args[args.indexOf('-vf') + 1]).toBe('scale=640:480,crop=200:100:440:380,fps=30');
    expect([src.outWidth, src.outHeight]).toEqual([200, 100]);
  });

  describe('PUT /api/source', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
      t.runtime.networkPolicy ??= (d) => builtinDrivers().networkPolicy(d);
      t.runtime.config.media.folders.push(realpathSync(tempDir()));
    });
    afterAll(async () => {
      await t.close();
    });

    it('refuses a crop outside the capture before any ffmpeg runs, with the field named', async () => {
      const r = await t.app.inject({
        method: 'PUT',
        url: '/api/source',
        payload: { driver: 'v4l2', settings: { device: '/dev/video0', width: 640, height: 480, crop: { x: 600, y: 0, width: 200, height: 100 } } },
      });
      const body = r.json<{ code: string; message: string }>();
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(body.code).toBe(ErrorCodes.SOURCE_FAILED);
      expect(body.message).toMatch(/crop x 600 \+ crop width 200 = 800 lies outside the 640×480 capture/);
      expect(body.message).not.toMatch(/does not exist/); // refused by the check, not by the missing device
    });
  });
});
