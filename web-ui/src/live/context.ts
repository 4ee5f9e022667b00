import type { ResultMessage } from '../../../src/protocol/index.js';
import { FrameKind } from '../../../src/protocol/index.js';
import type { Elements } from '../dom/elements';
import { examTypes } from '../exam-types/index';
import type { ExamTypeEnv, ExamTypeModule } from '../exam-types/types';
import { t } from '../i18n';
import { type AppState, reviewOf } from '../state';
import type { FrameView } from './frame-view';
import { setStateLine } from './results-panel';

/** What the live view's modules share: the elements, the one state object, the canvas. */
export interface LiveContext {
  readonly els: Elements;
  readonly state: AppState;
  readonly view: FrameView;
  readonly env: ExamTypeEnv;
  examType(): ExamTypeModule;
  message(text: string): void;
}

export function createLiveContext(els: Elements, state: AppState, view: FrameView): LiveContext {
  const env: ExamTypeEnv = {
    els,
    header: () => state.header,
    datingGaWeeks: () => state.exam?.datingGaWeeks ?? undefined,
    setState: (key) => {
      setStateLine(els, key);
      // an edit is something new to save: Confirm comes back (it stays off after a save until then)
      if (key === 'edited') els.confirm.disabled = reviewOf(state.mode) === undefined;
    },
  };
  return { els, state, view, env, examType: () => examTypes[state.examType], message: (text) => (els.message.textContent = text) };
}

/** How long (in frames) a result may be shown, marked stale, over later frames. */
const STALE_FRAMES = 15;

/**
 * Draws a frame message and over it the proposal under review, or the live result: normally only on the frame
 * it was computed on (same seq). Over a later frame (the next result has not come, or that frame is not
 * analysed) it is drawn dimmed, dashed and labelled "previous frame", never silently moved onto another image.
 * `data-overlay` on the canvas says which (none | fresh | stale | review).
 */
export function render(c: LiveContext, buf: ArrayBuffer, r: ResultMessage | undefined): void {
  const h = c.view.drawPixels(buf);
  if (!h) return;
  if (h.kind === FrameKind.raw) c.state.header = h; // an enhanced frame is display only: numbers and captures stay on raw frames
  const { ctx, canvas } = c.view;
  const opacity = Number(c.els.opacity.value) / 100;
  const review = reviewOf(c.state.mode);
  let overlay = 'none';
  if (review) {
    review.draw(ctx, c.view.handleRadius, opacity);
    overlay = 'review';
  } else if (r && c.els.overlay.checked && r.seq === h.seq) {
    c.examType().drawLive(ctx, r.result, opacity, c.view.handleRadius);
    overlay = 'fresh';
  } else if (r && c.els.overlay.checked && r.seq < h.seq && h.seq - r.seq < STALE_FRAMES) {
    ctx.save();
    ctx.globalAlpha = 0.45;
    ctx.setLineDash([4, 6]);
    c.examType().drawLive(ctx, r.result, opacity / 2, c.view.handleRadius);
    ctx.restore();
    drawLabel(ctx, canvas.width, t('previousFrame'));
    overlay = 'stale';
  }
  if (canvas.dataset.overlay !== overlay) canvas.dataset.overlay = overlay;
}

/** A label in the frame's bottom-left corner, readable on any image. */
function drawLabel(ctx: CanvasRenderingContext2D, width: number, text: string): void {
  const size = Math.max(12, Math.round(width / 32));
  ctx.font = `${size}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width;
  const y = ctx.canvas.height - size * 0.6;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.7)';
  ctx.fillRect(size * 0.4, y - size * 1.2, w + size * 0.8, size * 1.5);
  ctx.fillStyle = '#fbbf24';
  ctx.fillText(text, size * 0.8, y);
}
