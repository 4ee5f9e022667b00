/**
 * Breast lesion: lesion probability map + calibrated class probabilities (normal, benign, malignant) →
 * the outline of the lesion region the model is most sure of (highest mean probability; any others are
 * counted and flagged) → maximum and perpendicular diameters, area, BI-RADS orientation and margin →
 * decision-support flags in plain words. Never a diagnosis: every result is an unverified AI proposal
 * until a clinician confirms or corrects the outline.
 *
 * Named Inputs: `prob` (H×W lesion probability), `classProb` (3 calibrated softmax probabilities).
 * Memory: one analyzer per model geometry; labeler and tracer buffers are reused for every frame.
 */
import { ComponentLabeler } from './components.js';
import { type Flag, flag } from './flags.js';
import { type FrameGeometry, type ModelGrid, frameAxes } from './grid.js';
import { type LesionShape, measureLesionShape } from './lesion-shape.js';
import { OutlineTracer } from './outline.js';
import type { Segment } from './polygon.js';
import { modelConfidenceScore } from './quality.js';
import { BLANK_STD } from './signal.js';
import { LESION_CLASSES, type LesionClass } from '../protocol/lesion-categories.js';

export { LESION_CLASSES, type LesionClass };

/** Pixel probability at which a pixel belongs to the lesion. */
export const LESION_LEVEL = 0.5;
/** A component smaller than this share of the model grid is noise, not a lesion (the smallest BUSI lesion covers 0.28% of its image). */
export const MIN_LESION_FRACTION = 0.002;
/**
 * Calibrated probability of the stated class below which the result is flagged as unsure: the Youden point
 * of the curve of this probability against a bad result (wrong class, lesion Dice < 0.5, or an outline on a
 * normal image) on the 104 BUSI validation groups through the runtime (int8, 1.2.0): AUROC 0.91 (95% CI
 * 0.85–0.96); below 0.8 it flags 89% of the bad results and 19% of the good ones; chosen on either half, the
 * point (0.80 / 0.82) held on the other (issue #22; `npx tsx bench/eval-support.ts`, the breast-lesion card).
 * It was 0.6 (46% of the bad results flagged).
 */
export const LOW_CONFIDENCE = 0.8;
/** Mask confidence below which the outline (and so its size, orientation and margin) is flagged as unsure. */
export const UNSURE_OUTLINE = 0.5;
/** Malignancy probability at or above which the AI's probability alone counts as a suspicious feature. */
export const SUSPICIOUS_MALIGNANCY = 0.5;
/** More clearly coloured pixels than this share of the image: a colour Doppler frame. */
export const COLOUR_DOPPLER_FRACTION = 0.01;
/** An imaging region narrower than this (pixels) is too small to judge a margin. */
export const TINY_SIDE_PX = 128;
/** An outline point this close (frame pixels) to the imaging region's border: the lesion may be cut. */
const EDGE_MARGIN_PX = 1;

export interface LesionOut extends LesionShape {
  /** closed outline in frame pixels, flat [x0, y0, x1, y1, …] */
  outline: number[];
}

export interface BreastLesionResult {
  task: 'breast-lesion';
  /** argmax of the classifier, or null when the input cannot be judged (blank or colour Doppler frame) */
  class: LesionClass | null;
  probabilities: Record<LesionClass, number>;
  malignancyProbability: number;
  /** calibrated probability of the stated class (0 when the class is withheld) */
  confidence: number;
  lesionPresent: boolean;
  /** mean (2p − 1) over the lesion times its share of all lesion pixels (a fragmented map is unsure) */
  maskConfidence: number;
  lesion?: LesionOut;
  /** plain-words decision support; always says it is unverified */
  summary: string;
  flags: Flag[];
}

const UNVERIFIED = 'AI decision support, not a diagnosis: unverified until a clinician confirms or corrects the outline.';

export class BreastLesionAnalyzer {
  readonly #labeler: ComponentLabeler;
  readonly #tracer: OutlineTracer;
  readonly #masked: Float32Array;
  #fx = new Float64Array(2048);
  #fy = new Float64Array(2048);

  constructor(
    readonly gridWidth: number,
    readonly gridHeight: number,
  ) {
    this.#labeler = new ComponentLabeler(gridWidth, gridHeight);
    this.#tracer = new OutlineTracer(gridWidth, gridHeight);
    this.#masked = new Float32Array(gridWidth * gridHeight);
  }

  analyze(prob: Float32Array, classProb: Float32Array, grid: ModelGrid, frame: FrameGeometry): BreastLesionResult {
    const { width: w, height: h } = grid;
    if (prob.length !== w * h) throw new Error(`Lesion probability map has ${prob.length} values, expected ${w}×${h}`);
    if (classProb.length !== LESION_CLASSES.length) throw new Error(`Class probabilities have ${classProb.length} values, expected ${LESION_CLASSES.length} (${LESION_CLASSES.join(', ')})`);
    const flags: Flag[] = [];
    const probabilities = normalised(classProb);
    let best = 0;
    for (let k = 1; k < LESION_CLASSES.length; k++) if (probabilities[LESION_CLASSES[k]!] > probabilities[LESION_CLASSES[best]!]) best = k;
    const malignancyProbability = probabilities.malignant;
    const base = { task: 'breast-lesion' as const, probabilities, malignancyProbability };

    if (frame.signal && frame.signal.std < BLANK_STD) {
      flags.push(flag('blank-image', 'warning', 'The image is blank (no ultrasound signal): nothing to judge.'));
      return { ...base, class: null, confidence: 0, lesionPresent: false, maskConfidence: 0, summary: `No result: the image is blank. ${UNVERIFIED}`, flags };
    }
    let withheld: string | undefined;
    if ((frame.colourFraction ?? 0) > COLOUR_DOPPLER_FRACTION) {
      withheld = 'colour Doppler frame';
      flags.push(
        flag(
          'colour-doppler',
          'warning',
          `This looks like a colour Doppler frame (${Math.round(frame.colourFraction! * 100)}% coloured pixels): the model was trained on grey B-mode images, so no class is given. Use a B-mode frame.`,
        ),
      );
    }
    if (Math.min(frame.region.width, frame.region.height) < TINY_SIDE_PX) {
      flags.push(flag('tiny-image', 'warning', `The image is only ${frame.region.width}×${frame.region.height} pixels: too small to judge a margin reliably.`));
    }

    // letterbox padding is not tissue: nothing outside the imaging region can be a lesion
    const c = grid.content;
    if (c) {
      const m = this.#masked;
      m.fill(0);
      // copied value by value: a subarray view per row would be an object per row, every frame
      const xa = Math.max(0, c.x);
      const xb = Math.min(w, c.x + c.width);
      for (let y = Math.max(0, c.y); y < Math.min(h, c.y + c.height); y++) {
        const row = y * w;
        for (let i = row + xa; i < row + xb; i++) m[i] = prob[i]!;
      }
      prob = m;
    }
    const lab = this.#labeler;
    lab.label(prob, LESION_LEVEL);
    // The most confident region, not the largest: on BUSI validation the largest region was a darker shadow
    // or fat lobule beside a small, sharply outlined cyst in 1 image in 8 (Dice 0.67 → 0.74 by choosing the
    // most confident; 0.77 → 0.79 on the training images, so not a quirk of the split).
    const minArea = MIN_LESION_FRACTION * w * h;
    const label = lab.mostConfident(minArea);
    const area = label ? lab.sizes[label - 1]! : 0;
    const lesionPresent = label > 0;
    const otherRegions = lesionPresent ? lab.countAtLeast(minArea) - 1 : 0;
    let maskConfidence = 0;
    let lesion: LesionOut | undefined;
    if (lesionPresent) {
      // every pixel ≥ the level is in some component: the count and the chosen one's sum come with the labels
      maskConfidence = modelConfidenceScore(lab.sums[label - 1]! / area, area, lab.total());
      const tr = this.#tracer;
      const n = tr.trace(prob, lab.labels, label, LESION_LEVEL);
      if (this.#fx.length < n) {
        this.#fx = new Float64Array(tr.xs.length);
        this.#fy = new Float64Array(tr.xs.length);
      }
      const fx = this.#fx;
      const fy = this.#fy;
      const ax = frameAxes(grid);
      for (let k = 0; k < n; k++) {
        fx[k] = tr.xs[k]! * ax.sx + ax.ox;
        fy[k] = tr.ys[k]! * ax.sy + ax.oy;
      }
      const shape = measureLesionShape(fx, fy, n, frame.pixelSpacing);
      if (shape) {
        // the result's own array, sized once (the published outline never shares the tracer's buffers)
        const outline = new Array<number>(2 * n);
        for (let k = 0; k < n; k++) {
          outline[2 * k] = round1(fx[k]!);
          outline[2 * k + 1] = round1(fy[k]!);
        }
        lesion = { ...shape, longAxis: roundSeg(shape.longAxis), perpendicularAxis: roundSeg(shape.perpendicularAxis), outline };
        if (touchesEdge(fx, fy, n, frame.region)) flags.push(flag('lesion-cut', 'warning', 'The lesion touches the edge of the image: part of it may be outside, so its size may be underestimated.'));
        if (otherRegions > 0)
          flags.push(
            flag('other-regions', 'info', `${otherRegions} other possible lesion region${otherRegions > 1 ? 's were' : ' was'} found with less confidence and not measured: look at the whole image.`),
          );
        if (maskConfidence < UNSURE_OUTLINE) flags.push(flag('unsure-outline', 'warning', 'The lesion outline is uncertain: check it (and so its size, orientation and margin) before relying on it.'));
      }
    } else {
      flags.push(flag('no-lesion', 'info', 'No lesion outlined in this image.'));
    }
    const cls = withheld ? null : LESION_CLASSES[best]!;
    const confidence = withheld ? 0 : probabilities[LESION_CLASSES[best]!];
    if (cls === 'normal' && lesionPresent) {
      flags.push(flag('class-mask-disagree', 'warning', `The classifier says normal (${pct(confidence)}) but a lesion was outlined: check the image yourself.`));
    } else if (cls !== null && cls !== 'normal' && !lesionPresent) {
      flags.push(flag('class-mask-disagree', 'warning', `The classifier says ${cls} (${pct(confidence)}) but no lesion was outlined: check the image yourself.`));
    }
    if (cls !== null && confidence < LOW_CONFIDENCE) flags.push(flag('low-confidence', 'warning', `The model is unsure (${pct(confidence)} for ${cls}).`));
    if (lesion && !frame.pixelSpacing) flags.push(flag('no-pixel-spacing', 'info', 'Pixel size unknown: diameters and area are in pixels, not millimetres.'));

    const suspicious: string[] = [];
    // a margin read off an uncertain outline is the model's noise, not the lesion's edge: not counted
    const marginJudged = maskConfidence >= UNSURE_OUTLINE;
    // The shape of an outline the classifier itself calls normal is not a referral reason on its own: the
    // class-mask-disagree warning already asks the clinician to look at that image.
    const shapeCounts = cls !== 'normal';
    if (shapeCounts && lesion?.orientation.tallerThanWide) suspicious.push('taller-than-wide');
    if (shapeCounts && lesion?.margin.assessment === 'irregular' && marginJudged) suspicious.push('irregular margin');
    if (lesionPresent && !withheld && malignancyProbability >= SUSPICIOUS_MALIGNANCY) suspicious.push(`AI malignancy probability ${pct(malignancyProbability)}`);
    let summary: string;
    if (suspicious.length > 0) {
      summary = `Suspicious features: ${suspicious.join(', ')} — consider biopsy referral.`;
      flags.push(flag('suspicious-features', 'alert', summary));
    } else if (lesion) {
      const orientation = lesion.orientation.tallerThanWide ? 'taller than wide' : 'wider than tall';
      summary = `Lesion ${lesion.maxDiameter.toFixed(1)} × ${lesion.perpendicularDiameter.toFixed(1)} ${lesion.units}, ${orientation}, ${marginJudged ? `${lesion.margin.assessment} margin` : 'margin not judged (outline uncertain)'}; AI malignancy probability ${pct(malignancyProbability)}.`;
    } else {
      summary = 'No lesion outlined.';
    }
    if (withheld) summary += ` No class given (${withheld}).`;
    return { ...base, class: cls, confidence, lesionPresent, maskConfidence, ...(lesion ? { lesion } : {}), summary: `${summary} ${UNVERIFIED}`, flags };
  }
}

/** The model's softmax, renormalised against rounding; NaN or negative values count as 0. */
function normalised(p: Float32Array): Record<LesionClass, number> {
  const v = Array.from(p, (x) => (x > 0 ? x : 0));
  const s = v.reduce((a, b) => a + b, 0) || 1;
  return { normal: v[0]! / s, benign: v[1]! / s, malignant: v[2]! / s };
}

function touchesEdge(xs: Float64Array, ys: Float64Array, n: number, r: FrameGeometry['region']): boolean {
  for (let k = 0; k < n; k++) {
    if (xs[k]! <= r.x - 0.5 + EDGE_MARGIN_PX || ys[k]! <= r.y - 0.5 + EDGE_MARGIN_PX || xs[k]! >= r.x + r.width - 0.5 - EDGE_MARGIN_PX || ys[k]! >= r.y + r.height - 0.5 - EDGE_MARGIN_PX) return true;
  }
  return false;
}

const pct = (p: number): string => `${Math.round(p * 100)}%`;
const round1 = (v: number): number => Math.round(v * 10) / 10;
const roundSeg = (s: Segment): Segment => ({ x1: round1(s.x1), y1: round1(s.y1), x2: round1(s.x2), y2: round1(s.y2) });
