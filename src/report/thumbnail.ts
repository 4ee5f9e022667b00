import sharp from 'sharp';

export interface StoredPixels {
  pixels: Buffer;
  width: number;
  height: number;
  channels: number;
  region: { x: number; y: number; width: number; height: number };
}

/**
 * A small PNG of a capture's imaging region (the scanner's text and menus around it are left out), at
 * most `maxPx` on its longer side: cheap enough to put every reviewed capture on the report.
 */
export async function thumbnailPng(p: StoredPixels, maxPx = 240): Promise<Buffer> {
  const left = Math.max(0, Math.min(p.width - 1, Math.round(p.region.x)));
  const top = Math.max(0, Math.min(p.height - 1, Math.round(p.region.y)));
  const width = Math.max(1, Math.min(p.width - left, Math.round(p.region.width)));
  const height = Math.max(1, Math.min(p.height - top, Math.round(p.region.height)));
  const img = sharp(p.pixels, { raw: { width: p.width, height: p.height, channels: p.channels as 1 | 3 } })
    .extract({ left, top, width, height })
    .resize({ width: maxPx, height: maxPx, fit: 'inside', withoutEnlargement: true });
  return (p.channels === 1 ? img.toColourspace('b-w') : img).png({ compressionLevel: 6 }).toBuffer();
}
