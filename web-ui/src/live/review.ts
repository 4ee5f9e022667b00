/**
 * Freeze and review: the cine (scrub, swipe, best frame), the AI proposal made editable by the exam
 * type's module, two-point calibration, and the pointer gestures between them. Every step sets
 * `state.mode`; nothing else says what the screen is doing.
 */
import { TASK_OF_EXAM } from '../../../src/protocol/index.js';
import { t } from '../i18n';
import { formatNumber } from './format';
import { calibrateTwoPoints, mmPerPx, replaceQuestion } from './calibration';
import { failureText } from './action-message';
import { type Mode, resting, reviewOf } from '../state';
import { type LiveContext, render } from './context';
import { wireCaliperPanel } from './calipers-panel';
import { wireGestures } from './gestures';
import { showResultCommon } from './results-panel';
import { frozenMessage } from './frozen-message';
import { isFrameSaved, isFrameSaving, savedFrameKey } from './saved-frames';

/**
 * Shows the frozen frame the cine points at, with a fresh proposal from its own result. A frame without a
 * result of its own is shown plain (no other frame's outline is moved onto it), with the panel blank.
 */
export function showFrozen(c: LiveContext, keep: (m: Mode) => Mode = (m) => m): void {
  const { els, state } = c;
  const f = state.cine.current();
  if (!f) return;
  const type = c.examType();
  const task = TASK_OF_EXAM[type.type];
  // only the shown exam type's result counts: another type's (kept for a switch back) has nothing to review
  const r = f.results[task];
  if (c.calipers.seq !== f.seq) c.calipers.clear(f.seq); // calipers belong to the frame they were made on
  const review = r ? type.review(f.buf, r, c.env) : undefined;
  if (r) {
    showResultCommon(els, r);
    type.showResult(r, c.env);
  } else type.clear(c.env);
  state.mode = keep(review ? { kind: 'reviewing', review } : { kind: 'frozen' });
  render(c, f.buf, r);
  c.caliperChanged();
  review?.show();
  const saved = isFrameSaved(state, f.buf);
  const elsewhere = saved && state.exam !== undefined && state.decidedElsewhereFrames.has(savedFrameKey(state.exam.id, f.buf));
  c.env.setState(elsewhere ? 'decidedElsewhereLine' : saved ? 'saved' : 'unverified');
  const line = frozenMessage({
    saved,
    hasResult: r !== undefined,
    reviewable: review !== undefined,
    cineHasReviewable: state.cine.hasResultOf(task),
    cineHasResult: r !== undefined || state.cine.hasAnyResultOf(task),
  });
  c.message(elsewhere ? t('decidedElsewhere') : line ? t(line) : '', 'info');
  els.scrub.value = String(state.cine.index);
  els.confirm.disabled = !review || saved || isFrameSaving(state, f.buf); // a save in flight: no second Confirm
  els.reset.disabled = !review;
  for (const el of type.reviewControls?.(els) ?? []) el.disabled = review === undefined;
}

export function setFrozen(c: LiveContext, on: boolean): void {
  const { els, state } = c;
  if (on) {
    state.cine.freeze(TASK_OF_EXAM[state.examType]);
    els.scrub.max = String(Math.max(0, state.cine.length - 1));
    showFrozen(c);
  } else {
    state.cine.unfreeze();
    state.mode = { kind: 'live' };
    c.zoom.reset(); // live frames are always seen whole
    c.calipers.clear();
    c.calipers.tool = undefined;
    c.caliperChanged();
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
  c.caliperTools(on);
}

function applyCalibration(c: LiveContext): void {
  const mode = c.state.mode;
  const mm = Number(c.els.calMm.value);
  if (mode.kind !== 'calibrating' || mode.points.length !== 2 || !(mm > 0)) return;
  const [[x1, y1], [x2, y2]] = mode.points as [[number, number], [number, number]];
  calibrateTwoPoints({ x1, y1, x2, y2, distanceMm: mm }, (declared) => window.confirm(replaceQuestion(declared))).then(
    (o) =>
      o.kind === 'kept'
        ? c.message(t('calKeptDeclared').replace('{mm}', mmPerPx(o.declared)), 'info')
        : c.message(o.status.pixelSpacing ? `${t('calibrated')}: ${formatNumber(o.status.pixelSpacing.x, 4)} mm/px` : t('calibrated'), 'ok'),
    (err: Error) => c.message(failureText(err), 'error'),
  );
  c.state.mode = resting(mode.review);
  c.els.calRow.hidden = true;
}

/** Wires the freeze, cine, review and calibration controls and the canvas gestures. */
export function wireReview(c: LiveContext): void {
  const { els, state } = c;
  wireGestures(c, showFrozen);
  wireCaliperPanel(c);
  els.freeze.addEventListener('click', () => setFrozen(c, !state.cine.frozen));
  els.best.addEventListener('click', () => {
    state.cine.index = state.cine.bestIndex(TASK_OF_EXAM[state.examType]);
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
