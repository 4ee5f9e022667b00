import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { overlap } from '../../eval/busi-metrics.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const BUSI = join(packageRoot(), '..', 'shared', 'data', 'busi');
const MODEL = join(process.env.SONOEDGE_MODELS_DIR ?? join(packageRoot(), 'models'), 'breast-lesion', 'manifest.json');
const haveModel = existsSync(MODEL);
const haveData = existsSync(join(BUSI, 'benign'));
if (!haveModel) console.warn(`SKIPPED breast-lesion CLI tests: no model package at ${MODEL}`);
else if (!haveData) console.warn(`SKIPPED real-image breast-lesion CLI test: BUSI data not found at ${BUSI} (see /work/shared/data/busi/SOURCE.md)`);

type Row = Record<string, unknown> & {
  file: string; class: string | null; probabilities: Record<string, number>; confidence: number; lesion_present: boolean;
  lesion?: { units: string; area: number; max_diameter: number; perpendicular_diameter: number; outline: number[] }; flags: Array<{ code: string; severity: string }>; error?: string;
};
const codes = (r: Row): string[] => r.flags.map((f) => f.code);

/** The first validation images of each class (the model never trained on them). */
function validationImages(perClass: number): string[] {
  const split = join(packageRoot(), 'models', 'breast-lesion', 'validation.txt');
  const lines = existsSync(split) ? readFileSync(split, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : ['benign/benign_1.png', 'malignant/malignant_1.png', 'normal/normal_1.png'];
  return ['benign', 'malignant', 'normal'].flatMap((c) => lines.filter((l) => l.startsWith(`${c}/`)).slice(0, perClass)).map((l) => join(BUSI, l));
}

describe.skipIf(!haveModel || !haveData)('sonoedge analyze --model breast-lesion on real BUSI images', () => {
  const dir = tempDir();
  let rows: Row[] = [];
  const files = haveData ? validationImages(3) : [];

  beforeAll(() => {
    const r = runCli(['analyze', '--model', 'breast-lesion', '--mask-dir', join(dir, 'masks'), ...files]);
    expect(r.status, r.stderr).toBe(0);
    rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);
  });

  it('answers every image with one snake_case line: class, probabilities, lesion_present, measurements in px (said so)', () => {
    expect(rows.map((r) => r.file)).toEqual(files);
    for (const r of rows) {
      expect(r.error).toBeUndefined();
      expect(['normal', 'benign', 'malignant']).toContain(r.class);
      expect(Object.keys(r.probabilities)).toEqual(['normal', 'benign', 'malignant']);
      expect(Object.values(r.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(typeof r.lesion_present).toBe('boolean');
      expect(r.summary).toMatch(/unverified until a clinician confirms or corrects the outline/);
      if (r.lesion) {
        expect(r.lesion.units).toBe('px'); // BUSI gives no pixel size
        expect(codes(r)).toContain('no-pixel-spacing');
        expect(r.lesion.max_diameter).toBeGreaterThanOrEqual(r.lesion.perpendicular_diameter);
      }
    }
  });

  it('writes <name>_pred.png at the input size, 0/255, the measured outline filled (all 0 without a lesion)', async () => {
    for (const r of rows) {
      const name = r.file.split('/').pop()!.replace('.png', '_pred.png');
      const png = await sharp(join(dir, 'masks', name)).metadata();
      expect([png.channels, png.depth]).toEqual([1, 'uchar']);
      const m = await sharp(join(dir, 'masks', name)).greyscale().raw().toBuffer({ resolveWithObject: true });
      const meta = await sharp(r.file).metadata();
      expect([m.info.width, m.info.height]).toEqual([meta.width, meta.height]);
      const inside = m.data.reduce((a, v) => a + (v === 255 ? 1 : 0), 0);
      expect(m.data.every((v) => v === 0 || v === 255)).toBe(true);
      if (!r.lesion) expect(inside).toBe(0);
      else expect(Math.abs(inside / r.lesion.area - 1)).toBeLessThan(0.05);
    }
  });

  it('the outlines overlap the radiologists\' masks (mean Dice over these lesions > 0.5)', async () => {
    const dices: number[] = [];
    for (const r of rows.filter((x) => !x.file.includes('/normal/'))) {
      const name = r.file.split('/').pop()!.replace('.png', '_pred.png');
      const pred = await sharp(join(dir, 'masks', name)).greyscale().raw().toBuffer();
      const truth = await sharp(r.file.replace('.png', '_mask.png')).greyscale().raw().toBuffer();
      dices.push(overlap(new Uint8Array(pred), new Uint8Array(truth)).dice);
    }
    expect(dices.reduce((a, b) => a + b, 0) / dices.length).toBeGreaterThan(0.5);
  });
});

describe.skipIf(!haveModel)('sonoedge analyze --model breast-lesion on bad inputs', () => {
  const dir = tempDir();
  const f = (n: string): string => join(dir, n);
  // A textured gray "scan" made here (no patient image needed): speckle with a dark oval.
  const scan = (w: number, h: number): Buffer => {
    const px = Buffer.alloc(w * h);
    let s = 12345;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const inOval = ((x - w / 2) / (w / 6)) ** 2 + ((y - h / 2) / (h / 9)) ** 2 < 1;
      px[y * w + x] = Math.max(0, Math.min(255, (inOval ? 30 : 110) + ((s >> 16) % 60) - 30));
    }
    return px;
  };
  beforeAll(async () => {
    const raw = (w: number, h: number) => ({ raw: { width: w, height: h, channels: 1 as const } });
    await sharp({ create: { width: 300, height: 220, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(f('blank.png'));
    await sharp(scan(48, 40), raw(48, 40)).png().toFile(f('tiny.png'));
    await sharp(scan(8, 8), raw(8, 8)).png().toFile(f('too-small.png'));
    await sharp(scan(3000, 2400), raw(3000, 2400)).png().toFile(f('huge.png'));
    await sharp({ create: { width: 9000, height: 40, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(f('too-wide.png'));
    // colour Doppler: a red/blue flow box over the gray scan
    const rgb = Buffer.alloc(384 * 300 * 3);
    const gray = scan(384, 300);
    for (let i = 0; i < 384 * 300; i++) {
      const x = i % 384;
      const y = Math.floor(i / 384);
      const flow = x > 140 && x < 260 && y > 90 && y < 200 && (x + y) % 3 !== 0;
      rgb[3 * i] = flow ? 220 : gray[i]!;
      rgb[3 * i + 1] = flow ? 30 : gray[i]!;
      rgb[3 * i + 2] = flow ? ((x + y) % 2 ? 40 : 230) : gray[i]!;
    }
    await sharp(rgb, { raw: { width: 384, height: 300, channels: 3 } }).png().toFile(f('doppler.png'));
    // burned-in text and caliper crosses, as on many BUSI images
    const svg = `<svg width="384" height="300"><text x="8" y="22" font-size="16" fill="white">L 12.3mm  W 8.1mm</text>
      <text x="250" y="290" font-size="14" fill="white">BREAST R 10:00</text>
      <path d="M150 100 l10 10 m0 -10 l-10 10 M240 190 l10 10 m0 -10 l-10 10" stroke="white" stroke-width="2"/></svg>`;
    await sharp(scan(384, 300), raw(384, 300)).composite([{ input: Buffer.from(svg) }]).png().toFile(f('burned-in.png'));
  });

  it('gives a clear result or flag for each, never a confident class on what cannot be judged, and exit 0', () => {
    const names = ['blank.png', 'tiny.png', 'too-small.png', 'huge.png', 'too-wide.png', 'doppler.png', 'burned-in.png'];
    const r = runCli(['analyze', '--model', 'breast-lesion', ...names.map(f)]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);
    const by = Object.fromEntries(rows.map((x, i) => [names[i]!, x]));
    expect(by['blank.png']).toMatchObject({ class: null, confidence: 0, lesion_present: false });
    expect(codes(by['blank.png']!)).toContain('blank-image');
    expect(codes(by['tiny.png']!)).toContain('tiny-image');
    expect(by['too-small.png']!.error).toMatch(/8×8 pixels; at least 32×32/);
    expect(by['huge.png']!.error).toBeUndefined();
    expect(Object.values(by['huge.png']!.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(by['too-wide.png']!.error).toMatch(/9000×40 pixels; the largest accepted is 8192 px a side/);
    expect(by['doppler.png']).toMatchObject({ class: null, confidence: 0 });
    expect(codes(by['doppler.png']!)).toContain('colour-doppler');
    const burned = by['burned-in.png']!;
    expect(burned.error).toBeUndefined();
    expect(['normal', 'benign', 'malignant']).toContain(burned.class);
    // an unsure class is flagged as such, never stated bare
    for (const x of rows.filter((y) => y.class && y.confidence < 0.6)) expect(codes(x)).toContain('low-confidence');
  });
});
