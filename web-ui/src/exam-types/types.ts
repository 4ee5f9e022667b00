import type { DecodedFrameHeader, ExamType, LiveTaskResult, ResultMessage } from '../../../src/protocol/index.js';
import type { Capture } from '../api';
import type { Elements } from '../dom/elements';
import type { Key } from '../i18n';
import type { StateLabel } from '../live/canvas-labels';

/** What an exam type's code may use of the page. */
export interface ExamTypeEnv {
  els: Elements;
  /** the newest raw frame's header: pixel spacing for numbers */
  header(): DecodedFrameHeader | undefined;
  /** the open exam's dating GA, for centiles */
  datingGaWeeks(): number | undefined;
  /** the state line: AI proposal, edited, saved */
  setState(key: StateLabel): void;
}

/** How one decision on a measurement is sent: confirmed as is, or corrected with the clinician's value. */
export type Decide = (
  measurementId: string,
  decision: 'confirmed' | 'corrected',
  fix?: {
    value?: number;
    text?: string;
    geometry?: { x1: number; y1: number; x2: number; y2: number } | { outline: number[] } | { ellipse: { cx: number; cy: number; semiMajor: number; semiMinor: number; angleDeg: number } };
  },
) => Promise<void>;

/**
 * A frozen AI proposal under review: drawn on the frozen frame, edited with the finger, confirmed into
 * the record. Each exam type makes its own (an ellipse for the fetal head, a lesion for the breast).
 */
export interface Review {
  readonly kind: string;
  /** the raw frame message the proposal was computed on (posted back to save it) */
  readonly buf: ArrayBuffer;
  draw(ctx: CanvasRenderingContext2D, handleRadius: number, opacity: number): void;
  /** a finger went down at (x, y) frame pixels: true when it took hold of something to drag */
  grab(x: number, y: number, reach: number): boolean;
  /** the finger moved to (x, y); `frameWidth` scales how far an outline push reaches */
  drag(x: number, y: number, frameWidth: number): void;
  release(): void;
  /** shows the proposal's numbers (as edited) in the panel */
  show(): void;
  /** decides every measurement of the saved capture; true when anything was corrected */
  decide(capture: Capture, decide: Decide): Promise<boolean>;
  /** what the browser tests read (test builds only) */
  snapshot(): unknown;
}

/**
 * One exam type: its tools, its panel, its results. Adding an exam type means adding one of these to
 * exam-types/index.ts (and its task to src/protocol/exam-types.ts).
 */
export interface ExamTypeModule {
  readonly type: ExamType;
  readonly labelKey: Key;
  readonly titleKey: Key;
  /** the panel of numbers shown for this type */
  panel(els: Elements): HTMLElement;
  /** whether the exam form asks for the dating GA */
  readonly asksDatingGa: boolean;
  /** shows a live result's numbers */
  showResult(r: ResultMessage, env: ExamTypeEnv): void;
  /** blanks the panel (the type changed) */
  clear(env: ExamTypeEnv): void;
  /** draws a live result over the frame (its geometry has integers at pixel centres: ai-geometry.ts takes it to the canvas's) */
  drawLive(ctx: CanvasRenderingContext2D, result: LiveTaskResult, opacity: number, handleRadius: number): void;
  /** the proposal to review on a frozen frame, if the result has one, in canvas coordinates (ai-geometry.ts) like the finger's points */
  review(buf: ArrayBuffer, r: ResultMessage, env: ExamTypeEnv): Review | undefined;
  /** the type's own inputs that are enabled only while one of its proposals is under review */
  reviewControls?(els: Elements): Array<HTMLSelectElement | HTMLInputElement>;
  /** fills the type's own controls once at start-up (e.g. the category selectors) */
  setup?(env: ExamTypeEnv): void;
}
