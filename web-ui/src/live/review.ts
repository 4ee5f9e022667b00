/**
 * Freeze and review: the cine (scrub, swipe, best frame), the AI proposal made editable by the exam
 * type's module, two-point calibration, and the pointer gestures between them. Every step sets
 * `state.mode`; nothing else says what the screen is doing.
 */
import { api } from '../api';
import { t } from '../i18n';
import { formatNumber } from './format';
import { failureText } from './action-message';
import { type Mode, reviewOf } from '../state';
import { type LiveContext, render } from './context';
import { showResultCommon } from './results-panel';

/**
 * Shows the frozen frame the cine points at, with a fresh proposal from its own result. A frame without a
 * result of its own is shown plain (no other frame's outline is moved onto it), with the panel blank.
 */
export function showFrozen(c: LiveContext, keep: (m: Mode) => Mode = (m) => m): void {
  const { els, state } = c;
  const f = state.cine.current();
  if (!f) return;
  const r = f.result;
  const type = c.examType();
  const review = r ? type.review(f.buf, r, c.env) : undefined;
  if (r) {
    showResultCommon(els, r);
    type.showResult(r, c.env);
  } else type.clear(c.env);
  state.mode = keep(review ? { kind: 'reviewing', review } : { kind: 'frozen' });
  render(c, f.buf, r);
  review?.show();
  const saved = state.exam !== undefined && state.savedFrames.has(`${state.exam.id}:${f.seq}`);
  c.env.setState(saved ? 'saved' : 'unverified');
  c.message(saved ? t('alreadySaved') : r ? '' : t('noResultOnFrame'), 'info');
  els.scrub.value = String(state.cine.index);
  els.confirm.disabled = !review || saved;
  els.reset.disabled = !review;
  for (const el of type.reviewControls?.(els) ?? []) el.disabled = review === undefined;
}

export function setFrozen(c: LiveContext, on: boolean): void {
  const { els, state } = c;
  if (on) {
    state.cine.freeze();
    els.scrub.max = String(Math.max(0, state.cine.length - 1));
    showFrozen(c);
  } else {
    state.cine.unfreeze();
    state.mode = { kind: 'live' };
    for (const el of c.examType().reviewControls?.(els) ?? []) el.disabled = true;
    c.env.setState('unverified');
    els.confirm.disabled = true;
    els.reset.disabled = true;
    els.calRow.hidden = true;
  }
  els.frozenBadge.hidden = !on;
  els.scrub.disabled = !on;
  els.best.disabled = !on;
  els.freeze.dataset.i18n = on ? 'unfreeze' : 'freeze';
  els.freeze.textContent = t(on ? 'unfreeze' : 'freeze');
  els.calibrate.disabled = !on;
}

/** Redraws the proposal under review on its own frame (the one it was computed on). */
function redrawFrozen(c: LiveContext): void {
  const review = reviewOf(c.state.mode);
  if (review) render(c, review.buf, undefined);
}

function onPointerDown(c: LiveContext, ev: PointerEvent): void {
  const { state, view } = c;
  const mode = state.mode;
  if (mode.kind === 'live') return;
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
  const review = reviewOf(mode);
  if (review?.grab(x, y, view.reach)) {
    state.mode = { kind: 'dragging', review };
    try {
      view.canvas.setPointerCapture(ev.pointerId);
    } catch {
      /* synthetic or already-ended pointers cannot be captured; dragging still works */
    }
  } else state.mode = { kind: 'swiping', fromX: ev.clientX, review };
}

function onPointerMove(c: LiveContext, ev: PointerEvent): void {
  const { state, view } = c;
  const mode = state.mode;
  if (mode.kind === 'swiping') {
    // swipe through the cine: one frame per 12 px
    const steps = Math.trunc((ev.clientX - mode.fromX) / 12);
    if (steps === 0) return;
    state.cine.index = Math.max(0, Math.min(state.cine.length - 1, state.cine.index + steps));
    showFrozen(c, (m) => ({ kind: 'swiping', fromX: ev.clientX, review: reviewOf(m) }));
  } else if (mode.kind === 'dragging') {
    const [x, y] = view.toFrame(ev);
    mode.review.drag(x, y, view.canvas.width);
    redrawFrozen(c);
  }
}

function onPointerEnd(c: LiveContext): void {
  const mode = c.state.mode;
  if (mode.kind === 'dragging') {
    mode.review.release();
    c.state.mode = { kind: 'reviewing', review: mode.review };
  } else if (mode.kind === 'swiping') c.state.mode = mode.review ? { kind: 'reviewing', review: mode.review } : { kind: 'frozen' };
}

function applyCalibration(c: LiveContext): void {
  const mode = c.state.mode;
  const mm = Number(c.els.calMm.value);
  if (mode.kind !== 'calibrating' || mode.points.length !== 2 || !(mm > 0)) return;
  const [[x1, y1], [x2, y2]] = mode.points as [[number, number], [number, number]];
  api.calibrate({ x1, y1, x2, y2, distanceMm: mm }).then(
    (j) => c.message(j.pixelSpacing ? `${t('calibrated')}: ${formatNumber(j.pixelSpacing.x, 4)} mm/px` : t('calibrated'), 'ok'),
    (err: Error) => c.message(failureText(err), 'error'),
  );
  c.state.mode = mode.review ? { kind: 'reviewing', review: mode.review } : { kind: 'frozen' };
  c.els.calRow.hidden = true;
}

/** Wires the freeze, cine, review and calibration controls and the canvas gestures. */
export function wireReview(c: LiveContext): void {
  const { els, state } = c;
  const canvas = c.view.canvas;
  canvas.addEventListener('pointerdown', (ev) => onPointerDown(c, ev));
  canvas.addEventListener('pointermove', (ev) => onPointerMove(c, ev));
  canvas.addEventListener('pointerup', () => onPointerEnd(c));
  canvas.addEventListener('pointercancel', () => onPointerEnd(c));
  els.freeze.addEventListener('click', () => setFrozen(c, !state.cine.frozen));
  els.best.addEventListener('click', () => {
    state.cine.index = state.cine.bestIndex();
    showFrozen(c);
  });
  els.scrub.addEventListener('input', () => {
    state.cine.index = Number(els.scrub.value);
    showFrozen(c);
  });
  els.reset.addEventListener('click', () => reviewOf(state.mode) && showFrozen(c)); // a fresh proposal: the AI's
  els.calibrate.addEventListener('click', () => {
    if (state.mode.kind === 'live') return;
    state.mode = { kind: 'calibrating', points: [], review: reviewOf(state.mode) };
    els.calRow.hidden = true;
    c.message(t('calTap'));
  });
  els.calApply.addEventListener('click', () => applyCalibration(c));
}
