/**
 * `sonoedge analyze --model enhance --image-dir DIR`: enhanced PNGs at the input's size with one JSON line
 * each, clear answers for bad inputs, and the enhancer must not move measurements: HC measured by the
 * fetal-head model on enhanced HC18 validation images differs from HC on the raw images by < 0.5 mm on
 * average.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { packageRoot } from '../../src/util/package-root.js';
import { isValidationSubject, readHc18Csv } from '../../eval/hc18.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const have = existsSync(join(packageRoot(), 'models', 'enhance', 'manifest.json'));
if (!have) console.warn('SKIPPED enhance CLI tests: no models/enhance package');
const HC18 = join(packageRoot(), '..', 'shared', 'data', 'hc18');
const haveHc18 = existsSync(join(HC18, 'training_set_pixel_size_and_HC.csv'));
if (have && !haveHc18) console.warn(`SKIPPED "enhancer does not move HC": HC18 not found at ${HC18} (see /work/shared/data/hc18/SOURCE.md)`);

type Row = Record<string, unknown> & { file: string; error?: string; enhanced?: boolean; output?: string | null; width?: number; height?: number; mean_shift?: number; flags?: Array<{ code: string }>; timings?: Record<string, number> };
const lines = (stdout: string): Row[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);

describe.skipIf(!have)('sonoedge analyze --model enhance --image-dir', () => {
  const dir = tempDir();
  const out = join(dir, 'enh');
  const files: Record<string, string> = {};
  let rows: Row[] = [];

  beforeAll(async () => {
    const p = new SimulatedProbe('p', {});
    p.prepare();
    const buf = new Uint8Array(640 * 480);
    p.render(5, buf);
    const png = (name: string): string => (files[name] = join(dir, name));
    await sharp(Buffer.from(buf), { raw: { width: 640, height: 480, channels: 1 } }).png().toFile(png('sim.png'));
    // an odd size, larger than one tile: 2×2 tiles, written back at exactly this size
    const big = new Uint8Array(901 * 517);
    for (let y = 0; y < 517; y++) for (let x = 0; x < 901; x++) big[y * 901 + x] = buf[(y % 480) * 640 + (x % 640)]!;
    await sharp(Buffer.from(big), { raw: { width: 901, height: 517, channels: 1 } }).png().toFile(png('odd size.png'));
    await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(png('blank.png'));
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(png('tiny.png'));
    await sharp({ create: { width: 9000, height: 40, channels: 3, background: { r: 10, g: 10, b: 10 } } }).png().toFile(png('huge.png'));
    await sharp(Buffer.from(new Uint16Array(640 * 480).map((_, i) => buf[i]! * 257).buffer), { raw: { width: 640, height: 480, channels: 1 } }).toColourspace('grey16').png().toFile(png('deep16.png'));
    // a colour Doppler frame: gray B-mode with a red/blue box
    const rgb = new Uint8Array(640 * 480 * 3);
    for (let i = 0; i < 640 * 480; i++) {
      const x = i % 640;
      const y = Math.floor(i / 640);
      const inBox = x > 250 && x < 400 && y > 150 && y < 300 && buf[i]! > 100;
      rgb.set(inBox ? (x % 2 ? [220, 30, 20] : [20, 40, 230]) : [buf[i]!, buf[i]!, buf[i]!], i * 3);
    }
    await sharp(Buffer.from(rgb), { raw: { width: 640, height: 480, channels: 3 } }).png().toFile(png('doppler.png'));
    writeFileSync(png('corrupt.png'), 'not an image');
    const r = runCli(['analyze', '--model', 'enhance', '--image-dir', out, ...Object.values(files)]);
    expect(r.status, r.stderr).toBe(0);
    rows = lines(r.stdout);
  }, 120_000);

  const row = (name: string): Row => rows.find((r) => basename(r.file) === name)!;

  it('answers every file in order with one line', () => {
    expect(rows.map((r) => r.file)).toEqual(Object.values(files));
  });

  it('writes <name>_enh.png, 8-bit gray, at the input size, with timings, and keeps the mean brightness', async () => {
    for (const name of ['sim.png', 'odd size.png', 'deep16.png']) {
      const r = row(name);
      expect(r.error).toBeUndefined();
      expect(r.enhanced).toBe(true);
      expect(r.output).toBe(join(out, name.replace('.png', '_enh.png')));
      const meta = await sharp(r.output!).metadata();
      const input = await sharp(files[name]!).metadata();
      expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([input.width, input.height, 1, 'uchar']);
      expect(r.timings!.tiles).toBeGreaterThanOrEqual(1);
      expect(r.timings!.inference_ms).toBeGreaterThan(0);
      expect(Math.abs(r.mean_shift!)).toBeLessThan(1);
    }
    expect(row('odd size.png').timings!.tiles).toBe(4);
    expect(row('deep16.png').flags!.map((f) => f.code)).toContain('input-16-bit');
    // it really changed the image (speckle smoothed), it is not a copy
    const a = await sharp(files['sim.png']!).raw().toBuffer();
    const b = await sharp(row('sim.png').output!).raw().toBuffer();
    let d = 0;
    for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
    expect(d / a.length).toBeGreaterThan(2);
  });

  it('leaves a blank and a colour Doppler image as they are, flagged, and still writes them', async () => {
    for (const [name, code] of [['blank.png', 'blank-image'], ['doppler.png', 'colour-doppler']] as const) {
      const r = row(name);
      expect(r.error).toBeUndefined();
      expect(r.enhanced).toBe(false);
      expect(r.flags!.map((f) => f.code)).toContain(code);
      expect(existsSync(r.output!)).toBe(true);
    }
  });

  it('refuses tiny, huge and unreadable files with a clear error naming them', () => {
    expect(row('tiny.png').error).toMatch(/tiny\.png is 16×16 pixels; at least 32×32/);
    expect(row('huge.png').error).toMatch(/huge\.png is 9000×40 pixels; the largest accepted is 8192/);
    expect(row('corrupt.png').error).toMatch(/corrupt\.png/);
    expect(existsSync(join(out, 'tiny_enh.png'))).toBe(false);
  });
});

describe.skipIf(!have || !haveHc18)('the enhancer does not move HC (HC18 validation images)', () => {
  const dir = tempDir();
  it('HC on enhanced vs raw differs by < 0.5 mm on average (24 images)', () => {
    const rows = readHc18Csv(join(HC18, 'training_set_pixel_size_and_HC.csv')).filter((r) => isValidationSubject(r.filename));
    const pick = rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / 24)) === 0).slice(0, 24);
    const raw = pick.map((r) => join(HC18, 'training_set', r.filename));
    const enh = runCli(['analyze', '--model', 'enhance', '--image-dir', dir, ...raw]);
    expect(enh.status, enh.stderr).toBe(0);
    const csv = join(dir, 'sizes.csv');
    writeFileSync(csv, 'filename,pixel size(mm)\n' + pick.flatMap((r) => [`${r.filename},${r.pixelMm}`, `${r.filename.replace('.png', '_enh.png')},${r.pixelMm}`]).join('\n') + '\n');
    const enhanced = lines(enh.stdout).map((r) => r.output as string);
    const hc = runCli(['analyze', '--model', 'fetal-head', '--pixel-size-csv', csv, ...raw, ...enhanced]);
    expect(hc.status, hc.stderr).toBe(0);
    const out = lines(hc.stdout) as Array<Row & { hc_mm?: number }>;
    const a = out.slice(0, pick.length).map((r) => r.hc_mm);
    const b = out.slice(pick.length).map((r) => r.hc_mm);
    const diffs = a.map((v, i) => Math.abs((v ?? NaN) - (b[i] ?? NaN)));
    const mean = diffs.reduce((x, y) => x + y, 0) / diffs.length;
    console.log(`HC enhanced vs raw over ${diffs.length} images: mean |Δ| ${mean.toFixed(3)} mm, max ${Math.max(...diffs).toFixed(2)} mm`);
    expect(Number.isFinite(mean)).toBe(true);
    expect(mean).toBeLessThan(0.5);
  }, 300_000);
});
