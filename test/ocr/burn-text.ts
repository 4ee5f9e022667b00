import sharp from 'sharp';

/**
 * Text drawn into a gray picture (DejaVu Sans, as a scanner's overlay would be): white unless `fill` says,
 * turned `rotate` degrees clockwise about its start (90: read top to bottom, -90: bottom to top).
 */
export async function burnText(px: Uint8Array, width: number, height: number, text: string, x: number, y: number, size = 16, o: { fill?: string; rotate?: number } = {}): Promise<Uint8Array> {
  const turn = o.rotate ? ` transform="rotate(${o.rotate} ${x} ${y})"` : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${size}" fill="${o.fill ?? 'white'}"${turn}>${text}</text></svg>`;
  const out = await sharp(Buffer.from(px), { raw: { width, height, channels: 1 } })
    .composite([{ input: Buffer.from(svg) }])
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, width * height);
}
