/**
 * The finger (or mouse) on the frozen frame, one place for every gesture: one finger drags a handle of the
 * proposal, puts a caliper point (a caliper tool chosen), taps a calibration point, pans a zoomed frame or
 * swipes through the cine; a second finger turns whatever the first began into a pinch that zooms and pans.
 * Every step sets `state.mode`.
 */
import { decodeFrameHeader } from '../../../src/protocol/index.js';
import { holdTouches } from '../dom/hold-touches';
import { type Mode, resting, reviewOf } from '../state';
import { type LiveContext, redraw } from './context';

type XY = [number, number];
/** the fingers down on the frame, client pixels */
const fingers = new Map<number, XY>();
const two = (): [XY, XY] => [...fingers.values()].slice(0, 2) as [XY, XY];

/**
 * How far (client px) a finger on a handle must move before the handle follows it. A fingertip that lands and
 * lifts jitters by a pixel or two; followed, that moved the head ellipse past ellipseMoved's 0.5 frame px (or
 * changed an axis or a caliper), and the review saved a correction the clinician never made. Past the slop the
 * handle follows the whole move since the touch (the grip keeps the offset), so nothing is lost but the jitter.
 */
export const DRAG_SLOP_PX = 4;
/** where the finger that grabbed a handle went down, until it has moved past the slop */
let slop: XY | undefined;

function down(c: LiveContext, ev: PointerEvent): void {
  const { state, view } = c;
  const mode = state.mode;
  if (mode.kind === 'live') return;
  fingers.set(ev.pointerId, [ev.clientX, ev.clientY]);
  try {
    view.canvas.setPointerCapture(ev.pointerId);
  } catch {
    /* synthetic or already-ended pointers cannot be captured; the gesture still works */
  }
  const review = reviewOf(mode);
  if (fingers.size === 2) {
    if (mode.kind === 'dragging') mode.review.release();
    const after = mode.kind === 'calibrating' ? mode : resting(review);
    state.mode = { kind: 'pinching', after, review };
    c.zoom.begin(...two());
    return;
  }
  if (fingers.size > 2) return;
  const [x, y] = view.toFrame(ev);
  if (mode.kind === 'calibrating') {
    if (mode.points.length < 2) mode.points.push([x, y]);
    view.ctx.fillStyle = '#f472b6';
    for (const [px, py] of mode.points) {
      view.ctx.beginPath();
      view.ctx.arc(px, py, 6, 0, 2 * Math.PI);
      view.ctx.fill();
    }
    if (mode.points.length === 2) c.els.calRow.hidden = false;
    return;
  }
  if (c.calipers.tool) state.mode = { kind: 'tapping', review };
  else if (review?.grab(x, y, view.reach)) {
    state.mode = { kind: 'dragging', review };
    slop = [ev.clientX, ev.clientY];
  } else if (c.zoom.zoomed) {
    state.mode = { kind: 'panning', review };
    c.zoom.begin([ev.clientX, ev.clientY]);
  } else state.mode = { kind: 'swiping', fromX: ev.clientX, review };
}

/** Shows the cine frame the index points at (review.ts's showFrozen, passed in: review wires the gestures). */
type ShowFrozen = (c: LiveContext, keep: (m: Mode) => Mode) => void;

function move(c: LiveContext, ev: PointerEvent, showFrozen: ShowFrozen): void {
  if (!fingers.has(ev.pointerId)) return;
  fingers.set(ev.pointerId, [ev.clientX, ev.clientY]);
  const { state, view } = c;
  const mode = state.mode;
  if (mode.kind === 'pinching' && fingers.size >= 2) c.zoom.move(...two());
  else if (mode.kind === 'panning') c.zoom.move([ev.clientX, ev.clientY]);
  else if (mode.kind === 'swiping') {
    // swipe through the cine: one frame per 12 px
    const steps = Math.trunc((ev.clientX - mode.fromX) / 12);
    if (steps === 0) return;
    state.cine.index = Math.max(0, Math.min(state.cine.length - 1, state.cine.index + steps));
    showFrozen(c, (m) => ({ kind: 'swiping', fromX: ev.clientX, review: reviewOf(m) }));
  } else if (mode.kind === 'dragging') {
    if (slop && Math.hypot(ev.clientX - slop[0], ev.clientY - slop[1]) < DRAG_SLOP_PX) return; // jitter, not a drag
    slop = undefined;
    const [x, y] = view.toFrame(ev);
    mode.review.drag(x, y, view.canvas.width);
    redraw(c);
  }
}

function end(c: LiveContext, ev: PointerEvent): void {
  if (!fingers.delete(ev.pointerId)) return;
  const { state } = c;
  const mode = state.mode;
  if (mode.kind === 'pinching') {
    if (fingers.size > 0) return; // the pinch ends when the last finger lifts
    c.zoom.end();
    state.mode = mode.after;
  } else if (mode.kind === 'panning') {
    c.zoom.end();
    state.mode = resting(mode.review);
  } else if (mode.kind === 'dragging') {
    mode.review.release();
    state.mode = resting(mode.review);
  } else if (mode.kind === 'swiping') state.mode = resting(mode.review);
  else if (mode.kind === 'tapping') {
    state.mode = resting(mode.review);
    const f = state.cine.current();
    if (!f || ev.type === 'pointercancel') return;
    if (c.calipers.tap(c.view.toFrame(ev), f.seq, decodeFrameHeader(f.buf).pixelSpacing)) c.message('', 'info'); // a distance completed
    c.caliperChanged();
  }
}

/** Wires the frame's pointer events (touch, pen and mouse alike). */
export function wireGestures(c: LiveContext, showFrozen: ShowFrozen): void {
  const canvas = c.view.canvas;
  holdTouches(canvas);
  canvas.addEventListener('pointerdown', (ev) => down(c, ev));
  canvas.addEventListener('pointermove', (ev) => move(c, ev, showFrozen));
  canvas.addEventListener('pointerup', (ev) => end(c, ev));
  canvas.addEventListener('pointercancel', (ev) => end(c, ev));
}
