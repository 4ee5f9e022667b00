/**
 * The OCR passes over one outgoing image. The gray picture, every frame of it, as before; then the bright
 * parts alone (≥ `BRIGHT` → black on white) read upright and turned 90° and 270°, in one tesseract run.
 * Text drawn over tissue is lost in the speckle of the gray picture (tesseract reads nothing of a white
 * 14 px name there), and tesseract reads no vertical text unless the picture is turned. A clip's
 * bright passes read the darkest value of each pixel over its frames once: text burned into every frame
 * stays, moving speckle goes dark; text in some frames only is left to the gray pass of each frame.
 */
import type { PayloadImage } from './payload-pixels.js';
import { type TesseractOptions, readWords } from './tesseract.js';
import type { OcrWord } from './tsv.js';

/** Pixels from this gray value are the bright picture (overlay text is drawn white or light gray). */
export const BRIGHT = 200;

export type PassName = 'gray' | 'bright' | 'bright-90' | 'bright-270';

export interface Pass {
  name: PassName;
  /** in the pass's reading order, boxes in the picture it read (turned, for the turned passes) */
  words: OcrWord[];
  /** a box of `words` in the image's pixels (the gray pass: a clip's stacked rows; the others: one frame's) */
  toImage(b: Box): Box;
}

/**
 * Boxes found in a pass, as the mask addresses them (a clip's stacked rows): a box of the bright picture is
 * where the text is in every frame, and masking it must black out all of them.
 */
export function maskBoxes(pass: PassName, boxes: readonly Box[], img: Pick<PayloadImage, 'frames' | 'frameHeight'>): Box[] {
  if (pass === 'gray' || img.frames === 1) return boxes.map((b) => ({ ...b }));
  return Array.from({ length: img.frames }, (_, f) => boxes.map((b) => ({ ...b, y: b.y + f * img.frameHeight }))).flat();
}

type Box = OcrWord['box'];

/** `px` turned clockwise by `quarters` × 90° (1 or 3); the turned picture is `h` wide and `w` high. */
export function turn(px: Uint8Array, w: number, h: number, quarters: 1 | 3): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[quarters === 1 ? x * h + (h - 1 - y) : (w - 1 - x) * h + y] = px[y * w + x]!;
  }
  return out;
}

/** A box read in the picture turned by `quarters`, back in the unturned `w`×`h` picture. */
export function unturn(b: Box, w: number, h: number, quarters: 1 | 3): Box {
  return quarters === 1 ? { x: b.y, y: h - b.x - b.width, width: b.height, height: b.width } : { x: w - b.y - b.height, y: b.x, width: b.height, height: b.width };
}

/** The darkest value of each pixel over the frames (a single frame: itself), thresholded: bright → black ink on white. */
export function brightInk(img: PayloadImage, bright = BRIGHT): Uint8Array {
  const n = img.width * img.frameHeight;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    let v = img.pixels[p]!;
    for (let f = 1; f < img.frames && v >= bright; f++) v = Math.min(v, img.pixels[f * n + p]!);
    out[p] = v >= bright ? 0 : 255;
  }
  return out;
}

/** White between the panels of the bright sheet: wider than two text heights, so no word joins across. */
const GAP = 64;

/**
 * The bright picture upright, turned 90° and turned 270°, side by side on one white sheet: one tesseract run
 * reads all three (a run costs ~0.1 s of CPU to start; the three apart cost more than the gray pass).
 */
function brightSheet(ink: Uint8Array, w: number, h: number): { sheet: Uint8Array; width: number; height: number; offsets: [number, number, number] } {
  const width = w + 2 * h + 2 * GAP;
  const height = Math.max(w, h);
  const sheet = new Uint8Array(width * height).fill(255);
  const offsets: [number, number, number] = [0, w + GAP, w + h + 2 * GAP];
  const panels: Array<[Uint8Array, number, number]> = [
    [ink, w, h],
    [turn(ink, w, h, 1), h, w],
    [turn(ink, w, h, 3), h, w],
  ];
  panels.forEach(([px, pw, ph], i) => {
    for (let y = 0; y < ph; y++) sheet.set(px.subarray(y * pw, (y + 1) * pw), y * width + offsets[i]!);
  });
  return { sheet, width, height, offsets };
}

/** Every pass over `img`, one tesseract run at a time: the gray picture frame by frame, then the bright sheet. */
export async function readPasses(img: PayloadImage, o: TesseractOptions): Promise<Pass[]> {
  const { width: w, frameHeight: h } = img;
  const n = w * h;
  const gray: OcrWord[] = [];
  for (let i = 0; i < img.frames; i++) {
    const read = await readWords(img.pixels.subarray(i * n, (i + 1) * n), w, h, o);
    for (const word of read) gray.push(i === 0 ? word : { ...word, box: { ...word.box, y: word.box.y + i * h } });
  }
  const same = (b: Box): Box => ({ ...b });
  const passes: Pass[] = [{ name: 'gray', words: gray, toImage: same }];
  const ink = brightInk(img);
  if (!ink.includes(0)) return passes;
  const s = brightSheet(ink, w, h);
  const read = await readWords(s.sheet, s.width, s.height, o);
  const names = ['bright', 'bright-90', 'bright-270'] as const;
  const toImage = [same, (b: Box) => unturn(b, w, h, 1), (b: Box) => unturn(b, w, h, 3)];
  names.forEach((name, i) => {
    const x0 = s.offsets[i]!;
    const x1 = i + 1 < names.length ? s.offsets[i + 1]! : s.width;
    const words = read.filter((word) => word.box.x >= x0 && word.box.x < x1).map((word) => ({ ...word, box: { ...word.box, x: word.box.x - x0 } }));
    passes.push({ name, words, toImage: toImage[i]! });
  });
  return passes;
}
