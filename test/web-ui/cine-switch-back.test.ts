/**
 * An exam-type switch and back (obstetric → breast → obstetric) keeps the frames' own results of each type
 * (web-ui/src/live/cine.ts): the switch used to drop the old type's results from the cine (and a result of the
 * new type on a frame replaced the old one), so a sonographer who toggled by mistake lost the heads they could
 * still review. Freeze, Best frame, the test hook's count and the frozen redraw still read only the shown type's.
 * And a cine whose results have nothing to review (no head found) says so, not that no result came.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExamType, LiveTaskResult, ResultMessage } from '../../src/protocol/index.js';
import { FrameKind } from '../../src/protocol/index.js';
import { resultOn } from './result-message.js';
import { Cine } from '../../web-ui/src/live/cine.js';
import { frozenMessage } from '../../web-ui/src/live/frozen-message.js';
import { liveEn, liveFr } from '../../web-ui/src/live/strings.js';

const head = (seq: number, score: number, detected = true): ResultMessage => resultOn(seq, { task: 'fetal-head', detected, quality: { score } });
const lesion = (seq: number, maskConfidence: number): ResultMessage => resultOn(seq, { task: 'breast-lesion', maskConfidence, lesion: {} });

/** Frames 100…109 of a scan: heads while obstetric was shown, then lesions after the switch (one on a head's frame). */
function switchedCine(): Cine {
  const cine = new Cine(30);
  for (let s = 100; s < 110; s++) cine.push(s, new ArrayBuffer(4));
  for (const r of [head(101, 0.9), head(103, 0.95)]) cine.attach(r);
  for (const r of [lesion(103, 0.6), lesion(107, 0.7)]) cine.attach(r);
  return cine;
}

describe('the cine through an exam-type switch and back', () => {
  it("keeps a frame's result of each type: back on obstetric, its best head is offered again", () => {
    const cine = switchedCine();
    // breast shown: only lesions count
    expect(cine.reviewableCount('breast-lesion')).toBe(2);
    expect(cine.at(cine.bestIndex('breast-lesion'))!.seq).toBe(107);
    // back on obstetric: both heads, the best (103) though a lesion came for that frame after it
    expect(cine.reviewableCount('fetal-head')).toBe(2);
    cine.freeze('fetal-head');
    expect(cine.current()!.seq).toBe(103);
    expect(cine.current()!.results['fetal-head']!.result.task).toBe('fetal-head');
    expect(cine.current()!.results['breast-lesion']!.result.task).toBe('breast-lesion');
  });

  it('a reused slot carries no result of any type from the frame that left the ring', () => {
    const cine = new Cine(4);
    for (let s = 1; s <= 4; s++) cine.push(s, new ArrayBuffer(4));
    cine.attach(head(2, 0.9));
    cine.attach(lesion(2, 0.8));
    cine.push(5, new ArrayBuffer(4)); // frame 1 leaves
    expect([cine.reviewableCount('fetal-head'), cine.reviewableCount('breast-lesion')]).toEqual([1, 1]);
    cine.push(6, new ArrayBuffer(4)); // frame 2 leaves: its slot now holds frame 6
    expect([cine.reviewableCount('fetal-head'), cine.reviewableCount('breast-lesion')]).toEqual([0, 0]);
    expect(cine.bySeq(6)!.results).toEqual({ 'fetal-head': undefined, 'breast-lesion': undefined, enhance: undefined });
  });
});

/**
 * context.ts, loaded by a path tsc does not follow: its imports have no .js extensions (the page is built by
 * vite, checked by web-ui/tsconfig.json), which the Node typecheck of test/ rejects.
 */
const CONTEXT: string = '../../web-ui/src/live/context.ts';
let redraw: (c: object) => void;
beforeAll(async () => {
  // the page's string tables read the chosen language at load: no browser here
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  vi.stubGlobal('navigator', { language: 'en' });
  ({ redraw } = (await import(CONTEXT)) as { redraw: (c: object) => void });
});

describe('the frozen redraw after a switch and back', () => {
  it("draws the shown type's own result of the frame, whichever came last", () => {
    const canvas = { width: 64, height: 48, dataset: {} as Record<string, string> };
    const ctx = new Proxy({ canvas } as Record<string | symbol, unknown>, { get: (o, k) => (k in o ? o[k] : () => ({ width: 10 })), set: () => true });
    const cine = switchedCine();
    cine.freeze('fetal-head'); // frame 103: a head, then a lesion after the switch
    const drawn: LiveTaskResult['task'][] = [];
    const state = { mode: { kind: 'frozen' }, cine, examType: 'breast' as ExamType };
    const c = {
      els: { overlay: { checked: true }, opacity: { value: '100' }, state: { dataset: {} } },
      state,
      view: { canvas, ctx, handleRadius: 24, drawPixels: () => ({ kind: FrameKind.raw, seq: 103 }) },
      examType: () => ({ drawLive: (_ctx: unknown, res: LiveTaskResult) => drawn.push(res.task) }),
      calipers: { seq: -1 },
    };
    redraw(c);
    state.examType = 'obstetric';
    redraw(c);
    expect(drawn).toEqual(['breast-lesion', 'fetal-head']);
  });
});

describe('the frozen line when the frames kept have results but nothing to review', () => {
  it('says the model found nothing to measure (not that no result came), in English and French', () => {
    const cine = new Cine(30);
    for (let s = 100; s < 105; s++) cine.push(s, new ArrayBuffer(4));
    cine.attach(head(101, 0, false));
    cine.attach(head(103, 0, false));
    expect(cine.hasResultOf('fetal-head')).toBe(false);
    const onFrame = (hasResult: boolean): ReturnType<typeof frozenMessage> =>
      frozenMessage({ saved: false, hasResult, reviewable: false, cineHasReviewable: cine.hasResultOf('fetal-head'), cineHasResult: cine.hasAnyResultOf('fetal-head') });
    // on a frame without a result (104) and on one whose head was not found (103): the same, true line
    expect(onFrame(false)).toBe('nothingToReviewInCine');
    expect(onFrame(true)).toBe('nothingToReviewInCine');
    expect(liveEn.nothingToReviewInCine).toMatch(/found nothing to measure.*freeze again/);
    expect(liveFr.nothingToReviewInCine).toMatch(/rien .*à mesurer.*figez de nouveau/);
    // no result of the type at all keeps its own line
    expect(cine.hasAnyResultOf('breast-lesion')).toBe(false);
    expect(frozenMessage({ saved: false, hasResult: false, reviewable: false, cineHasReviewable: false, cineHasResult: false })).toBe('noResultInCine');
  });
});
