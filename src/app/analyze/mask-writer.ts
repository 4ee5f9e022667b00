import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import type { EllipseOut } from '../../analysis/fetal-head.js';
import { fillPolygon, splitXY } from '../../analysis/polygon.js';

/** `020_HC.png` → `<dir>/020_HC_pred.png` */
export function predMaskPath(dir: string, imageFile: string): string {
  return join(dir, `${basename(imageFile, extname(imageFile))}_pred.png`);
}

/** Filled ellipse (0/255) at the image's size; all 0 when there is none. */
export async function writeEllipseMask(path: string, width: number, height: number, e: EllipseOut | undefined): Promise<void> {
  const mask = new Uint8Array(width * height);
  if (e) {
    const ang = (e.angleDeg * Math.PI) / 180;
    const c = Math.cos(ang);
    const s = Math.sin(ang);
    const x0 = Math.max(0, Math.floor(e.cx - e.semiMajor - 1));
    const x1 = Math.min(width - 1, Math.ceil(e.cx + e.semiMajor + 1));
    const y0 = Math.max(0, Math.floor(e.cy - e.semiMajor - 1));
    const y1 = Math.min(height - 1, Math.ceil(e.cy + e.semiMajor + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x - e.cx;
        const dy = y - e.cy;
        const u = (dx * c + dy * s) / e.semiMajor;
        const v = (-dx * s + dy * c) / e.semiMinor;
        if (u * u + v * v <= 1) mask[y * width + x] = 255;
      }
    }
  }
  await sharp(Buffer.from(mask.buffer), { raw: { width, height, channels: 1 } })
    .png()
    .toFile(path);
}

/** Filled outline (flat [x0, y0, …] in frame pixels), 0/255 at the image's size; all 0 when there is none. */
export async function writeOutlineMask(path: string, width: number, height: number, outline: number[] | undefined): Promise<void> {
  const mask = new Uint8Array(width * height);
  if (outline && outline.length >= 6) {
    const { xs, ys, n } = splitXY(outline);
    fillPolygon(xs, ys, n, width, height, mask);
  }
  // an 8-bit one-channel PNG (sharp would otherwise widen it to RGB)
  await sharp(Buffer.from(mask.buffer), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);
}
