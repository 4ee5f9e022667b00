/**
 * One "reviewable" rule for the cine (web-ui/src/live/cine.ts isReviewable): Best frame (bestIndex), the
 * frozen frame's message (hasResultOf: "choose another frame" or "none kept") and the browser tests' hook
 * (sonoReviewableFrames, reviewableCount) all count only a detected head or a lesion outline. hasResultOf
 * counted a head not found or a scan with no lesion, so a cine of such frames said "choose another (Best
 * frame)" while Best frame had none to offer.
 */
import { describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../src/protocol/index.js';
import { resultOn } from './result-message.js';
import { Cine, isReviewable } from '../../web-ui/src/live/cine.js';

const head = (seq: number, detected: boolean): ResultMessage => resultOn(seq, { task: 'fetal-head', detected, quality: { score: detected ? 0.9 : 0 } });
const lesion = (seq: number, found: boolean): ResultMessage => resultOn(seq, { task: 'breast-lesion', maskConfidence: 0.8, ...(found ? { lesion: {} } : {}) });

/** Frames 100…104 with the given results attached. */
function cineWith(results: ResultMessage[]): Cine {
  const cine = new Cine(30);
  for (let s = 100; s < 105; s++) cine.push(s, new ArrayBuffer(4));
  for (const r of results) cine.attach(r);
  return cine;
}

describe('what the cine counts as a result to review', () => {
  it('a head not found and a scan with no lesion are results with nothing to review', () => {
    expect(isReviewable(head(1, true).result, 'fetal-head')).toBe(true);
    expect(isReviewable(head(1, false).result, 'fetal-head')).toBe(false);
    expect(isReviewable(lesion(1, true).result, 'breast-lesion')).toBe(true);
    expect(isReviewable(lesion(1, false).result, 'breast-lesion')).toBe(false);
    expect(isReviewable(head(1, true).result, 'breast-lesion')).toBe(false);
    expect(isReviewable(undefined, 'fetal-head')).toBe(false);
  });

  it('only heads not found kept: no result to review, and Best frame offers the newest frame', () => {
    const cine = cineWith([head(101, false), head(102, false)]);
    expect(cine.hasResultOf('fetal-head')).toBe(false);
    expect(cine.reviewableCount('fetal-head')).toBe(0);
    expect(cine.at(cine.bestIndex('fetal-head'))!.seq).toBe(104);
  });

  it('only scans with no lesion kept: no result to review', () => {
    const cine = cineWith([lesion(101, false), lesion(103, false)]);
    expect(cine.hasResultOf('breast-lesion')).toBe(false);
    expect(cine.reviewableCount('breast-lesion')).toBe(0);
  });

  it('hasResultOf, reviewableCount and bestIndex agree on every mix', () => {
    const mixes = [[head(101, false), head(102, true), head(103, false)], [lesion(100, false), lesion(102, true), lesion(104, true)], [head(101, true), lesion(102, false)], []];
    for (const mix of mixes) {
      const cine = cineWith(mix);
      for (const task of ['fetal-head', 'breast-lesion'] as const) {
        const n = mix.filter((r) => isReviewable(r.result, task)).length;
        expect(cine.reviewableCount(task)).toBe(n);
        expect(cine.hasResultOf(task)).toBe(n > 0);
        // Best frame lands on a reviewable frame exactly when there is one
        expect(isReviewable(cine.at(cine.bestIndex(task))!.results[task]?.result, task)).toBe(n > 0);
      }
    }
  });
});
