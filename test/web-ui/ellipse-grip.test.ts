/**
 * A head ellipse handle held off its point (web-ui/src/exam-types/ellipse-tools.ts gripHandle/dragGrip, used by
 * obstetric.ts EllipseReview): the finger's offset is kept, so a gloved touch beside a handle moves nothing by
 * itself. Snapped to the finger, a touch 15 px right of the centre moved the head 15 px, which the record keeps
 * as a correction of its place (ellipseMoved).
 */
import { describe, expect, it } from 'vitest';
import { dragGrip, ellipseMoved, gripHandle, handles } from '../../web-ui/src/exam-types/ellipse-tools.js';

const ai = { cx: 160.5, cy: 120.5, semiMajor: 80, semiMinor: 60, angleDeg: 30 };

describe('a handle held off its point', () => {
  it('the centre grabbed 15 px off: still in the AI place while the finger stays, then moved as far as the finger', () => {
    const g = gripHandle(ai, ai.cx + 15, ai.cy, 24)!;
    expect(g.id).toBe('center');
    const still = dragGrip(ai, g, ai.cx + 15, ai.cy); // a touch that jitters back to where it landed
    expect(ellipseMoved(ai, still)).toBe(false);
    const moved = dragGrip(ai, g, ai.cx + 15 + 18, ai.cy + 10);
    expect(moved.cx).toBeCloseTo(ai.cx + 18, 9);
    expect(moved.cy).toBeCloseTo(ai.cy + 10, 9);
  });

  it('an axis end grabbed beside its point: same size and angle until the finger moves, then follows it', () => {
    const [hx, hy] = handles(ai)['major+'];
    const g = gripHandle(ai, hx + 6, hy - 8, 24)!;
    expect(g.id).toBe('major+');
    const still = dragGrip(ai, g, hx + 6, hy - 8);
    expect(still.semiMajor).toBeCloseTo(ai.semiMajor, 9);
    expect(still.angleDeg).toBeCloseTo(ai.angleDeg, 9);
    const a = (ai.angleDeg * Math.PI) / 180;
    const longer = dragGrip(ai, g, hx + 6 + 20 * Math.cos(a), hy - 8 + 20 * Math.sin(a)); // 20 px outward along the axis
    expect(longer.semiMajor).toBeCloseTo(ai.semiMajor + 20, 9);
    expect(longer.angleDeg).toBeCloseTo(ai.angleDeg, 9);
  });

  it('nothing within reach: no grip', () => {
    expect(gripHandle(ai, ai.cx + 40, ai.cy + 40, 24)).toBeUndefined();
  });
});
