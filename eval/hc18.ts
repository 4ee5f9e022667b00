import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { overlap } from './busi-metrics.js';

export interface Hc18Row {
  filename: string;
  pixelMm: number;
  hcMm: number;
}

export function readHc18Csv(file: string): Hc18Row[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [filename, px, hc] = line.split(',');
      return { filename: filename!, pixelMm: Number(px), hcMm: Number(hc) };
    });
}

/** The training pipeline's split (models/training/hc18_data.py): sha256("hc18-split-v1:" + subject) < 15%. */
export function isValidationSubject(filename: string, fraction = 0.15): boolean {
  const subject = /^(\d+)_/.exec(filename)?.[1] ?? filename;
  const h = parseInt(
    createHash('sha256')
      .update('hc18-split-v1:' + subject)
      .digest('hex')
      .slice(0, 8),
    16,
  );
  return h / 0xffffffff < fraction;
}

export function trimesterOf(hcMm: number): 'T1' | 'T2' | 'T3' {
  const hc = hcMm / 10;
  const ga = 8.96 + 0.54 * hc + 0.0003 * hc ** 3;
  return ga < 14 ? 'T1' : ga < 28 ? 'T2' : 'T3';
}

/** The sonographer's outline, filled (outline plus inside): everything the border cannot reach. */
export async function filledAnnotation(file: string): Promise<{ mask: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const w = info.width;
  const h = info.height;
  const outside = new Uint8Array(w * h);
  const stack: number[] = [];
  const push = (i: number): void => {
    if (!outside[i] && data[i]! <= 127) {
      outside[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % w;
    if (x > 0) push(i - 1);
    if (x < w - 1) push(i + 1);
    if (i >= w) push(i - w);
    if (i < w * (h - 1)) push(i + w);
  }
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) mask[i] = outside[i] ? 0 : 1;
  return { mask, width: w, height: h };
}

/** Dice of two binary masks (value > 0 is inside); both empty: 1. */
export function dice(a: Uint8Array, b: Uint8Array): number {
  return overlap(a, b).dice;
}
