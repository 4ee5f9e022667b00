/**
 * The frame Freeze and Best frame offer (web-ui/src/live/cine.ts): only results of the shown exam type's task
 * count. A result kept from before an exam-type switch was offered as the best frame, which then had nothing
 * the new type could review. (The cine keeps each task's results for a switch back: cine-switch-back.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { LiveTaskResult, ResultMessage } from '../../src/protocol/index.js';
import { Cine } from '../../web-ui/src/live/cine.js';

/** A result message on frame `seq`, with only the fields the cine reads filled in. */
function resultOn(seq: number, result: Partial<LiveTaskResult> & { task: LiveTaskResult['task'] }): ResultMessage {
  return {
    type: 'result',
    seq,
    sourceId: 's',
    frameTimestampMs: seq,
    modelId: result.task,
    modelVersion: '1',
    provider: 'cpu',
    timings: {} as ResultMessage['timings'],
    result: { flags: [], ...result } as LiveTaskResult,
  };
}
const head = (seq: number, score: number): ResultMessage => resultOn(seq, { task: 'fetal-head', detected: true, quality: { score } } as Partial<LiveTaskResult> & { task: 'fetal-head' });
const lesion = (seq: number, maskConfidence: number): ResultMessage =>
  resultOn(seq, { task: 'breast-lesion', lesion: {}, maskConfidence } as unknown as Partial<LiveTaskResult> & { task: 'breast-lesion' });

/** Frames 100…109: heads on 101 (0.95) and 102 (0.9) from before a switch, lesions on 106 (0.6) and 108 (0.7). */
function mixedCine(): Cine {
  const cine = new Cine(30);
  for (let s = 100; s < 110; s++) cine.push(s, new ArrayBuffer(4));
  for (const r of [head(101, 0.95), head(102, 0.9), lesion(106, 0.6), lesion(108, 0.7)]) cine.attach(r);
  return cine;
}

describe('Cine best frame by exam type', () => {
  it('offers the best result of the task asked for, never a better one of another task', () => {
    const cine = mixedCine();
    expect(cine.at(cine.bestIndex('breast-lesion'))!.seq).toBe(108);
    expect(cine.at(cine.bestIndex('fetal-head'))!.seq).toBe(101);
    cine.freeze('breast-lesion');
    expect(cine.current()!.seq).toBe(108);
  });

  it('with no result of the task, offers the newest frame and says none is kept', () => {
    const cine = new Cine(30);
    for (let s = 100; s < 105; s++) cine.push(s, new ArrayBuffer(4));
    cine.attach(head(102, 0.95));
    cine.freeze('breast-lesion');
    expect(cine.current()!.seq).toBe(104);
    expect(cine.hasResultOf('breast-lesion')).toBe(false);
    expect(cine.hasResultOf('fetal-head')).toBe(true);
  });
});
