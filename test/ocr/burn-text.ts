import sharp from 'sharp';

/** White text drawn into a gray picture (DejaVu Sans, as a scanner's overlay would be). */
export async function burnText(px: Uint8Array, width: number, height: number, text: string, x: number, y: number, size = 16): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${size}" fill="white">${text}</text></svg>`;
  const out = await sharp(Buffer.from(px), { raw: { width, height, channels: 1 } }).composite([{ input: Buffer.from(svg) }]).toColourspace('b-w').raw().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, width * height);
}
