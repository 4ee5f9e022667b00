/**
 * A file cut short (a copy from a USB stick that was unplugged or ran out of space) reads without error:
 * dcmjs gives its Pixel Data the length the header declares, the missing bytes as zeros, so the end of the
 * loop would play black. This finds the Pixel Data element of an uncompressed file in its first bytes and
 * compares the length it declares with what the file holds (a read of the head and a stat, not of the file).
 */
import { open } from 'node:fs/promises';

/** The header of a file is in its first 256 KiB (a Pixel Data element not found there is not checked). */
const HEAD_BYTES = 256 * 1024;
/** (7FE0,0010) Pixel Data, little endian. */
const PIXEL_DATA_TAG = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);

export interface PixelDataCut {
  /** bytes the Pixel Data element declares */
  declaredBytes: number;
  /** bytes of it the file holds */
  presentBytes: number;
}

/**
 * The shortfall of `file`'s Pixel Data, when it declares one of `lengths` (what its frames need: an odd
 * length is padded to even) and the file ends before it does; undefined when whole, or not found.
 */
export async function pixelDataCut(file: string, lengths: readonly number[]): Promise<PixelDataCut | undefined> {
  const want = new Set(lengths.flatMap((n) => [n, n + (n % 2)]));
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    await fh.read(head, 0, head.length, 0);
    for (let i = head.indexOf(PIXEL_DATA_TAG); i >= 0 && i + 12 <= head.length; i = head.indexOf(PIXEL_DATA_TAG, i + 1)) {
      const vr = head.toString('latin1', i + 4, i + 6);
      // explicit VR (OB/OW, 2 reserved bytes, a 32-bit length) or implicit VR (a 32-bit length)
      const [len, at] = (vr === 'OB' || vr === 'OW') && head.readUInt16LE(i + 6) === 0 ? [head.readUInt32LE(i + 8), i + 12] : [head.readUInt32LE(i + 4), i + 8];
      if (!want.has(len)) continue;
      return at + len > size ? { declaredBytes: len, presentBytes: Math.max(0, size - at) } : undefined;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}
