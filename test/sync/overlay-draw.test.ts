import { describe, expect, it } from 'vitest';
import { decidedOrigin, drawEllipse, drawLine, drawOutline } from '../../src/sync/overlay-draw.js';

const W = 40;
const H = 30;
const rowsSetAt = (px: Uint8Array, x: number): number[] => Array.from({ length: H }, (_, y) => y).filter((y) => px[y * W + x] === 255);
const colsSetAt = (px: Uint8Array, y: number): number[] => Array.from({ length: W }, (_, x) => x).filter((x) => px[y * W + x] === 255);

describe('the overlay marks, each shape in its author’s coordinates', () => {
  it('a horizontal line in pixel-centre coordinates marks its own row and the one below (two pixels thick)', () => {
    const px = new Uint8Array(W * H);
    drawLine(px, W, H, { x1: 5, y1: 10, x2: 30, y2: 10 }, 'pixel-centre');
    expect(rowsSetAt(px, 20)).toEqual([10, 11]);
  });

  it('a clinician’s line at y 10.7 (pixel corners) lies in row 10: marked there, not half a pixel lower', () => {
    const px = new Uint8Array(W * H);
    drawLine(px, W, H, { x1: 5, y1: 10.7, x2: 30, y2: 10.7 }, 'pixel-corner');
    expect(rowsSetAt(px, 20)).toEqual([10, 11]);
    const asCentre = new Uint8Array(W * H);
    drawLine(asCentre, W, H, { x1: 5, y1: 10.7, x2: 30, y2: 10.7 }, 'pixel-centre');
    expect(rowsSetAt(asCentre, 20)).toEqual([11, 12]); // what the series drew before session 10
  });

  it('a clinician’s vertical outline edge at x 20.6 lies in column 20', () => {
    const px = new Uint8Array(W * H);
    drawOutline(px, W, H, [20.6, 5, 30.6, 5, 30.6, 25, 20.6, 25], 'pixel-corner');
    expect(colsSetAt(px, 15)).toEqual([20, 21, 30, 31]);
  });

  it('an ellipse: the AI’s centre-coordinates marks sit where the same ellipse in corner coordinates +0.5 sits', () => {
    const e = { cx: 20, cy: 15, semiMajor: 10, semiMinor: 6, angleDeg: 30 };
    const centre = new Uint8Array(W * H);
    drawEllipse(centre, W, H, e, 'pixel-centre');
    const corner = new Uint8Array(W * H);
    drawEllipse(corner, W, H, { ...e, cx: e.cx + 0.5, cy: e.cy + 0.5 }, 'pixel-corner');
    expect(corner).toEqual(centre);
    expect(centre.filter((v) => v === 255).length).toBeGreaterThan(40);
  });

  it('never writes outside the frame, and draws nothing for geometry that is not finite', () => {
    const px = new Uint8Array(W * H);
    drawLine(px, W, H, { x1: -10, y1: 29.9, x2: 60, y2: 29.9 }, 'pixel-corner');
    expect(px.length).toBe(W * H);
    expect(colsSetAt(px, 29).length).toBe(W);
    const none = new Uint8Array(W * H);
    drawEllipse(none, W, H, { cx: Number.NaN, cy: 1, semiMajor: 1, semiMinor: 1, angleDeg: 0 }, 'pixel-centre');
    drawLine(none, W, H, { x1: 0, y1: 0, x2: Number.POSITIVE_INFINITY, y2: 0 }, 'pixel-centre');
    expect(none.some((v) => v !== 0)).toBe(false);
  });

  it('a corrected measurement’s final shape is the page’s (corners); a confirmed one’s final is the AI’s copy (centres)', () => {
    expect(decidedOrigin('corrected', true)).toBe('pixel-corner');
    expect(decidedOrigin('confirmed', true)).toBe('pixel-centre');
    expect(decidedOrigin('corrected', false)).toBe('pixel-centre'); // a typed correction: the AI's shape is drawn
    expect(decidedOrigin(undefined, false)).toBe('pixel-centre');
  });
});
