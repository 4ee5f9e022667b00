/**
 * Does the OCR's reading of an image hold one of the exam's identifiers? Every word counts, whatever its
 * confidence (a name drawn over tissue reads at 0–60, below the gate's text threshold), matched without
 * case or accents, with a few edits (identifiers.ts: 1 for 4–6 characters, 2 beyond), inside a longer word
 * ("MRN778899" holds the ID 778899) and across neighbouring words of a line ("12 04 1988", "778 899").
 * Speckle reads as short words at low confidence, so two rules are tighter (measured on plain simulated
 * frames: with the loose rules, "an"+"ee" matched JANE and 4 of 50 frame×patient pairs were held): across
 * joined words one edit fewer, and an identifier of 3 characters only as a whole word (or whole join).
 */
import { type Identifier, type IdentifierKind, maxEdits, normalize } from './identifiers.js';
import type { OcrWord } from './tsv.js';

export interface IdentifierHit {
  kinds: IdentifierKind[];
  /** the boxes of the words that hold them, in image pixels */
  boxes: OcrWord['box'][];
}

/** The fewest edits that turn `pattern` into some substring of `text` (Sellers). */
export function substringDistance(pattern: string, text: string): number {
  let prev = Array.from({ length: text.length + 1 }, () => 0);
  for (let i = 1; i <= pattern.length; i++) {
    const cur = [i];
    for (let j = 1; j <= text.length; j++) {
      const same = pattern[i - 1] === text[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j - 1]! + same, prev[j]! + 1, cur[j - 1]! + 1));
    }
    prev = cur;
  }
  return Math.min(...prev);
}

/** Two words read one after the other on one line, close enough to be one label. */
function neighbours(a: OcrWord['box'], b: OcrWord['box']): boolean {
  const h = Math.max(a.height, b.height, 1);
  const overlap = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const gap = b.x - (a.x + a.width);
  return overlap >= 0.5 * Math.min(a.height, b.height) && gap >= -0.5 * h && gap <= 2 * h;
}

/** Up to this many neighbouring words are joined. */
const JOIN = 3;

/** The identifiers read in `words` (one OCR pass, in its reading order), or undefined when none is. */
export function findIdentifiers(words: readonly OcrWord[], ids: readonly Identifier[]): IdentifierHit | undefined {
  if (ids.length === 0) return undefined;
  const texts = words.map((w) => normalize(w.text));
  // words i..k (neighbours) hold `id`: one edit fewer across words, a 3-character identifier as the whole text
  const holds = (id: Identifier, i: number, k: number): boolean => {
    const joined = texts.slice(i, k + 1).join('');
    const edits = Math.max(0, maxEdits(id.value.length) - (k > i ? 1 : 0));
    if (joined.length < id.value.length - edits) return false;
    return id.value.length <= 3 ? joined === id.value : substringDistance(id.value, joined) <= edits;
  };
  const kinds = new Set<IdentifierKind>();
  const hit = new Set<number>();
  for (let i = 0; i < words.length; i++) {
    const seen = new Set<string>(); // found in fewer words: not found again with the next ones
    for (let k = i; k < Math.min(words.length, i + JOIN); k++) {
      if (k > i && !neighbours(words[k - 1]!.box, words[k]!.box)) break;
      for (const id of ids) {
        // found without the first word: the window starting at the next word has it
        if (seen.has(id.value) || !holds(id, i, k) || (k > i && holds(id, i + 1, k))) continue;
        seen.add(id.value);
        kinds.add(id.kind);
        for (let n = i; n <= k; n++) hit.add(n);
      }
    }
  }
  if (kinds.size === 0) return undefined;
  return { kinds: [...kinds], boxes: [...hit].sort((a, b) => a - b).map((n) => ({ ...words[n]!.box })) };
}
