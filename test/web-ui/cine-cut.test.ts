/**
 * Cine.cut (web-ui/src/live/cine.ts), called when another exam opens (web-ui/src/patient-form): the frames kept
 * so far may show the patient before, so none of them is offered again (freeze, best frame, scrub, clip), the
 * cine goes live, and a source restarting right after still starts a new numbering (Cine.since).
 */
import { describe, expect, it } from 'vitest';
import { Cine } from '../../web-ui/src/live/cine.js';
import type { ResultMessage } from '../../src/protocol/index.js';

const head = (seq: number, timestampMs: number): ResultMessage =>
  ({ type: 'result', seq, frameTimestampMs: timestampMs, result: { task: 'fetal-head', detected: true, quality: { score: 0.9 }, flags: [] } }) as unknown as ResultMessage;

describe('Cine.cut', () => {
  it('drops every kept frame and goes live: only frames pushed after it are offered', () => {
    const cine = new Cine(150);
    for (let s = 0; s < 40; s++) {
      cine.push(s, new ArrayBuffer(8), 1000 + s * 66);
      cine.attach(head(s, 1000 + s * 66));
    }
    cine.freeze('fetal-head');
    expect(cine.current()?.seq).toBeDefined();
    cine.cut();
    expect(cine.frozen).toBe(false);
    expect(cine.length).toBe(0);
    expect(cine.reviewableCount('fetal-head')).toBe(0);
    // a late result of a frame before the cut finds nothing to attach to
    cine.attach(head(39, 1000 + 39 * 66));
    for (let s = 40; s < 43; s++) cine.push(s, new ArrayBuffer(8), 1000 + s * 66);
    cine.attach(head(41, 1000 + 41 * 66));
    cine.freeze('fetal-head');
    expect(cine.length).toBe(3);
    expect(cine.current()?.seq).toBe(41);
    expect(cine.clipAround(0, 90, () => 'a').map((f) => f.seq)).toEqual([40, 41, 42]);
  });

  it('a source restarting right after the cut still starts a numbering', () => {
    const cine = new Cine(10);
    for (let s = 100; s < 105; s++) cine.push(s, new ArrayBuffer(8), 5000 + s);
    cine.cut();
    cine.push(0, new ArrayBuffer(8), 9000);
    expect(cine.since).toBe(9000);
  });
});
