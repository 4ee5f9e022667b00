/**
 * When a head ellipse under review counts as moved (web-ui/src/exam-types/ellipse-tools.ts ellipseMoved): a
 * clinician who drags it to where the head is, at the same size, has corrected its place, and the record must
 * say so (obstetric.ts EllipseReview.decide). Below 0.5 frame px or 1 degree it is still the AI's place.
 */
import { describe, expect, it } from 'vitest';
import { ellipseMoved } from '../../web-ui/src/exam-types/ellipse-tools.js';

const ai = { cx: 160.5, cy: 120.5, semiMajor: 80, semiMinor: 60, angleDeg: 30 };

describe('ellipseMoved', () => {
  it('a moved centre or a turn beyond the tolerance is a move; size alone is not', () => {
    expect(ellipseMoved(ai, { ...ai, cx: ai.cx + 12 })).toBe(true);
    expect(ellipseMoved(ai, { ...ai, cx: ai.cx + 0.4, cy: ai.cy + 0.4 })).toBe(true); // 0.57 px
    expect(ellipseMoved(ai, { ...ai, angleDeg: 31.5 })).toBe(true);
    expect(ellipseMoved(ai, { ...ai, semiMajor: 95, semiMinor: 50 })).toBe(false);
  });

  it('within 0.5 px and 1 degree, or turned by half a turn (the same ellipse), it is the AI place', () => {
    expect(ellipseMoved(ai, { ...ai })).toBe(false);
    expect(ellipseMoved(ai, { ...ai, cx: ai.cx + 0.3, cy: ai.cy - 0.3, angleDeg: 30.8 })).toBe(false);
    expect(ellipseMoved(ai, { ...ai, angleDeg: 30 - 180 })).toBe(false);
    expect(ellipseMoved(ai, { ...ai, angleDeg: 209.5 })).toBe(false);
    expect(ellipseMoved({ ...ai, angleDeg: 0.5 }, { ...ai, angleDeg: 179.8 })).toBe(false);
  });
});
