import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('sonoedge analyze (fetal head)', () => {
  const dir = tempDir();
  const img = join(dir, 'sim_HC.png');
  beforeAll(async () => {
    const p = new SimulatedProbe('p', {});
    p.prepare();
    const buf = new Uint8Array(640 * 480);
    p.render(0, buf);
    await sharp(Buffer.from(buf), { raw: { width: 640, height: 480, channels: 1 } }).png().toFile(img);
    await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(join(dir, 'blank.png'));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(join(dir, 'tiny.png'));
    await sharp(Buffer.from(new Uint16Array(640 * 480).map((_, i) => buf[i]! * 257).buffer), { raw: { width: 640, height: 480, channels: 1 } })
      .toColourspace('grey16').png().toFile(join(dir, 'deep16.png'));
    writeFileSync(join(dir, 'corrupt.png'), 'this is not an image');
    await sharp({ create: { width: 8193, height: 40, channels: 3, background: { r: 80, g: 80, b: 80 } } }).png().toFile(join(dir, 'huge.png'));
    // not ultrasound: a colour gradient with a checkerboard
    const photo = Buffer.alloc(640 * 480 * 3);
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 640; x++) {
        const i = (y * 640 + x) * 3;
        photo[i] = (x * 255) / 640;
        photo[i + 1] = (y * 255) / 480;
        photo[i + 2] = ((x >> 5) + (y >> 5)) % 2 ? 200 : 40;
      }
    }
    await sharp(photo, { raw: { width: 640, height: 480, channels: 3 } }).png().toFile(join(dir, 'photo.png'));
  });

  it('refuses a huge image by name and size, and flags a non-ultrasound image instead of a confident number', () => {
    const r = runCli(['analyze', '--model', 'fetal-head', '--pixel-size', '0.3', join(dir, 'huge.png'), join(dir, 'photo.png')]);
    expect(r.status).toBe(0);
    const [huge, photo] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(huge!.error).toMatch(/huge\.png is 8193×40 pixels; the largest accepted is 8192 px a side/);
    const codes = (photo!.flags as Array<{ code: string }>).map((f) => f.code);
    expect(codes.some((c) => ['no-head', 'implausible-shape', 'poor-fit', 'low-confidence'].includes(c)), codes.join()).toBe(true);
    if (photo!.detected) expect((photo!.quality as { score: number }).score).toBeLessThan(0.3);
  });

  it('prints one compact snake_case JSON line per image, in order, with errors per file and exit 0', () => {
    const files = [img, join(dir, 'blank.png'), join(dir, 'tiny.png'), join(dir, 'corrupt.png'), join(dir, 'deep16.png')];
    const r = runCli(['analyze', '--model', 'fetal-head', '--pixel-size', '0.3125', '--mask-dir', join(dir, 'masks'), ...files]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.file)).toEqual(files);
    const sim = rows[0]!;
    expect(sim).toHaveProperty('hc_mm');
    expect(sim).toHaveProperty('bpd_mm');
    expect(sim).toHaveProperty('ofd_mm');
    expect(sim).toHaveProperty('ga_weeks');
    expect(Array.isArray(sim.flags)).toBe(true);
    expect(sim.timings).toHaveProperty('inference_ms');
    expect(Math.abs((sim.hc_mm as number) / 175 - 1)).toBeLessThan(0.06);
    const blank = rows[1]!;
    expect(blank.detected).toBe(false);
    expect((blank.flags as Array<{ code: string }>).map((f) => f.code)).toContain('blank-image');
    expect(rows[2]!.error).toMatch(/8×8 pixels; at least 32×32/);
    expect(rows[3]!.error).toMatch(/corrupt\.png/);
    expect((rows[4]!.flags as Array<{ code: string }>).map((f) => f.code)).toContain('input-16-bit');
    expect(r.stdout).not.toMatch(/"level"/); // logs go to stderr
    expect(existsSync(join(dir, 'masks', 'sim_HC_pred.png'))).toBe(true);
  });

  it('writes a 0/255 mask at the input size, all zero when no head', async () => {
    const m = await sharp(join(dir, 'masks', 'sim_HC_pred.png')).raw().toBuffer({ resolveWithObject: true });
    expect([m.info.width, m.info.height]).toEqual([640, 480]);
    expect(new Set(m.data)).toEqual(new Set([0, 255]));
    const b = await sharp(join(dir, 'masks', 'blank_pred.png')).raw().toBuffer({ resolveWithObject: true });
    expect([b.info.width, b.info.height]).toEqual([300, 200]);
    expect(b.data.every((v) => v === 0)).toBe(true);
  });

  it('without pixel size, flags it and gives no mm; a bad option fails the command', () => {
    const r = runCli(['analyze', '--model', 'fetal-head', img]);
    const row = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(row.hc_mm).toBeUndefined();
    expect((row.flags as Array<{ code: string }>).map((f) => f.code)).toContain('no-pixel-spacing');
    const bad = runCli(['analyze', '--model', 'fetal-head', '--pixel-size', 'abc', img]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--pixel-size must be a positive number/);
    const missing = runCli(['analyze', '--model', 'nope', img]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/Model "nope" not found/);
  });

  it('models list and doctor describe this machine', () => {
    expect(runCli(['models', 'list']).stdout).toMatch(/^fetal-head\t\d+\.\d+\.\d+\ttask=fetal-head/m);
    const doc = runCli(['doctor'], { SONOEDGE_DATA_DIR: join(dir, 'data') });
    expect(doc.stdout).toMatch(/provider cpu: available/);
    expect(doc.stdout).toMatch(/provider cuda: unavailable/);
    expect(doc.stdout).toMatch(/^driver simulated: /m);
    expect(doc.stdout).toMatch(/^driver replay: /m);
    for (const d of ['dicom', 'igtl', 'usb', 'v4l2']) expect(doc.stdout).toMatch(new RegExp(`^driver ${d}: `, 'm'));
  });
});
