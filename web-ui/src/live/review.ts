/**
 * Freeze and review: the cine (scrub, swipe, best frame), the AI proposal made editable by the exam
 * type's module, two-point calibration, and the pointer gestures between them. Every step sets
 * `state.mode`; nothing else says what the screen is doing.
 */
import { TASK_OF_EXAM, decodeFrameHeader } from '../../../src/protocol/index.js';
import { t } from '../i18n';
import { formatNumber } from './format';
import { calibrateTwoPoints, mmPerPx, replaceQuestion } from './calibration';
import { failureText } from './action-message';
import { type Mode, resting, reviewOf } from '../state';
import type { LiveContext } from './context';
import { wireCaliperPanel } from './calipers-panel';
import { wireGestures } from './gestures';
import { clearResultCommon, setStateLine, showResultCommon } from './results-panel';
import type { StateLabel } from './canvas-labels';
import { contentOf, controlValues, frameKey, keptOf, leaveFrame, loadCalipers, reviewKey } from './kept-frames';
import { frozenMessage } from './frozen-message';
import { wireCalibrateRole } from './calibrate-role';
import { isFrameSaved, isFrameSaving, savedFrameKey } from './saved-frames';
import { confirmScale, scaleLine } from './frame-scale';

/** How showFrozen shows the frame: `fresh` drops what was kept of its proposal (Reset: the AI's again); `left`: the frame left had unsaved edits. */
export interface ShowOptions {
  fresh?: boolean;
  left?: boolean;
}

/**
 * Shows the frozen frame the cine points at. The proposal is what was left on it (kept-frames.ts: an edit not
 * saved, or the values its Confirm stored), else a fresh one from its own result; the same frame again (a swipe
 * that ends where it began) rebuilds nothing. A frame without a result of its own is shown plain (no other
 * frame's outline is moved onto it), with the panel blank and its line saying there is no AI result.
 */
export function showFrozen(c: LiveContext, keep: (m: Mode) => Mode = (m) => m, opts: ShowOptions = {}): void {
  const { els, state } = c;
  const f = state.cine.current();
  if (!f) return;
  const type = c.examType();
  const task = TASK_OF_EXAM[type.type];
  const kept = keptOf(c);
  const key = reviewKey(type.type, f);
  els.scrub.value = String(state.cine.index);
  if (!opts.fresh && kept.shown?.review === key) {
    state.mode = keep(state.mode); // the frame shown already: what is on it stays as it is
    return;
  }
  const left = (leaveFrame(c, reviewOf(state.mode)) && !opts.fresh) || opts.left === true;
  if (opts.fresh) kept.reviews.delete(key);
  kept.shown = { review: key, frame: frameKey(f), seq: f.seq, type: type.type };
  // only the shown exam type's result counts: another type's (kept for a switch back) has nothing to review
  const r = f.results[task];
  if (r) {
    showResultCommon(els, r);
    type.showResult(r, c.env);
  } else {
    clearResultCommon(els);
    type.clear(c.env);
  }
  const ai = r ? type.review(f.buf, r, c.env) : undefined;
  const aiContent = contentOf(ai, controlValues(c));
  const held = kept.reviews.get(key);
  if (held) (type.reviewControls?.(els) ?? []).forEach((el, i) => (el.value = held.controls[i] ?? el.value));
  const review = held?.review ?? ai;
  state.mode = keep(review ? { kind: 'reviewing', review } : { kind: 'frozen' });
  const saved = isFrameSaved(state, f.buf);
  const stored = kept.confirmed.get(key);
  const confirmed = saved && stored?.examId === state.exam?.id ? stored : undefined;
  loadCalipers(c, f, confirmed); // calipers belong to the frame they were made on: its own come back
  const elsewhere = saved && state.exam !== undefined && state.decidedElsewhereFrames.has(savedFrameKey(state.exam.id, f.buf));
  const content = contentOf(review, controlValues(c));
  const line = lineOf({ review: review !== undefined, result: r !== undefined, saved, elsewhere, edited: saved ? confirmed !== undefined && confirmed.content !== content : content !== aiContent });
  // a save of this frame in flight carries what its Confirm noted: shown again unchanged, that is no edit made
  // during the save (env.setState would mark it one, and the save's end would call the stored values newer)
  const saving = isFrameSaving(state, f.buf);
  const noted = saving && stored !== undefined && stored.examId === state.exam?.id && stored.content === content;
  if (noted) setStateLine(els, line);
  else c.env.setState(line);
  c.caliperChanged(); // redraws the frame with its proposal, result and calipers
  review?.show();
  const message = frozenMessage({
    saved,
    hasResult: r !== undefined,
    reviewable: review !== undefined,
    cineHasReviewable: state.cine.hasResultOf(task),
    cineHasResult: r !== undefined || state.cine.hasAnyResultOf(task),
  });
  const text = elsewhere ? t('decidedElsewhere') : message ? t(message) : '';
  const said = left ? (text ? `${t('editsKept')}. ${text}` : t('editsKept')) : text;
  // captured at another scale than the one in force now (a recalibration since): said on the frame (frame-scale.ts)
  const scale = scaleLine(c, decodeFrameHeader(f.buf));
  c.message(scale ? (said ? `${said}. ${scale}` : scale) : said, scale ? 'error' : 'info');
  const newerCalipers = c.calipers.done.length > c.calipers.savedCount;
  // a save in flight: no second Confirm; saved: Confirm again only for what is newer than what it stored
  els.confirm.disabled = !review || saving || (saved && line !== 'edited' && !newerCalipers);
  els.reset.disabled = !review;
  for (const el of type.reviewControls?.(els) ?? []) el.disabled = review === undefined;
}

/** The state line of a frame shown: what is on it, against the AI's proposal or what its Confirm stored. */
function lineOf(f: { review: boolean; result: boolean; saved: boolean; elsewhere: boolean; edited: boolean }): StateLabel {
  if (f.elsewhere) return 'decidedElsewhereLine';
  if (!f.review) return f.result ? 'nothingProposedLine' : 'noAiResultLine';
  if (f.edited) return 'edited';
  return f.saved ? 'saved' : 'unverified';
}

export function setFrozen(c: LiveContext, on: boolean): void {
  const { els, state } = c;
  const kept = keptOf(c);
  if (on) {
    state.cine.freeze(TASK_OF_EXAM[state.examType]);
    els.scrub.max = String(Math.max(0, state.cine.length - 1));
    kept.shown = undefined;
    kept.prune(new Set(Array.from({ length: state.cine.length }, (_, i) => frameKey(state.cine.at(i)!))));
    showFrozen(c);
  } else {
    // what was left on the frame is kept for a freeze that finds it again; an unsaved edit is said so
    if (leaveFrame(c, reviewOf(state.mode))) c.message(t('editsKept'), 'info');
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

function noteConfirm(c: LiveContext): void {
  const { state } = c;
  const review = reviewOf(state.mode);
  const f = state.cine.current();
  const shown = keptOf(c).shown;
  if (!review || !f || !shown || !state.exam || isFrameSaving(state, f.buf)) return;
  const calipers = c.calipers.seq === f.seq ? c.calipers.done.length : 0;
  keptOf(c).confirmed.set(shown.review, { examId: state.exam.id, content: contentOf(review, controlValues(c)), calipers });
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
  els.reset.addEventListener('click', () => reviewOf(state.mode) && showFrozen(c, undefined, { fresh: true })); // a fresh proposal: the AI's
  // what a Confirm carries, taken as it is tapped (before confirm.ts's own listener marks the frame saving):
  // the saved frame shown again shows these values, "saved" while they are still those on screen
  // first: a frame captured at another scale than the one in force is saved only when the clinician says so
  // (frame-scale.ts); a no stops this tap here, before confirm.ts's listener sends anything
  els.confirm.addEventListener('click', (ev) => confirmScale(c, (q) => window.confirm(q)) || ev.stopImmediatePropagation(), { capture: true });
  els.confirm.addEventListener('click', () => noteConfirm(c), { capture: true });
  wireCalibrateRole(els);
  els.calibrate.addEventListener('click', () => {
    if (state.mode.kind === 'live') return;
    state.mode = { kind: 'calibrating', points: [], review: reviewOf(state.mode) };
    els.calRow.hidden = true;
    c.message(t('calTap'));
  });
  els.calApply.addEventListener('click', () => applyCalibration(c));
}
