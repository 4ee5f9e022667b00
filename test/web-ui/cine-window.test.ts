/**
 * The window a clip takes from the cine (web-ui/src/live/cine.ts, issue 18): up to `max` frames centred on the
 * frame shown, clamped to the ring's ends, and only the unbroken run of frames of the shown frame's size.
 */
import { describe, expect, it } from 'vitest';
import { Cine } from '../../web-ui/src/live/cine.js';

/** A cine of `n` frames (seq 100…), the ring holding `capacity`; `size(seq)` names each frame's size. */
function cineOf(n: number, capacity: number, size: (seq: number) => string = () => 'a'): { cine: Cine; key: (f: { buf: ArrayBuffer }) => string } {
  const cine = new Cine(capacity);
  const sizes = new Map<ArrayBuffer, string>();
  for (let i = 0; i < n; i++) {
    const buf = new ArrayBuffer(4);
    sizes.set(buf, size(100 + i));
    cine.push(100 + i, buf);
  }
  cine.freeze('fetal-head');
  return { cine, key: (f) => sizes.get(f.buf)! };
}
const seqs = (frames: Array<{ seq: number }>): number[] => frames.map((f) => f.seq);

describe('Cine.clipAround', () => {
  it('takes max frames centred on the frame shown, oldest first', () => {
    const { cine, key } = cineOf(150, 150);
    const clip = cine.clipAround(75, 90, key);
    expect(clip).toHaveLength(90);
    // 44 frames before the shown one (seq 175), 45 after
    expect(clip[0]!.seq).toBe(131);
    expect(clip[89]!.seq).toBe(220);
    expect(seqs(clip).indexOf(175)).toBe(44);
  });

  it('slides the window to stay inside the ring near its ends', () => {
    const { cine, key } = cineOf(150, 150);
    expect(seqs(cine.clipAround(3, 10, key))).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(seqs(cine.clipAround(149, 4, key))).toEqual([246, 247, 248, 249]);
    // after the ring wrapped: index 0 is the oldest kept frame
    const wrapped = cineOf(200, 150);
    expect(seqs(wrapped.cine.clipAround(0, 3, wrapped.key))).toEqual([150, 151, 152]);
  });

  it('takes the whole cine when it holds fewer frames than max', () => {
    const { cine, key } = cineOf(12, 150);
    expect(cine.clipAround(5, 90, key)).toHaveLength(12);
  });

  it('stops where the frame size changes (one clip, one image size)', () => {
    const { cine, key } = cineOf(40, 150, (s) => (s < 110 || s >= 130 ? 'deep' : 'shallow'));
    expect(seqs(cine.clipAround(15, 90, key))).toEqual(Array.from({ length: 20 }, (_, i) => 110 + i));
    expect(cine.clipAround(99, 90, key)).toEqual([]);
  });
});
