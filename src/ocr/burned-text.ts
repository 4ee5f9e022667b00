/**
 * Is there text in an outgoing image? tesseract reads every speckle pattern as some "word", so a finding
 * is a word of at least `minChars` letters or digits read with confidence ≥ `minConfidence`. Measured on
 * 640×480 frames of the simulated probe (speckle): its best 3-or-more-character "words" reach confidence
 * 57–69 and single marks up to 79; rendered names and IDs on a dark part of the picture read at 90–97.
 * The defaults (3 characters, 80) sit between the two (numbers in test/ocr/).
 */
import type { OcrWord } from './tsv.js';

export interface BurnedTextRules {
  minChars: number;
  minConfidence: number;
}

export const DEFAULT_BURNED_TEXT_RULES: BurnedTextRules = { minChars: 3, minConfidence: 80 };

export interface BurnedText {
  /** The words found, joined by spaces, in reading order. */
  text: string;
  boxes: Array<{ x: number; y: number; width: number; height: number }>;
}

const alnum = (s: string): number => (s.match(/[\p{L}\p{N}]/gu) ?? []).length;

/** The words that count as burned-in text; undefined when none does. */
export function burnedText(words: readonly OcrWord[], rules: BurnedTextRules = DEFAULT_BURNED_TEXT_RULES): BurnedText | undefined {
  const found = words.filter((w) => w.confidence >= rules.minConfidence && alnum(w.text) >= rules.minChars);
  if (found.length === 0) return undefined;
  return { text: found.map((w) => w.text).join(' '), boxes: found.map((w) => ({ ...w.box })) };
}
