/** One word tesseract read, with its box in image pixels and its confidence (0–100). */
export interface OcrWord {
  text: string;
  confidence: number;
  box: { x: number; y: number; width: number; height: number };
}

/**
 * Words from tesseract's TSV output (level, page, block, par, line, word, left, top, width, height, conf,
 * text). Only word rows (level 5) with text; the confidence of a row tesseract could not rate (−1) is kept
 * as −1, so a filter on confidence drops it.
 */
export function parseTesseractTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  for (const line of tsv.split('\n')) {
    const c = line.split('\t');
    if (c.length < 12 || c[0] !== '5') continue;
    const text = c.slice(11).join('\t').trim();
    if (text === '') continue;
    const [x, y, width, height, confidence] = [c[6], c[7], c[8], c[9], c[10]].map(Number) as [number, number, number, number, number];
    if (![x, y, width, height, confidence].every(Number.isFinite)) continue;
    words.push({ text, confidence, box: { x, y, width, height } });
  }
  return words;
}
