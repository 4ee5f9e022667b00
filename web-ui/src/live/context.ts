import type { ResultMessage } from '../../../src/protocol/index.js';
import { FrameKind } from '../../../src/protocol/index.js';
import type { Elements } from '../dom/elements';
import { examTypes } from '../exam-types/index';
import type { ExamTypeEnv, ExamTypeModule } from '../exam-types/types';
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
    setState: (key) => setStateLine(els, key),
  };
  return { els, state, view, env, examType: () => examTypes[state.examType], message: (text) => (els.message.textContent = text) };
}

/** Draws a frame message and, over it, the proposal under review or the live result (if recent enough). */
export function render(c: LiveContext, buf: ArrayBuffer, r: ResultMessage | undefined): void {
  const h = c.view.drawPixels(buf);
  if (!h) return;
  if (h.kind === FrameKind.raw) c.state.header = h; // an enhanced frame is display only: numbers and captures stay on raw frames
  const opacity = Number(c.els.opacity.value) / 100;
  const review = reviewOf(c.state.mode);
  if (review) review.draw(c.view.ctx, c.view.handleRadius, opacity);
  else if (r && c.els.overlay.checked && h.seq - r.seq < 15) c.examType().drawLive(c.view.ctx, r.result, opacity, c.view.handleRadius);
}
