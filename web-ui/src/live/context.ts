import type { DecodedFrameHeader, ResultMessage } from '../../../src/protocol/index.js';
import { FrameKind, TASK_OF_EXAM } from '../../../src/protocol/index.js';
import type { Elements } from '../dom/elements';
import { examTypes } from '../exam-types/index';
import type { ExamTypeEnv, ExamTypeModule } from '../exam-types/types';
import { t } from '../i18n';
import { type AppState, isFrozen, reviewOf } from '../state';
import type { FrameView } from './frame-view';
import { type Tone, actionMessageElement, showAction } from './action-message';
import { type StateLabel, WARN, drawCornerLabel, drawStateLabel } from './canvas-labels';
import { type ManualMeasure, ManualCalipers } from './manual-calipers';
import { withUnit } from './format';
import { setStateLine } from './results-panel';
import { ViewZoom } from './zoom';
import { isFrameSaving } from './saved-frames';
import { overlayOf } from './cine';
import { noteEdited } from './edited-reviews';

/** What the live view's modules share: the elements, the one state object, the canvas. */
export interface LiveContext {
  readonly els: Elements;
  readonly state: AppState;
  readonly view: FrameView;
  readonly env: ExamTypeEnv;
  examType(): ExamTypeModule;
  /** says what became of a live action, beside the action buttons, in the success or error colour */
  message(text: string, tone?: Tone): void;
  /** pinch-zoom and pan of the frozen frame */
  readonly zoom: ViewZoom;
  /** the clinician's own distance and area calipers on the frozen frame */
  readonly calipers: ManualCalipers;
  /** the calipers changed: their list and the frame are redrawn (calipers-panel.ts sets it) */
  caliperChanged(): void;
  /** the caliper tools are usable (frozen) or not (live) */
  caliperTools(on: boolean): void;
}

/**
 * Redraws the frozen frame with what is on it (the proposal under review or its own result, the calipers). Only
 * a result of the shown exam type's task is drawn: another type's module cannot draw it (the cine keeps those
 * for a switch back).
 */
export function redraw(c: LiveContext): void {
  const review = reviewOf(c.state.mode);
  const f = c.state.cine.current();
  if (review) render(c, review.buf, undefined);
  else if (f && isFrozen(c.state.mode)) render(c, f.buf, f.results[TASK_OF_EXAM[c.state.examType]]);
}

export function createLiveContext(els: Elements, state: AppState, view: FrameView): LiveContext {
  const env: ExamTypeEnv = {
    els,
    header: () => state.header,
    datingGaWeeks: () => state.exam?.datingGaWeeks ?? undefined,
    setState: (key) => {
      setStateLine(els, key);
      const review = reviewOf(state.mode);
      if (key === 'edited' && review) noteEdited(review); // unsaved work Close names and a user switch drops (unsaved-work.ts, edited-reviews.ts)
      // an edit is something new to save: Confirm comes back (it stays off after a save until then). Not while
      // the frame's save is in flight: that save carries the values from before, and ends by turning Confirm
      // back on for this edit (confirm.ts)
      if (key === 'edited' && review && isFrameSaving(state, review.buf)) {
        state.editedWhileSaving.add(review);
        els.confirm.disabled = true;
      } else if (key === 'edited') els.confirm.disabled = review === undefined;
      // the state is also written on the image: redraw the frozen proposal with it
      if (review) render(c, review.buf, undefined);
    },
  };
  view.canvas.dataset.i18nLabel = 'frameLabel'; // its aria-label in the chosen language (applyI18n)
  const actionEl = actionMessageElement(els.confirm.parentElement ?? els.panel, els.reset);
  const c: LiveContext = {
    els,
    state,
    view,
    env,
    examType: () => examTypes[state.examType],
    message: (text, tone = 'info') => showAction(actionEl, text, tone),
    zoom: new ViewZoom(view.canvas),
    calipers: new ManualCalipers(),
    caliperChanged: () => undefined,
    caliperTools: () => undefined,
  };
  return c;
}

/** How long (in frames) a result may be shown, marked stale, over later frames. */
const STALE_FRAMES = 15;

/**
 * Draws a frame message and over it the proposal under review, or the live result: normally only on the frame
 * it was computed on (same seq). Over a later frame (the next result has not come, or that frame is not
 * analysed) it is drawn dimmed, dashed and labelled "previous frame", never silently moved onto another image.
 * `data-overlay` on the canvas says which (none | fresh | stale | review). `header`: the frame's, when the caller
 * has read it already (the live path reads each frame's header once).
 */
export function render(c: LiveContext, buf: ArrayBuffer, r: ResultMessage | undefined, header?: DecodedFrameHeader): void {
  const h = c.view.drawPixels(buf, header);
  if (!h) return;
  if (h.kind === FrameKind.raw) c.state.header = h; // an enhanced frame is display only: numbers and captures stay on raw frames
  const { ctx, canvas } = c.view;
  const opacity = Number(c.els.opacity.value) / 100;
  const review = reviewOf(c.state.mode);
  let overlay = 'none';
  // by number AND capture time: numbers restart with every source, another source's result is never drawn here
  const fit = r && c.els.overlay.checked ? overlayOf(r, h, c.state.cine.since, STALE_FRAMES) : 'none';
  if (review) {
    review.draw(ctx, c.view.handleRadius, opacity);
    overlay = 'review';
  } else if (r && fit === 'fresh') {
    c.examType().drawLive(ctx, r.result, opacity, c.view.handleRadius);
    overlay = 'fresh';
  } else if (r && fit === 'stale') {
    ctx.save();
    ctx.globalAlpha = 0.45;
    ctx.setLineDash([4, 6]);
    c.examType().drawLive(ctx, r.result, opacity / 2, c.view.handleRadius);
    ctx.restore();
    drawCornerLabel(ctx, canvas.width, t('previousFrame'), 'bottom-left', WARN);
    overlay = 'stale';
  }
  if (canvas.dataset.overlay !== overlay) canvas.dataset.overlay = overlay;
  // an AI proposal is never shown without its state on the image itself: unverified, edited or saved
  const label = overlay === 'none' ? 'none' : ((c.els.state.dataset.i18n as StateLabel | undefined) ?? 'unverified');
  if (label !== 'none') drawStateLabel(ctx, canvas.width, label);
  if (isFrozen(c.state.mode) && c.calipers.seq === h.seq) c.calipers.draw(ctx, caliperLabel);
  if (canvas.dataset.label !== label) canvas.dataset.label = label;
}

/** A caliper's name and value, as the panel lists it and the frame shows it: "D1 23.4 mm", "A1 312.0 mm²". */
export function caliperLabel(m: ManualMeasure): string {
  return `${m.kind === 'distance' ? 'D' : 'A'}${m.n} ${withUnit(m.value, 1, m.unit)}`;
}
