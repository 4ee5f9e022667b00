/**
 * Obstetric exam: the fetal head. Live: the AI's contour and ellipse with HC, BPD, OFD, GA and centile;
 * frozen: the ellipse made editable (four axis handles and the centre), its numbers re-measured by the
 * same code the daemon uses (src/analysis), and each measurement confirmed or corrected on save.
 */
import { hadlockGaWeeksFromHc, intergrowthHcCentile } from '../../../src/analysis/biometry';
import { ellipsePerimeter } from '../../../src/analysis/ellipse';
import type { FetalHeadResult, LiveTaskResult, ResultMessage } from '../../../src/protocol/index.js';
import { t } from '../i18n';
import { formatGa, formatNumber, formatPercent, withUnit } from '../live/format';
import { ellipseToCanvas, headToCanvas } from './ai-geometry';
import { type EllipseGeom, type Grip, dragGrip, drawAxes, drawEditable, ellipseMoved, gripHandle } from './ellipse-tools';
import type { Decide, ExamTypeEnv, ExamTypeModule, Review } from './types';

interface Numbers {
  hc?: number;
  bpd?: number;
  ofd?: number;
  ga?: number;
  /** the INTERGROWTH-21st HC centile at the dating GA, or null when the standard does not cover that GA */
  centile?: { centile: number; z: number } | null;
  outOfRange?: 'centileLow' | 'centileHigh';
}

/** Measurements of an ellipse in frame pixels, as the analysis computes them (same code, src/analysis). */
function measure(e: EllipseGeom, env: ExamTypeEnv): Numbers {
  const sp = env.header()?.pixelSpacing;
  if (!sp) return {};
  const a = e.semiMajor * sp.x;
  const b = e.semiMinor * sp.y;
  const hc = ellipsePerimeter(a, b);
  const out: Numbers = { hc, bpd: 2 * b, ofd: 2 * a, ga: hadlockGaWeeksFromHc(hc) };
  const dating = env.datingGaWeeks();
  if (dating) {
    const c = intergrowthHcCentile(hc, dating);
    out.centile = c.available ? { centile: c.centile, z: c.z } : null;
    if (c.available && (c.centile < 3 || c.centile > 97)) out.outOfRange = c.centile < 3 ? 'centileLow' : 'centileHigh';
  }
  return out;
}

function showNumbers(m: Numbers, env: ExamTypeEnv): void {
  const { els } = env;
  const mm = (v: number | undefined): string => (v === undefined ? '–' : withUnit(v, 1, 'mm'));
  els.hc.textContent = mm(m.hc);
  els.bpd.textContent = mm(m.bpd);
  els.ofd.textContent = mm(m.ofd);
  els.ga.textContent = m.ga === undefined ? '–' : formatGa(m.ga);
  showCentile(els.centile, m);
}

/**
 * The centile and, outside the 3rd–97th, a flag: the alert colour, a sign and the words under the number
 * (a line kept for them always, so a flag appearing never moves the buttons below).
 */
function showCentile(dd: HTMLElement, m: Numbers): void {
  const flag = m.outOfRange ? t(m.outOfRange) : '';
  const value = m.centile === undefined ? '–' : m.centile === null ? t('noCentile') : `${formatNumber(m.centile.centile, 0)} (z ${formatNumber(m.centile.z, 2)})`;
  const valueEl = Object.assign(document.createElement('span'), { className: 'centile-value', textContent: flag ? `⚠ ${value}` : value });
  const words = Object.assign(document.createElement('span'), { className: 'flag-words', textContent: flag });
  dd.replaceChildren(valueEl, words);
  dd.classList.toggle('out-of-range', flag !== '');
  dd.title = flag;
  if (flag) dd.setAttribute('aria-label', `${value}, ${flag}`);
  else dd.removeAttribute('aria-label');
}

/** `res` in canvas coordinates (ai-geometry.ts headToCanvas): the analysis' pixel centres are half a pixel in. */
function drawHead(ctx: CanvasRenderingContext2D, res: FetalHeadResult, opacity: number): void {
  if (!res.detected) return;
  const c = res.contour;
  if (c && c.length >= 6) {
    ctx.beginPath();
    ctx.moveTo(c[0]!, c[1]!);
    for (let i = 2; i < c.length; i += 2) ctx.lineTo(c[i]!, c[i + 1]!);
    ctx.closePath();
    ctx.fillStyle = `rgba(34, 211, 238, ${opacity})`;
    ctx.fill();
  }
  const e = res.ellipse;
  if (e) {
    ctx.beginPath();
    ctx.ellipse(e.cx, e.cy, e.semiMajor, e.semiMinor, (e.angleDeg * Math.PI) / 180, 0, 2 * Math.PI);
    ctx.strokeStyle = res.flags.some((f) => f.severity !== 'info') ? '#fbbf24' : '#22d3ee';
    ctx.lineWidth = 2;
    ctx.stroke();
    drawAxes(ctx, e, { bpd: t('bpd'), ofd: t('ofd') });
  }
}

/**
 * The AI's ellipse under review and the clinician's edit of it, both in canvas (pixel-corner) coordinates: the
 * finger's points are, and the edited ellipse is stored as the final geometry in them (src/sync/sr-geometry.ts
 * reads a correction as 'pixel-corner'), so a part the clinician did not move keeps its place on the image.
 */
class EllipseReview implements Review {
  readonly kind = 'ellipse';
  #edit: EllipseGeom;
  #grip: Grip | undefined;

  constructor(
    readonly buf: ArrayBuffer,
    private readonly ai: EllipseGeom,
    private readonly env: ExamTypeEnv,
  ) {
    this.#edit = { ...ai };
  }

  draw(ctx: CanvasRenderingContext2D, handleRadius: number): void {
    drawEditable(ctx, this.#edit, handleRadius);
    drawAxes(ctx, this.#edit, { bpd: t('bpd'), ofd: t('ofd') });
  }

  grab(x: number, y: number, reach: number): boolean {
    this.#grip = gripHandle(this.#edit, x, y, reach);
    return this.#grip !== undefined;
  }

  drag(x: number, y: number): void {
    if (!this.#grip) return;
    this.#edit = dragGrip(this.#edit, this.#grip, x, y);
    this.show();
    this.env.setState('edited');
  }

  release(): void {
    this.#grip = undefined;
  }

  show(): void {
    showNumbers(measure(this.#edit, this.env), this.env);
  }

  /**
   * Each head measurement is corrected when its own value changed (moving the long axis leaves BPD's value), or
   * when the ellipse was moved or turned (ellipse-tools.ts ellipseMoved): the record's outline is then the
   * clinician's, not the AI's, even where the value stays the AI's (confirmed would say the AI's outline was
   * right). GA has no outline: it is corrected only when its value changed.
   */
  async decide(capture: { measurements: Array<{ id: string; kind: string; aiValue: number | null }> }, decide: Decide): Promise<boolean> {
    const v = measure(this.#edit, this.env);
    const ai = measure(this.ai, this.env);
    const final: Record<string, [number | undefined, number | undefined]> = { hc: [v.hc, ai.hc], bpd: [v.bpd, ai.bpd], ofd: [v.ofd, ai.ofd], ga: [v.ga, ai.ga] };
    const e = this.#edit;
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    // the edited ellipse goes with each head measurement it corrects: the record keeps the outline, not only the number
    const geometry = { ellipse: { cx: r1(e.cx), cy: r1(e.cy), semiMajor: r1(e.semiMajor), semiMinor: r1(e.semiMinor), angleDeg: r1(e.angleDeg) } };
    const placed = ellipseMoved(this.ai, e);
    let edited = false;
    for (const m of capture.measurements) {
      const [value, was] = final[m.kind] ?? [undefined, undefined];
      if (value === undefined || was === undefined) await decide(m.id, 'confirmed');
      else if (Math.abs(value - was) > 1e-6) {
        await decide(m.id, 'corrected', { value: Number(value.toFixed(2)), ...(m.kind === 'ga' ? {} : { geometry }) });
        edited = true;
      } else if (placed && m.kind !== 'ga') {
        // same size, other place: the AI's own value (as stored) with the clinician's outline
        await decide(m.id, 'corrected', { value: m.aiValue ?? Number(value.toFixed(2)), geometry });
        edited = true;
      } else await decide(m.id, 'confirmed');
    }
    return edited;
  }

  snapshot(): EllipseGeom {
    return { ...this.#edit };
  }
}

export const obstetric: ExamTypeModule = {
  type: 'obstetric',
  labelKey: 'obstetric',
  titleKey: 'fetalHead',
  asksDatingGa: true,
  panel: (els) => els.measurements,
  showResult(r: ResultMessage, env: ExamTypeEnv): void {
    const res = r.result;
    if (res.task !== 'fetal-head') return;
    showNumbers(res.ellipse ? measure(res.ellipse, env) : {}, env);
    if (res.hcMm !== undefined) env.els.hc.textContent = withUnit(res.hcMm, 1, 'mm');
    env.els.quality.textContent = `${formatPercent(res.quality.score)} · ${t('confidence')} ${formatPercent(res.confidence)}`;
  },
  clear(env: ExamTypeEnv): void {
    showNumbers({}, env);
  },
  drawLive(ctx: CanvasRenderingContext2D, result: LiveTaskResult, opacity: number): void {
    if (result.task === 'fetal-head') drawHead(ctx, headToCanvas(result), opacity);
  },
  review(buf: ArrayBuffer, r: ResultMessage, env: ExamTypeEnv): Review | undefined {
    return r.result.task === 'fetal-head' && r.result.ellipse ? new EllipseReview(buf, ellipseToCanvas(r.result.ellipse), env) : undefined;
  },
};
