/**
 * signalLossMs of the v4l2 driver is bounded under the daemon's watchdog. Measured before the bound (real ffmpeg
 * reading a FIFO that went quiet, a real Pipeline and ServiceLifecycle with the unit's 20 s): with signalLossMs
 * 60000 the driver still said `running`, no error, while the watchdog judged "no frame for 20.0 s" and withheld
 * its pings (systemd restarts the daemon 20 s after the last one), long before the loss would be reported at 60 s.
 * The check runs every signalLossMs / 4, so a loss is reported within 1.25 × signalLossMs: 10 s at the 8000 ms
 * bound (the igtl and usb drivers' bound too).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { SIGNAL_LOSS_MAX_MS, V4l2Source } from '../../drivers/v4l2/v4l2.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { packageRoot } from '../../src/util/package-root.js';
import { type TestApp, buildTestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

const refusal = (fn: () => unknown): { code?: string; message: string; details?: unknown } => {
  try {
    fn();
  } catch (err) {
    return { code: err instanceof SonoError ? err.code : undefined, message: (err as Error).message, details: err instanceof SonoError ? err.details : undefined };
  }
  return { message: 'no error' };
};

describe('v4l2 signalLossMs under the watchdog', () => {
  it('is reported within 1.25 × the bound, under the unit file watchdog period', () => {
    const unit = readFileSync(join(packageRoot(), 'systemd/sonoedge.service'), 'utf8');
    const watchdogMs = Number(/^WatchdogSec=(\d+)$/m.exec(unit)?.[1]) * 1000;
    expect(watchdogMs).toBe(20_000);
    expect(SIGNAL_LOSS_MAX_MS).toBe(8000);
    expect(SIGNAL_LOSS_MAX_MS * 1.25).toBeLessThan(watchdogMs); // detection (the check runs every signalLossMs / 4) before the stall verdict
  });

  it('refuses a longer signalLossMs in the settings with a coded error saying why, and takes the bound', () => {
    for (const ms of [8001, 20_000, 60_000]) {
      const r = refusal(() => new V4l2Source('g', { signalLossMs: ms }));
      expect(r.code).toBe(ErrorCodes.CONFIG_INVALID);
      expect(r.message).toMatch(new RegExp(`signalLossMs ${ms} is over 8000 ms.*watchdog.*set signalLossMs to 8000 or less`));
      expect(r.details).toMatchObject({ field: 'signalLossMs', value: ms, limit: 8000 });
    }
    expect(new V4l2Source('g', { signalLossMs: 8000 }).s.signalLossMs).toBe(8000);
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

    it('refuses signalLossMs over 8000 from the network (it took up to 60000)', async () => {
      const r = await t.app.inject({ method: 'PUT', url: '/api/source', payload: { driver: 'v4l2', settings: { device: '/dev/video0', signalLossMs: 60_000 } } });
      const body = r.json<{ code: string; message: string }>();
      expect(r.statusCode).toBe(400);
      expect(body.code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
      expect(body.message).toMatch(/signalLossMs.*8000/);
      expect(body.message).not.toMatch(/does not exist/); // refused by the bound, before the device is looked for
    });
  });
});
