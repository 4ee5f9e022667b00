/**
 * A breast caliper end held off its point (web-ui/src/exam-types/lesion-tools.ts gripCaliper/dragCaliperGrip,
 * used by breast.ts LesionReview): the finger's offset is kept, so a gloved touch beside an end moves nothing by
 * itself. Snapped to the finger (dragCaliper at the finger), a touch 15 px beside an end moved it 15 px, which
 * the review saved as the clinician's corrected diameter (it compares the calipers exactly).
 */
import { describe, expect, it } from 'vitest';
import { type Calipers, caliperEnd, dragCaliperGrip, gripCaliper, hitCaliper } from '../../web-ui/src/exam-types/lesion-tools.js';

const ai: Calipers = { long: { x1: 100.3, y1: 120.7, x2: 220.1, y2: 131.9 }, perp: { x1: 158.6, y1: 90.2, x2: 161.4, y2: 160.8 } };

describe('a caliper end held off its point', () => {
  it('grabbed 15 px off: exactly the AI calipers while the finger stays, then moved as far as the finger', () => {
    const [hx, hy] = caliperEnd(ai, 'long2');
    const [fx, fy] = [hx + 9, hy - 12]; // 15 px from the end, within the 24 px grab radius
    expect(hitCaliper(ai, fx, fy, 24)).toBe('long2');
    const g = gripCaliper(ai, 'long2', fx, fy);
    // a touch that jitters back to where it landed leaves the calipers as the AI drew them: not a correction
    expect(dragCaliperGrip(ai, g, fx, fy)).toEqual(ai);
    const moved = dragCaliperGrip(ai, g, fx + 18, fy + 10);
    expect(moved.long.x2).toBeCloseTo(hx + 18, 9);
    expect(moved.long.y2).toBeCloseTo(hy + 10, 9);
    expect([moved.long.x1, moved.long.y1]).toEqual([ai.long.x1, ai.long.y1]);
    expect(moved.perp).toEqual(ai.perp);
  });

  it('each end moves only itself, by the finger move', () => {
    for (const h of ['long1', 'long2', 'perp1', 'perp2'] as const) {
      const [hx, hy] = caliperEnd(ai, h);
      const g = gripCaliper(ai, h, hx - 6, hy + 8);
      const c = dragCaliperGrip(ai, g, hx - 6 - 5, hy + 8 + 7);
      const [nx, ny] = caliperEnd(c, h);
      expect(nx).toBeCloseTo(hx - 5, 9);
      expect(ny).toBeCloseTo(hy + 7, 9);
      for (const other of ['long1', 'long2', 'perp1', 'perp2'] as const) if (other !== h) expect(caliperEnd(c, other)).toEqual(caliperEnd(ai, other));
    }
  });
});
