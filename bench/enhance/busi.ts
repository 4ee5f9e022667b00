/**
 * BUSI lesion images held out from the enhancer's training: the same rule as
 * models/training/enhance_data.py (sha256("busi-split-v1:" + file name) < 25%), benign and malignant
 * images whose mask is not empty.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export function isBusiEval(name: string, fraction = 0.25): boolean {
  const h = parseInt(
    createHash('sha256')
      .update('busi-split-v1:' + name)
      .digest('hex')
      .slice(0, 8),
    16,
  );
  return h / 0xffffffff < fraction;
}

export interface BusiImage {
  file: string;
  width: number;
  height: number;
  gray: Uint8Array;
  mask: Uint8Array;
}

export function busiEvalFiles(root: string): string[] {
  const out: string[] = [];
  for (const cls of ['benign', 'malignant']) {
    const dir = join(root, cls);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.png') && !f.endsWith('_mask.png') && isBusiEval(f)) out.push(join(dir, f));
  }
  return out;
}

export async function readBusi(file: string): Promise<BusiImage | undefined> {
  const img = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const m = await sharp(file.replace(/\.png$/, '_mask.png'))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (m.info.width !== img.info.width || m.info.height !== img.info.height) return undefined;
  const mask = new Uint8Array(m.data.length);
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] = m.data[i]! > 127 ? 1 : 0;
  if (n < 50) return undefined;
  return { file, width: img.info.width, height: img.info.height, gray: new Uint8Array(img.data), mask };
}
