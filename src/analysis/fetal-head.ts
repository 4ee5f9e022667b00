/**
 * Fetal head: probability map → largest plausible component → sub-pixel boundary → ellipse → HC, BPD,
 * OFD (mm) → GA (Hadlock) → centile (INTERGROWTH-21st, with a dating GA) → quality and flags.
 *
 * Convention: HC18-style outer-outline measurement on the annotation's centre line; BPD is the fitted
 * ellipse's minor axis and OFD its major axis (outer-to-outer).
 *
 * Memory: one analyzer per model geometry; its buffers are reused for every frame.
 */
import { type FrameGeometry, type ModelGrid, frameAxes } from './grid.js';
import { type CentileResult, HADLOCK_HC_RANGE_MM, hadlockGaWeeksFromHc, intergrowthHcCentile } from './biometry.js';
import { ComponentLabeler, boundaryPoints } from './components.js';
import { BLANK_STD } from './signal.js';
import { type Ellipse, ellipsePerimeter, fitEllipse } from './ellipse.js';
import { type Flag, flag } from './flags.js';
import { type QualityComponents, edgeCutScore, fitResidualScore, maskPlausibilityScore, modelConfidenceScore, overallQuality } from './quality.js';

export type { ModelGrid, FrameGeometry };

export interface ClinicalContext {
  /** GA from LMP or CRL dating, weeks; enables centiles. */
  datingGaWeeks?: number | undefined;
}

export interface EllipseOut {
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  angleDeg: number;
}

export interface FetalHeadResult {
  task: 'fetal-head';
  detected: boolean;
  /** Fitted ellipse in frame pixels. */
  ellipse?: EllipseOut;
  /** Boundary polygon in frame pixels, flat [x0, y0, x1, y1, …], for the overlay. */
  contour?: number[];
  hcPx?: number;
  hcMm?: number;
  bpdMm?: number;
  ofdMm?: number;
  gaWeeks?: number;
  centile?: CentileResult;
  confidence: number;
  quality: { score: number; components: QualityComponents };
  flags: Flag[];
}

const MIN_AREA_FRACTION = 0.002;
const CONTOUR_POINTS = 72;
// polygon()'s bins: nearest distance to the bin's centre angle, and that point
const BIN_DIST = new Float64Array(CONTOUR_POINTS);
const BIN_X = new Float64Array(CONTOUR_POINTS);
const BIN_Y = new Float64Array(CONTOUR_POINTS);

export class FetalHeadAnalyzer {
  readonly #labeler: ComponentLabeler;
  #pts = { xs: new Float64Array(4096), ys: new Float64Array(4096) };
  #fx = new Float64Array(4096);
  #fy = new Float64Array(4096);

  constructor(
    readonly gridWidth: number,
    readonly gridHeight: number,
  ) {
    this.#labeler = new ComponentLabeler(gridWidth, gridHeight);
  }

  analyze(prob: Float32Array, grid: ModelGrid, frame: FrameGeometry, ctx: ClinicalContext = {}): FetalHeadResult {
    const { width: w, height: h } = grid;
    if (prob.length !== w * h) throw new Error(`Probability map has ${prob.length} values, expected ${w}×${h}`);
    const flags: Flag[] = [];
    const none: QualityComponents = { fitResidual: 0, edgeCut: 0, modelConfidence: 0, maskPlausibility: 0 };
    if (frame.signal && frame.signal.std < BLANK_STD) {
      flags.push(flag('blank-image', 'warning', 'The image is blank (no ultrasound signal): nothing to measure.'));
      return { task: 'fetal-head', detected: false, confidence: 0, quality: { score: 0, components: none }, flags };
    }
    const lab = this.#labeler;
    const n = lab.label(prob, 0.5);
    const best = lab.largest();
    const area = best ? lab.sizes[best - 1]! : 0;
    const empty: QualityComponents = { fitResidual: 0, edgeCut: 0, modelConfidence: 0, maskPlausibility: 0 };
    if (n === 0 || area < MIN_AREA_FRACTION * w * h) {
      flags.push(flag('no-head', 'warning', 'No fetal head found in this frame.'));
      return { task: 'fetal-head', detected: false, confidence: 0, quality: { score: 0, components: empty }, flags };
    }
    // Every pixel ≥ 0.5 is in some component, so their count and the chosen one's sum come with the labels.
    const totalPositive = lab.total();
    const probSum = lab.sums[best - 1]!;
    const labels = lab.labels;
    const np = boundaryPoints(prob, labels, best, w, h, 0.5, this.#pts, lab.box(best));
    if (this.#fx.length < np) {
      this.#fx = new Float64Array(this.#pts.xs.length);
      this.#fy = new Float64Array(this.#pts.xs.length);
    }
    const { xs, ys } = this.#pts;
    const fx = this.#fx;
    const fy = this.#fy;
    const ax = frameAxes(grid);
    for (let k = 0; k < np; k++) {
      fx[k] = xs[k]! * ax.sx + ax.ox;
      fy[k] = ys[k]! * ax.sy + ax.oy;
    }
    const ePx = fitEllipse(fx, fy, np);
    const eModel = fitEllipse(xs, ys, np);
    const confidence = modelConfidenceScore(probSum / area, area, totalPositive);
    if (!ePx || !eModel) {
      flags.push(flag('poor-fit', 'warning', 'The head outline could not be fitted with an ellipse; no measurement.'));
      return { task: 'fetal-head', detected: false, confidence, quality: { score: 0, components: { ...empty, modelConfidence: confidence } }, flags };
    }
    const fit = fitResidualScore(ePx, fx, fy, np);
    const cut = edgeCutScore(ePx, frame.region);
    const iou = ellipseIou(eModel, labels, best, w, h, area);
    const components: QualityComponents = {
      fitResidual: fit.score,
      edgeCut: cut.score,
      modelConfidence: confidence,
      maskPlausibility: maskPlausibilityScore(iou, eModel.b / eModel.a),
    };
    if (cut.outsideFraction > 0.02) {
      flags.push(flag('head-cut', 'warning', `The head is cut by the image edge (${Math.round(cut.outsideFraction * 100)}% of its outline is outside); move the probe to see all of it.`));
    }
    if (fit.score < 0.5) flags.push(flag('poor-fit', 'warning', 'The outline does not follow an ellipse well; check the measurement.'));
    if (confidence < 0.6) flags.push(flag('low-confidence', 'warning', 'The model is unsure of this outline.'));
    if (components.maskPlausibility < 0.5) flags.push(flag('implausible-shape', 'warning', 'The outline does not look like a fetal head.'));

    const hcPx = ellipsePerimeter(ePx.a, ePx.b);
    const result: FetalHeadResult = {
      task: 'fetal-head',
      detected: true,
      ellipse: { cx: ePx.cx, cy: ePx.cy, semiMajor: ePx.a, semiMinor: ePx.b, angleDeg: (ePx.angle * 180) / Math.PI },
      contour: polygon(fx, fy, np, ePx),
      hcPx,
      confidence,
      quality: { score: overallQuality(components), components },
      flags,
    };
    const sp = frame.pixelSpacing;
    if (!sp) {
      flags.push(flag('no-pixel-spacing', 'info', 'Pixel size unknown: sizes are in pixels only, with no HC in mm or gestational age.'));
      return result;
    }
    let eMm: Ellipse | undefined = ePx;
    if (Math.abs(sp.x - sp.y) > 1e-9 * sp.x) {
      for (let k = 0; k < np; k++) {
        fx[k] = fx[k]! * sp.x;
        fy[k] = fy[k]! * sp.y;
      }
      eMm = fitEllipse(fx, fy, np);
    } else {
      eMm = { ...ePx, a: ePx.a * sp.x, b: ePx.b * sp.x, cx: ePx.cx * sp.x, cy: ePx.cy * sp.x };
    }
    if (!eMm) return result;
    result.hcMm = ellipsePerimeter(eMm.a, eMm.b);
    result.ofdMm = 2 * eMm.a;
    result.bpdMm = 2 * eMm.b;
    result.gaWeeks = hadlockGaWeeksFromHc(result.hcMm);
    if (result.hcMm < HADLOCK_HC_RANGE_MM.min || result.hcMm > HADLOCK_HC_RANGE_MM.max) {
      flags.push(flag('ga-out-of-range', 'warning', `HC ${result.hcMm.toFixed(0)} mm is outside the range Hadlock's formula was derived on; the gestational age is unreliable.`));
    }
    if (ctx.datingGaWeeks !== undefined) {
      const c = intergrowthHcCentile(result.hcMm, ctx.datingGaWeeks);
      result.centile = c;
      if (!c.available) flags.push(flag('no-centile', 'info', c.reason));
      else if (Math.abs(c.z) > 4) {
        flags.push(
          flag(
            'hc-implausible-for-ga',
            'alert',
            `HC ${result.hcMm.toFixed(0)} mm is implausible for ${ctx.datingGaWeeks.toFixed(1)} weeks (z ${c.z.toFixed(1)}): check the dating and the measurement.`,
          ),
        );
      } else if (c.centile < 3) {
        flags.push(flag('hc-below-p3', 'alert', `Head circumference is below the 3rd centile for ${ctx.datingGaWeeks.toFixed(1)} weeks: consider referral.`));
      } else if (c.centile > 97) {
        flags.push(flag('hc-above-p97', 'alert', `Head circumference is above the 97th centile for ${ctx.datingGaWeeks.toFixed(1)} weeks: consider referral.`));
      }
    }
    return result;
  }
}

/** IoU between the component and its fitted ellipse, on the model grid. */
function ellipseIou(e: Ellipse, labels: Int32Array, label: number, w: number, h: number, area: number): number {
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  let inter = 0;
  let ell = 0;
  const x0 = Math.max(0, Math.floor(e.cx - e.a - 1));
  const x1 = Math.min(w - 1, Math.ceil(e.cx + e.a + 1));
  const y0 = Math.max(0, Math.floor(e.cy - e.a - 1));
  const y1 = Math.min(h - 1, Math.ceil(e.cy + e.a + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - e.cx;
      const dy = y - e.cy;
      const u = (dx * c + dy * s) / e.a;
      const v = (-dx * s + dy * c) / e.b;
      if (u * u + v * v <= 1) {
        ell++;
        if (labels[y * w + x] === label) inter++;
      }
    }
  }
  const union = area + ell - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Boundary points ordered by angle around the ellipse centre, thinned to a small polygon: in each of
 * CONTOUR_POINTS angle bins, the point nearest the bin's centre angle. The bins are module scratch (the
 * function is synchronous; every bin is reset first); the returned array is fresh, the result's own.
 */
function polygon(xs: Float64Array, ys: Float64Array, n: number, e: Ellipse): number[] {
  const dist = BIN_DIST.fill(Infinity);
  const bx = BIN_X;
  const by = BIN_Y;
  for (let k = 0; k < n; k++) {
    const ang = Math.atan2(ys[k]! - e.cy, xs[k]! - e.cx);
    const bin = Math.min(CONTOUR_POINTS - 1, Math.floor(((ang + Math.PI) / (2 * Math.PI)) * CONTOUR_POINTS));
    const center = -Math.PI + ((bin + 0.5) * 2 * Math.PI) / CONTOUR_POINTS;
    const d = Math.abs(ang - center);
    if (d < dist[bin]!) {
      dist[bin] = d;
      bx[bin] = xs[k]!;
      by[bin] = ys[k]!;
    }
  }
  // a bin holds a point once its distance fell below Infinity (a NaN distance never enters one)
  let m = 0;
  for (let b = 0; b < CONTOUR_POINTS; b++) if (dist[b]! < Infinity) m++;
  const out = new Array<number>(2 * m);
  let j = 0;
  for (let b = 0; b < CONTOUR_POINTS; b++) {
    if (!(dist[b]! < Infinity)) continue;
    out[j++] = Math.round(bx[b]! * 10) / 10;
    out[j++] = Math.round(by[b]! * 10) / 10;
  }
  return out;
}
