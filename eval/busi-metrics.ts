/**
 * Classification and calibration metrics for the breast-lesion evaluation. Pure functions; golden values
 * in test/eval/busi-metrics.test.ts are worked by hand. eval/ is the evaluation kit shared by bench/ (the
 * evaluation scripts) and test/; tests never import from bench/.
 */

/** Area under the ROC curve (Mann–Whitney U; ties count one half). NaN without both classes. */
export function rocAuc(scores: number[], positive: boolean[]): number {
  const pos = scores.filter((_, i) => positive[i]);
  const neg = scores.filter((_, i) => !positive[i]);
  if (pos.length === 0 || neg.length === 0) return NaN;
  // rank-based: average ranks over ties
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Array<number>(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) rank[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const sumPos = positive.reduce((a, p, i) => a + (p ? rank[i]! : 0), 0);
  return (sumPos - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/**
 * Best sensitivity among thresholds whose specificity is at least `minSpecificity` (a case is called
 * positive when its score is ≥ the threshold), and that threshold.
 */
export function sensitivityAtSpecificity(scores: number[], positive: boolean[], minSpecificity = 0.9): { sensitivity: number; threshold: number; specificity: number } {
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let best = { sensitivity: 0, threshold: Infinity, specificity: 1 };
  for (const t of thresholds) {
    let tp = 0;
    let fp = 0;
    scores.forEach((s, i) => {
      if (s >= t && positive[i]) tp++;
      else if (s >= t) fp++;
    });
    const spec = nNeg ? 1 - fp / nNeg : 1;
    if (spec < minSpecificity) break;
    const sens = nPos ? tp / nPos : 0;
    if (sens >= best.sensitivity) best = { sensitivity: sens, threshold: t, specificity: spec };
  }
  return best;
}

/** Accuracy and macro-averaged F1 over `classes` (a prediction of null counts as wrong for every class). */
export function accuracyAndMacroF1(truth: string[], predicted: Array<string | null>, classes: readonly string[]): { accuracy: number; macroF1: number; perClassF1: Record<string, number> } {
  const correct = truth.filter((t, i) => t === predicted[i]).length;
  const perClassF1: Record<string, number> = {};
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i];
      if (p === c && t === c) tp++;
      else if (p === c) fp++;
      else if (t === c) fn++;
    });
    perClassF1[c] = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  const f1s = Object.values(perClassF1);
  return { accuracy: truth.length ? correct / truth.length : NaN, macroF1: f1s.reduce((a, b) => a + b, 0) / (f1s.length || 1), perClassF1 };
}

/**
 * Expected calibration error of the top-label confidence: |accuracy − mean confidence| per equal-width
 * bin, weighted by the bin's share of cases (Guo et al., ICML 2017).
 */
export function expectedCalibrationError(confidence: number[], correct: boolean[], bins = 10): number {
  const n = confidence.length;
  if (n === 0) return NaN;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const lo = b / bins;
    const hi = (b + 1) / bins;
    const idx = confidence
      .map((c, i) => [c, i] as const)
      .filter(([c]) => (b === 0 ? c >= lo : c > lo) && c <= hi)
      .map(([, i]) => i);
    if (idx.length === 0) continue;
    const acc = idx.filter((i) => correct[i]).length / idx.length;
    const conf = idx.reduce((a, i) => a + confidence[i]!, 0) / idx.length;
    ece += (idx.length / n) * Math.abs(acc - conf);
  }
  return ece;
}

/** Dice and IoU of two binary masks (value > 0 is inside). Both empty: 1 and 1. */
export function overlap(a: Uint8Array, b: Uint8Array): { dice: number; iou: number } {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! > 0 ? 1 : 0;
    const y = b[i]! > 0 ? 1 : 0;
    inter += x & y;
    sa += x;
    sb += y;
  }
  if (sa + sb === 0) return { dice: 1, iou: 1 };
  return { dice: (2 * inter) / (sa + sb), iou: inter / (sa + sb - inter) };
}
