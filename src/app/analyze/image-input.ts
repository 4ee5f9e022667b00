import sharp, { type Metadata } from 'sharp';
import type { Frame, PixelSpacing } from '../../capture/frame.js';
import { type Flag, flag } from '../../analysis/flags.js';
import { colourFraction } from '../../analysis/signal.js';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';

export const MIN_SIDE = 32;
export const MAX_SIDE = 8192;
export const MAX_PIXELS = 40_000_000;

/**
 * Decodes an image file into a gray frame for offline analysis. 16-bit images are rescaled to 8 bits
 * (and flagged); tiny, huge and unreadable files throw a clear error naming the file.
 */
export async function readImageFrame(file: string, pixelSpacing: PixelSpacing | undefined, seq: number): Promise<{ frame: Frame; flags: Flag[]; colourFraction: number }> {
  const flags: Flag[] = [];
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch (err) {
    throw new SonoError(ErrorCodes.IMAGE_UNREADABLE, `Cannot read image ${file}: ${errorMessage(err)}`, { cause: err });
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w < MIN_SIDE || h < MIN_SIDE) throw new SonoError(ErrorCodes.IMAGE_UNREADABLE, `Image ${file} is ${w}×${h} pixels; at least ${MIN_SIDE}×${MIN_SIDE} is needed`);
  if (w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS)
    throw new SonoError(ErrorCodes.IMAGE_UNREADABLE, `Image ${file} is ${w}×${h} pixels; the largest accepted is ${MAX_SIDE} px a side and ${MAX_PIXELS / 1e6} MP`);
  let data: Uint8Array;
  try {
    if (meta.depth === 'ushort') {
      const raw = await sharp(file, { limitInputPixels: MAX_PIXELS }).greyscale().raw({ depth: 'ushort' }).toBuffer();
      const v = new Uint16Array(raw.buffer, raw.byteOffset, w * h);
      let lo = 65535;
      let hi = 0;
      for (const x of v) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      data = new Uint8Array(w * h);
      const k = hi > lo ? 255 / (hi - lo) : 0;
      for (let i = 0; i < v.length; i++) data[i] = Math.round((v[i]! - lo) * k);
      flags.push(flag('input-16-bit', 'info', 'The image had 16 bits per pixel; it was rescaled to 8 bits (min–max) before analysis.'));
    } else {
      const raw = await sharp(file, { limitInputPixels: MAX_PIXELS }).greyscale().raw({ depth: 'uchar' }).toBuffer();
      data = new Uint8Array(raw.buffer, raw.byteOffset, w * h);
    }
  } catch (err) {
    throw new SonoError(ErrorCodes.IMAGE_UNREADABLE, `Cannot decode image ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if ((meta.channels ?? 1) >= 3 && !meta.isPalette) flags.push(flag('colour-input', 'info', 'The image is in colour; it was converted to gray. Colour Doppler overlays can mislead the model.'));
  // how much of it is really coloured (a Doppler box), measured before the gray conversion hid it
  let colour = 0;
  if ((meta.channels ?? 1) >= 3 || meta.isPalette) {
    const rgb = await sharp(file, { limitInputPixels: MAX_PIXELS }).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    colour = colourFraction(new Uint8Array(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length), w, rgb.info.channels, { x: 0, y: 0, width: w, height: h });
  }
  return {
    frame: { seq, timestampMs: performance.now(), width: w, height: h, channels: 1, data, pixelSpacing, sourceId: 'file', region: { x: 0, y: 0, width: w, height: h } },
    flags,
    colourFraction: colour,
  };
}
