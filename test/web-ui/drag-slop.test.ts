/**
 * A fingertip that lands on a handle and lifts jitters by a pixel or two (web-ui/src/live/gestures.ts
 * DRAG_SLOP_PX). Followed, that jitter moved the head ellipse past ellipseMoved's 0.5 frame px, and the review
 * saved HC, BPD and OFD as corrected ("outline moved") though the clinician only touched the head. Past the slop
 * the handle follows the whole move since the touch, as before.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type EllipseGeom, dragGrip, ellipseMoved, gripHandle, type Grip } from '../../web-ui/src/exam-types/ellipse-tools.js';

type Listener = (ev: unknown) => void;
type Wire = (c: object, showFrozen: () => void) => void;

/**
 * gestures.ts, loaded by a path tsc does not follow: its imports have no .js extensions (the page is built by
 * vite, checked by web-ui/tsconfig.json), which the Node typecheck of test/ rejects.
 */
const GESTURES: string = '../../web-ui/src/live/gestures.ts';
let wireGestures: Wire;
let slopPx: number;
beforeAll(async () => {
  // the page's string tables read the chosen language at load: no browser here
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  vi.stubGlobal('navigator', { language: 'en' });
  ({ wireGestures, DRAG_SLOP_PX: slopPx } = (await import(GESTURES)) as { wireGestures: Wire; DRAG_SLOP_PX: number });
});

const ai: EllipseGeom = { cx: 160.5, cy: 120.5, semiMajor: 80, semiMinor: 60, angleDeg: 30 };

/** A frozen page reviewing `ai` with the ellipse tools (client px = frame px here), and its finger events. */
function reviewingPage(): { edit: () => EllipseGeom; fire: (type: string, x: number, y: number) => void } {
  const listeners = new Map<string, Listener>();
  const canvas = { width: 320, height: 240, dataset: {}, addEventListener: (t: string, f: Listener) => listeners.set(t, f), setPointerCapture: () => undefined };
  let edit = { ...ai };
  let grip: Grip | undefined;
  const review = {
    buf: new ArrayBuffer(4),
    grab: (x: number, y: number, reach: number) => (grip = gripHandle(edit, x, y, reach)) !== undefined,
    drag: (x: number, y: number) => {
      if (grip) edit = dragGrip(edit, grip, x, y);
    },
    release: () => (grip = undefined),
  };
  const c = {
    state: { mode: { kind: 'reviewing', review }, cine: { current: () => undefined } },
    view: { canvas, reach: 24, toFrame: (ev: { clientX: number; clientY: number }) => [ev.clientX, ev.clientY], drawPixels: () => undefined },
    calipers: { tool: undefined },
    zoom: { zoomed: false },
  };
  wireGestures(c, () => undefined);
  const fire = (type: string, x: number, y: number): void => listeners.get(type)!({ type, pointerId: 1, clientX: x, clientY: y });
  return { edit: () => edit, fire };
}

describe('a finger on a handle', () => {
  it('that lands on the centre and lifts with a jitter of 1-3 px leaves the head in the AI place', () => {
    const p = reviewingPage();
    p.fire('pointerdown', ai.cx + 5, ai.cy);
    p.fire('pointermove', ai.cx + 6, ai.cy + 1);
    p.fire('pointermove', ai.cx + 7, ai.cy - 1.5);
    p.fire('pointermove', ai.cx + 4, ai.cy + 2);
    p.fire('pointerup', ai.cx + 4, ai.cy + 2);
    expect(p.edit()).toEqual(ai);
    expect(ellipseMoved(ai, p.edit())).toBe(false);
  });

  it('that moves past the slop moves the head by the whole move since the touch', () => {
    const p = reviewingPage();
    p.fire('pointerdown', ai.cx + 5, ai.cy);
    p.fire('pointermove', ai.cx + 7, ai.cy + 1); // within the slop: nothing yet
    expect(p.edit()).toEqual(ai);
    p.fire('pointermove', ai.cx + 5 + slopPx + 6, ai.cy + 10);
    p.fire('pointerup', ai.cx + 5 + slopPx + 6, ai.cy + 10);
    expect(p.edit().cx).toBeCloseTo(ai.cx + slopPx + 6, 9);
    expect(p.edit().cy).toBeCloseTo(ai.cy + 10, 9);
    // back within the slop of the touch once the drag has begun: followed (the drag is the clinician's now)
    p.fire('pointerdown', p.edit().cx, p.edit().cy);
    p.fire('pointermove', p.edit().cx + 20, p.edit().cy);
    p.fire('pointermove', ai.cx + slopPx + 6 + 1, ai.cy + 10);
    p.fire('pointerup', ai.cx + slopPx + 6 + 1, ai.cy + 10);
    expect(p.edit().cx).toBeCloseTo(ai.cx + slopPx + 6 + 1, 9);
  });
});
