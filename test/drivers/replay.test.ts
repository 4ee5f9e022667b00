import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectFrames } from '../helpers/collect.js';
import { spawnSync } from 'node:child_process';
import { ReplaySource, readPixelSizeCsv } from '../../drivers/replay/replay.js';
import { frameProblem } from '../../src/capture/frame.js';
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
    writeFileSync(join(mixed, 'a_svg.png'), '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#888"/></svg>'); // decodable, but not a PNG
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(join(mixed, 'b_ok.png'));
    const src = new ReplaySource('r', { path: mixed, fps: 50 });
    const frames = await collectFrames(src, 2);
    expect(frames.length).toBe(2);
    expect(src.health().errors).toBe(4); // two files refused on each of the two loops
    expect(src.health().lastError).toMatch(/a_svg\.png: it is neither a PNG nor a JPEG/);
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

  it.skipIf(!hasFfmpeg)('with plainVideoOnly (settings from the network) a playlist is refused, a plain clip plays', async () => {
    const ts = join(dir, 'seg.ts');
    expect(spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-framerate', '10', '-i', join(images, 'img%d.png'), ts]).status).toBe(0);
    const playlist = join(dir, 'list.m3u8');
    writeFileSync(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nseg.ts\n#EXT-X-ENDLIST\n');
    await expect(new ReplaySource('r', { path: playlist, plainVideoOnly: true }).start(() => {})).rejects.toThrow(/list\.m3u8 is not a readable image folder or video/);
    const frames = await collectFrames(new ReplaySource('r', { path: playlist, fps: 20 }), 2); // a config file may name one
    expect(frames[0]!.width).toBe(200);
    const clip = await collectFrames(new ReplaySource('r', { path: ts, fps: 20, plainVideoOnly: true }), 2);
    expect(clip[0]!.height).toBe(160);
  });

  it('an unreadable video gives a clear error naming the file', async () => {
    writeFileSync(join(dir, 'junk.mp4'), 'garbage');
    await expect(new ReplaySource('r', { path: join(dir, 'junk.mp4') }).start(() => {})).rejects.toThrow(/junk\.mp4 is not a readable image folder or video/);
  });

  it('plays only the images its pattern takes; by default never the BUSI masks beside them', async () => {
    const busi = join(dir, 'busi');
    mkdirSync(busi);
    const gray = (v: number): Promise<unknown> => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: v, g: v, b: v } } }).png().toFile(join(busi, `${v}.png`));
    await Promise.all([gray(1), gray(2)]);
    for (const [from, to] of [['1.png', 'benign (1).png'], ['2.png', 'benign (1)_mask.png']] as const) renameSync(join(busi, from), join(busi, to));
    copyFileSync(join(busi, 'benign (1)_mask.png'), join(busi, 'benign (2)_mask_1.png')); // BUSI's second mask of one image
    copyFileSync(join(busi, 'benign (1).png'), join(busi, 'Benign (3).PNG'));
    writeFileSync(join(busi, 'notes.csv'), 'x\n');
    const played = async (settings: Record<string, unknown>): Promise<string[]> => {
      const src = new ReplaySource('r', { path: busi, fps: 50, ...settings });
      await collectFrames(src, 1);
      return src.files.map((f) => basename(f));
    };
    expect(await played({})).toEqual(['Benign (3).PNG', 'benign (1).png']);
    expect(await played({ pattern: '*.png' })).toEqual(['Benign (3).PNG', 'benign (1).png', 'benign (1)_mask.png', 'benign (2)_mask_1.png']);
    expect(await played({ pattern: '!(*_mask).png' })).toEqual(['Benign (3).PNG', 'benign (1).png', 'benign (2)_mask_1.png']);
    expect(await played({ pattern: '*_mask*' })).toEqual(['benign (1)_mask.png', 'benign (2)_mask_1.png']);
    await expect(new ReplaySource('r', { path: busi, pattern: '*.dcm' }).start(() => {})).rejects.toThrow(/holds no PNG or JPEG images matching the pattern "\*\.dcm"/);
  });

  it('a folder of images of different sizes: each frame carries its own size, region and spacing', async () => {
    const mixed = join(dir, 'sizes');
    mkdirSync(mixed);
    const sizes = [[200, 160], [120, 90], [300, 240]] as const;
    await Promise.all(sizes.map(([w, h], i) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toFile(join(mixed, `s${i}.png`))));
    writeFileSync(join(mixed, 'px.csv'), 'filename,pixel size(mm)\ns0.png,0.1\n\ns2.png,0.3\n');
    // the configured region fits the larger images only; the 120×90 one is shown whole
    const src = new ReplaySource('r', { path: mixed, fps: 50, region: { x: 10, y: 20, width: 150, height: 100 }, pixelSizeCsv: join(mixed, 'px.csv'), pixelSpacingMm: 0.2 });
    const frames = await collectFrames(src, 4);
    expect(frames.map((f) => [f.width, f.height])).toEqual([[200, 160], [120, 90], [300, 240], [200, 160]]);
    expect(frames.map((f) => f.region)).toEqual([
      { x: 10, y: 20, width: 150, height: 100 }, { x: 0, y: 0, width: 120, height: 90 }, { x: 10, y: 20, width: 150, height: 100 }, { x: 10, y: 20, width: 150, height: 100 },
    ]);
    expect(frames.map((f) => f.pixelSpacing?.x)).toEqual([0.1, 0.2, 0.3, 0.1]);
    for (const f of frames) expect(frameProblem(f)).toBeUndefined();
  });

  it('the registry lists the known drivers for an unknown name', () => {
    expect(() => builtinDrivers().create('v4l3', {}, { id: 'x', baseDir: dir, log: { info() {}, warn() {} } })).toThrow(/Unknown source driver "v4l3"; supported drivers: dicom, igtl, replay, simulated, usb, v4l2/);
  });
});
