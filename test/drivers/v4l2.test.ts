/**
 * No /dev/video here: the v4l2 driver is exercised through ffmpeg test sources behind the same code path
 * (ffmpegInput replaces `-f v4l2 -i <device>`; scaling, cropping, reading and reconnecting are the same).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFrames } from '../helpers/collect.js';
import { tempDir } from '../helpers/tmp.js';
import { V4l2Source, spacingFromCalibration } from '../../drivers/v4l2/v4l2.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;


describe('v4l2 driver', () => {
  it('calibrates from a spacing, a depth scale or two points', () => {
    expect(spacingFromCalibration({ pixelSpacingMm: 0.2 })).toEqual({ x: 0.2, y: 0.2 });
    expect(spacingFromCalibration({ depthMm: 150, depthPixels: 500 })).toEqual({ x: 0.3, y: 0.3 });
    expect(spacingFromCalibration({ x1: 0, y1: 0, x2: 30, y2: 40, distanceMm: 10 })!.x).toBeCloseTo(0.2, 9);
    expect(() => spacingFromCalibration({ x1: 1, y1: 1, x2: 1, y2: 1, distanceMm: 10 })).toThrow(/two different points/);
  });

  it('names a missing device and the devices present', async () => {
    await expect(new V4l2Source('g', { device: '/dev/video77' }).start(() => {})).rejects.toThrow(/Capture device \/dev\/video77 does not exist; devices present: /);
  });

  it.skipIf(!hasFfmpeg)('delivers gray frames cropped to the imaging region, with calibrated spacing', async () => {
    const src = new V4l2Source('g', { width: 320, height: 240, fps: 30, crop: { x: 40, y: 20, width: 200, height: 180 }, calibration: { depthMm: 90, depthPixels: 180 }, ffmpegInput: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30'] });
    const frames = await collectFrames(src, 5);
    expect(frames[0]!.width).toBe(200);
    expect(frames[0]!.height).toBe(180);
    expect(frames[0]!.pixelSpacing).toEqual({ x: 0.5, y: 0.5 });
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(frames[0]!.data).not.toEqual(frames[4]!.data); // testsrc moves
  });

  it.skipIf(!hasFfmpeg)('survives unplug and replug: ffmpeg ending is reconnected with backoff, errors counted', async () => {
    // each ffmpeg run stops after 0.3 s, like a grabber pulled out; the driver restarts it
    const src = new V4l2Source('g', { width: 160, height: 120, fps: 30, reconnectInitialMs: 50, ffmpegInput: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=30', '-t', '0.3'] });
    const frames = await collectFrames(src, 25);
    expect(frames.length).toBe(25); // more than one 0.3 s run (~9 frames) can give
    expect(src.health().errors).toBeGreaterThanOrEqual(1);
    expect(src.health().lastError).toMatch(/ffmpeg stopped/);
  });

  it.skipIf(!hasFfmpeg)('reports signal loss when frames stop', async () => {
    // a grabber that is open but sends nothing: ffmpeg reading a FIFO nobody writes to
    const fifo = join(tempDir(), 'silent.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const src = new V4l2Source('g', { width: 160, height: 120, fps: 30, signalLossMs: 300, reconnectInitialMs: 5000, ffmpegInput: ['-f', 'rawvideo', '-video_size', '160x120', '-pix_fmt', 'gray', '-i', fifo] });
    await src.start(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    const h = src.health();
    await src.stop();
    expect(h.lastError).toMatch(/Signal lost/);
    expect(h.connected).toBe(false);
  });
});
