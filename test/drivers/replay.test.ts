import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectFrames } from '../helpers/collect.js';
import { spawnSync } from 'node:child_process';
import { ReplaySource, readPixelSizeCsv } from '../../drivers/replay/replay.js';
import { builtinDrivers } from '../../drivers/index.js';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { tempDir } from '../helpers/tmp.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;


describe('replay driver', () => {
  const dir = tempDir();
  const images = join(dir, 'images');
  beforeAll(async () => {
    mkdirSync(images);
    const probe = new SimulatedProbe('p', { width: 200, height: 160 });
    probe.prepare();
    const buf = new Uint8Array(200 * 160);
    for (let i = 0; i < 3; i++) {
      probe.render(i * 10, buf);
      await sharp(Buffer.from(buf), { raw: { width: 200, height: 160, channels: 1 } }).png().toFile(join(images, `img${i}.png`));
    }
    writeFileSync(join(images, 'sizes.csv'), 'filename,pixel size(mm),head circumference (mm)\nimg0.png,0.1,50\nimg1.png,0.2,60\n');
  });

  it('loops a folder of images with pixel spacing from a CSV (falling back to the configured one)', async () => {
    const src = new ReplaySource('r', { path: images, fps: 50, pixelSizeCsv: join(images, 'sizes.csv'), pixelSpacingMm: 0.3 });
    const frames = await collectFrames(src, 5);
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(frames.map((f) => f.pixelSpacing?.x)).toEqual([0.1, 0.2, 0.3, 0.1, 0.2]);
    expect(frames[0]!.width).toBe(200);
    expect(frames[0]!.data).not.toEqual(frames[1]!.data);
  });

  it('names a missing folder, an empty folder and a bad CSV', async () => {
    await expect(new ReplaySource('r', { path: join(dir, 'nope') }).start(() => {})).rejects.toThrow(/Replay path .*nope does not exist/);
    mkdirSync(join(dir, 'empty'));
    await expect(new ReplaySource('r', { path: join(dir, 'empty') }).start(() => {})).rejects.toThrow(/holds no PNG or JPEG/);
    writeFileSync(join(dir, 'bad.csv'), 'name,size\na,1\n');
    expect(() => readPixelSizeCsv(join(dir, 'bad.csv'))).toThrow(/needs "filename" and "pixel size\(mm\)" columns/);
    expect(() => new ReplaySource('r', { path: images, fps: -1 })).toThrow(/\/fps/);
  });

  it('counts an unreadable image, names it, and keeps playing the rest', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    writeFileSync(join(mixed, 'a_broken.png'), 'not a png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(join(mixed, 'b_ok.png'));
    const src = new ReplaySource('r', { path: mixed, fps: 50 });
    const frames = await collectFrames(src, 2);
    expect(frames.length).toBe(2);
    expect(src.health().errors).toBeGreaterThan(0);
    expect(src.health().lastError).toMatch(/a_broken\.png/);
  });

  it.skipIf(!hasFfmpeg)('plays a video file decoded by ffmpeg', async () => {
    const video = join(dir, 'clip.mkv');
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-framerate', '10', '-i', join(images, 'img%d.png'), '-c:v', 'ffv1', video]);
    expect(r.status).toBe(0);
    const frames = await collectFrames(new ReplaySource('r', { path: video, fps: 20, pixelSpacingMm: 0.25 }), 4);
    expect(frames[0]!.width).toBe(200);
    expect(frames[0]!.height).toBe(160);
    expect(frames[0]!.pixelSpacing).toEqual({ x: 0.25, y: 0.25 });
  });

  it('an unreadable video gives a clear error naming the file', async () => {
    writeFileSync(join(dir, 'junk.mp4'), 'garbage');
    await expect(new ReplaySource('r', { path: join(dir, 'junk.mp4') }).start(() => {})).rejects.toThrow(/junk\.mp4 is not a readable image folder or video/);
  });

  it('the registry lists the known drivers for an unknown name', () => {
    expect(() => builtinDrivers().create('v4l3', {}, { id: 'x', baseDir: dir, log: { info() {}, warn() {} } })).toThrow(/Unknown source driver "v4l3"; supported drivers: dicom, igtl, replay, simulated, usb, v4l2/);
  });
});
