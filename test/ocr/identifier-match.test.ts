/**
 * The exam's identifiers in what the OCR read (no tesseract here): the forms looked for, the edits allowed,
 * inside longer words and across neighbouring words, and the tighter rules that keep speckle's short words
 * from matching; and the turned pictures' boxes brought back to the image.
 */
import { describe, expect, it } from 'vitest';
import { findIdentifiers, substringDistance } from '../../src/ocr/identifier-match.js';
import { identifiersOf } from '../../src/ocr/identifiers.js';
import { turn, unturn } from '../../src/ocr/passes.js';
import type { OcrWord } from '../../src/ocr/tsv.js';

/** Words on one line, left to right, 10 px high, `gap` px apart. */
function line(texts: string[], gap = 6, confidence = 20): OcrWord[] {
  let x = 10;
  return texts.map((text) => {
    const w = { text, confidence, box: { x, y: 100, width: 8 * text.length, height: 10 } };
    x += w.box.width + gap;
    return w;
  });
}

const ids = identifiersOf({ patientName: 'Quixote^Pénélope^Li', patientId: '778899', birthDate: '19880412', accessionNumber: 'A-2026-17' });

describe('the identifiers looked for', () => {
  it('are the name parts of 3 characters or more, the ID, the accession and the birth date in its common forms', () => {
    expect(ids).toEqual([
      { kind: 'name', value: 'QUIXOTE' },
      { kind: 'name', value: 'PENELOPE' },
      { kind: 'patient-id', value: '778899' },
      { kind: 'accession', value: 'A202617' },
      { kind: 'birth-date', value: '19880412' },
      { kind: 'birth-date', value: '12041988' },
      { kind: 'birth-date', value: '04121988' },
    ]);
    expect(identifiersOf({})).toEqual([]);
  });
});

describe('an identifier in the words read', () => {
  const kinds = (texts: string[], gap?: number) => findIdentifiers(line(texts, gap), ids)?.kinds;

  it('is found at any confidence, without case or accents, with 1 edit up to 6 characters and 2 beyond', () => {
    expect(findIdentifiers(line(['penelope'], 6, 0), ids)?.kinds).toEqual(['name']);
    expect(kinds(['QU1X0TE'])).toEqual(['name']);
    expect(kinds(['778B99'])).toEqual(['patient-id']);
    expect(kinds(['77B8B9'])).toBeUndefined();
    expect(kinds(['QUXXTT'])).toBeUndefined();
  });

  it('inside a longer word, and across neighbouring words of a line', () => {
    expect(kinds(['MRN778899'])).toEqual(['patient-id']);
    expect(kinds(['DOB:12/04/1988'])).toEqual(['birth-date']);
    expect(kinds(['12', '04', '1988'])).toEqual(['birth-date']);
    expect(kinds(['1988-04-12'])).toEqual(['birth-date']);
    expect(kinds(['778', '899'])).toEqual(['patient-id']);
    // far apart on the line: two labels, not one
    expect(kinds(['778', '899'], 200)).toBeUndefined();
  });

  it('gives the boxes of the words that hold it, and only those', () => {
    const words = line(['ID', 'MRN778899', 'Room', '4']);
    expect(findIdentifiers(words, ids)?.boxes).toEqual([words[1]!.box]);
  });

  it('is looked for more strictly where speckle reads short words: a 3-character name whole, one edit fewer across words', () => {
    const lee = identifiersOf({ patientName: 'LEE^JANE' });
    expect(findIdentifiers(line(['Lee,']), lee)?.kinds).toEqual(['name']);
    expect(findIdentifiers(line(['sleep']), lee)).toBeUndefined();
    // one word read one edit off is the patient's; two of speckle's short words are not
    expect(findIdentifiers(line(['Jame']), lee)?.kinds).toEqual(['name']);
    expect(findIdentifiers(line(['an', 'ee']), lee)).toBeUndefined();
  });

  it('the edit count is that of the best substring', () => {
    expect(substringDistance('JANE', 'XXJANEXX')).toBe(0);
    expect(substringDistance('JANE', 'ANES')).toBe(1);
    expect(substringDistance('778899', '')).toBe(6);
  });
});

describe('turned pictures', () => {
  it("bring a word's box back where the word is in the image", () => {
    const w = 7;
    const h = 5;
    const px = new Uint8Array(w * h);
    px[2 * w + 4] = 9; // (x 4, y 2)
    for (const q of [1, 3] as const) {
      const t = turn(px, w, h, q);
      const at = t.indexOf(9);
      const b = unturn({ x: at % h, y: Math.floor(at / h), width: 1, height: 1 }, w, h, q);
      expect(b, `turned ${q * 90}°`).toEqual({ x: 4, y: 2, width: 1, height: 1 });
    }
    expect(unturn({ x: 0, y: 0, width: 3, height: 2 }, w, h, 1)).toEqual({ x: 0, y: 2, width: 2, height: 3 });
  });
});
