/**
 * Breast exam: the lesion. Live: the AI's outline, class, malignancy probability, diameters and BI-RADS
 * orientation and margin; frozen: two caliper lines whose ends the finger drags, and the outline itself,
 * which the finger can push (every measure is then re-taken from it by the daemon's own code); on save,
 * each finding is confirmed or corrected.
 */
import { LESION_MARGINS, LESION_ORIENTATIONS, type BreastLesionResult, type LiveTaskResult, type ResultMessage } from '../../../src/protocol/index.js';
import { categoryKey, t } from '../i18n';
import { formatPercent, withUnit } from '../live/format';
import { lesionToCanvas } from './ai-geometry';
import { breastSummary } from './breast-summary';
import {
  type CaliperGrip,
  type Calipers,
  caliperEnd,
  caliperLength,
  calipersOf,
  dragCaliperGrip,
  drawLesion,
  gripCaliper,
  hitCaliper,
  nearestOutlinePoint,
  pushOutline,
  remeasure,
} from './lesion-tools';
import type { Decide, ExamTypeEnv, ExamTypeModule, Review } from './types';

const spacingOf = (res: BreastLesionResult, env: ExamTypeEnv): { x: number; y: number } | undefined => (res.lesion?.units === 'mm' ? env.header()?.pixelSpacing : undefined);

/** The lesion's numbers: from the AI, or re-measured from the clinician's calipers while reviewing. */
function showLesion(res: BreastLesionResult, calipers: Calipers | undefined, env: ExamTypeEnv): void {
  const { els } = env;
  const l = res.lesion;
  els.bClass.textContent = res.class ? `${t(categoryKey[res.class])} · ${t('confidence')} ${formatPercent(res.confidence)}` : '–';
  els.bPmal.textContent = formatPercent(res.malignancyProbability);
  const unit = l?.units === 'mm' ? 'mm' : 'px';
  const len = (v: number | undefined): string => (v === undefined ? '–' : withUnit(v, 1, unit));
  els.bMax.textContent = len(calipers ? caliperLength(calipers.long, spacingOf(res, env)) : l?.maxDiameter);
  els.bPerp.textContent = len(calipers ? caliperLength(calipers.perp, spacingOf(res, env)) : l?.perpendicularDiameter);
  els.bSummary.textContent = breastSummary(res);
}

/**
 * The lesion under review: the clinician's calipers, outline and categories, all in canvas (pixel-corner)
 * coordinates (the result is converted once, ai-geometry.ts lesionToCanvas): a correction is stored in them, as
 * src/sync/sr-geometry.ts reads it, and an end or point the clinician did not move keeps its place on the image.
 */
class LesionReview implements Review {
  readonly kind = 'lesion';
  #edit: Calipers;
  #outline: number[];
  /** a caliper end being dragged, held where the finger landed (lesion-tools.ts gripCaliper) */
  #caliper: CaliperGrip | undefined;
  /** an outline point being pushed: its index and where the finger was last */
  #point: { k: number; x: number; y: number } | undefined;

  constructor(
    readonly buf: ArrayBuffer,
    private readonly result: BreastLesionResult,
    private readonly ai: Calipers,
    private readonly env: ExamTypeEnv,
  ) {
    this.#edit = { long: { ...ai.long }, perp: { ...ai.perp } };
    this.#outline = result.lesion!.outline.slice();
  }

  draw(ctx: CanvasRenderingContext2D, handleRadius: number, opacity: number): void {
    drawLesion(ctx, this.result, opacity, this.#edit, handleRadius, this.#outline);
  }

  grab(x: number, y: number, reach: number): boolean {
    let caliper = hitCaliper(this.#edit, x, y, reach);
    const k = nearestOutlinePoint(this.#outline, x, y, reach);
    // caliper ends lie on the outline: a caliper end wins unless a point of the outline is clearly nearer
    if (caliper && k !== undefined) {
      const [ex, ey] = caliperEnd(this.#edit, caliper);
      if (Math.hypot(this.#outline[2 * k]! - x, this.#outline[2 * k + 1]! - y) + 4 < Math.hypot(ex - x, ey - y)) caliper = undefined;
    }
    this.#caliper = caliper && gripCaliper(this.#edit, caliper, x, y);
    this.#point = !caliper && k !== undefined ? { k, x, y } : undefined;
    return this.#caliper !== undefined || this.#point !== undefined;
  }

  drag(x: number, y: number, frameWidth: number): void {
    const { els } = this.env;
    if (this.#point) {
      // push the outline, then re-take every measure from it (calipers, orientation and margin follow)
      const p = this.#point;
      this.#outline = pushOutline(this.#outline, p.k, x - p.x, y - p.y, Math.max(30, frameWidth / 12));
      p.x = x;
      p.y = y;
      const shape = remeasure(this.#outline, spacingOf(this.result, this.env));
      if (shape) {
        this.#edit = { long: shape.longAxis, perp: shape.perpendicularAxis };
        els.bOrient.value = shape.orientation.assessment;
        els.bMargin.value = shape.margin.assessment;
      }
    } else if (this.#caliper) this.#edit = dragCaliperGrip(this.#edit, this.#caliper, x, y);
    else return;
    this.show();
    this.env.setState('edited');
  }

  release(): void {
    this.#caliper = undefined;
    this.#point = undefined;
  }

  show(): void {
    showLesion(this.result, this.#edit, this.env);
  }

  async decide(capture: { measurements: Array<{ id: string; kind: string; aiText: string | null }> }, decide: Decide): Promise<boolean> {
    const spacing = spacingOf(this.result, this.env);
    const moved = (a: object, b: object): boolean => JSON.stringify(a) !== JSON.stringify(b);
    const calipers: Record<string, [boolean, { x1: number; y1: number; x2: number; y2: number }]> = {
      lesion_max_diameter: [moved(this.#edit.long, this.ai.long), this.#edit.long],
      lesion_perpendicular_diameter: [moved(this.#edit.perp, this.ai.perp), this.#edit.perp],
    };
    const chosen: Record<string, string> = { lesion_orientation: this.env.els.bOrient.value, lesion_margin: this.env.els.bMargin.value };
    const outlineMoved = moved(this.#outline, this.result.lesion?.outline ?? []);
    let edited = false;
    for (const m of capture.measurements) {
      // the AI's class and malignancy probability are shown, but the screen offers no way to disagree with
      // them: they stay unverified (AI only) instead of being recorded as the clinician's decision
      if (m.kind === 'lesion_class' || m.kind === 'malignancy_probability') continue;
      const c = calipers[m.kind];
      const text = chosen[m.kind];
      if (c?.[0]) {
        await decide(m.id, 'corrected', { value: Number(caliperLength(c[1], spacing).toFixed(2)), geometry: c[1] });
        edited = true;
      } else if (m.kind === 'lesion_margin' && outlineMoved) {
        await decide(m.id, 'corrected', { ...(text ? { text } : {}), geometry: { outline: this.#outline.map((v) => Math.round(v * 10) / 10) } });
        edited = true;
      } else if (text && text !== m.aiText) {
        await decide(m.id, 'corrected', { text });
        edited = true;
      } else await decide(m.id, 'confirmed');
    }
    return edited;
  }

  snapshot(): { calipers: Calipers; outline: number[] } {
    return { calipers: structuredClone(this.#edit), outline: this.#outline.slice() };
  }
}

function fill(select: HTMLSelectElement, values: readonly string[]): void {
  select.replaceChildren(...values.map((v) => Object.assign(document.createElement('option'), { value: v, textContent: t(categoryKey[v as keyof typeof categoryKey]) })));
  for (const [o, v] of [...select.options].map((o, i) => [o, values[i]!] as const)) o.dataset.i18n = categoryKey[v as keyof typeof categoryKey];
}

export const breast: ExamTypeModule = {
  type: 'breast',
  labelKey: 'breast',
  titleKey: 'breastLesion',
  asksDatingGa: false,
  panel: (els) => els.breastMeasurements,
  reviewControls: (els) => [els.bOrient, els.bMargin],
  setup(env: ExamTypeEnv): void {
    fill(env.els.bOrient, LESION_ORIENTATIONS);
    fill(env.els.bMargin, LESION_MARGINS);
    // the selectors are enabled only while a lesion is under review: a change is the clinician's edit
    for (const el of [env.els.bOrient, env.els.bMargin]) el.addEventListener('change', () => env.setState('edited'));
  },
  showResult(r: ResultMessage, env: ExamTypeEnv): void {
    const res = r.result;
    if (res.task !== 'breast-lesion') return;
    showLesion(res, undefined, env);
    env.els.bOrient.value = res.lesion?.orientation.assessment ?? '';
    env.els.bMargin.value = res.lesion?.margin.assessment ?? '';
    env.els.quality.textContent = `${t('confidence')} ${formatPercent(res.confidence)}`;
  },
  clear(env: ExamTypeEnv): void {
    for (const el of [env.els.bClass, env.els.bPmal, env.els.bMax, env.els.bPerp]) el.textContent = '–';
    env.els.bSummary.textContent = '';
    // no category of another frame's lesion (an empty value selects none)
    env.els.bOrient.value = '';
    env.els.bMargin.value = '';
  },
  drawLive(ctx: CanvasRenderingContext2D, result: LiveTaskResult, opacity: number, handleRadius: number): void {
    if (result.task === 'breast-lesion') drawLesion(ctx, lesionToCanvas(result), opacity, undefined, handleRadius);
  },
  review(buf: ArrayBuffer, r: ResultMessage, env: ExamTypeEnv): Review | undefined {
    if (r.result.task !== 'breast-lesion') return undefined;
    const res = lesionToCanvas(r.result);
    const cal = calipersOf(res);
    return cal ? new LesionReview(buf, res, cal, env) : undefined;
  },
};
