/**
 * Measuring the decision-support scores (issue #22): does a score predict a bad result? ROC curve points,
 * the threshold a flag should use, percentile-bootstrap confidence intervals (resampling clusters, e.g. the
 * subjects of HC18, so several frames of one fetus do not count as independent evidence) and a small SVG
 * plot for the model cards. Pure functions; hand-worked values in test/eval/support-metrics.test.ts.
 */
import { rocAuc } from './busi-metrics.js';

export interface RocPoint {
  /** a case is flagged when its score is ≥ this */
  threshold: number;
  /** share of the bad cases flagged (sensitivity) */
  tpr: number;
  /** share of the good cases flagged (1 − specificity) */
  fpr: number;
}

/** ROC curve of `scores` for `positive` (higher score = more likely positive), from (0,0) to (1,1), one point per distinct score. */
export function rocCurve(scores: number[], positive: boolean[]): RocPoint[] {
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const pts: RocPoint[] = [{ threshold: Infinity, tpr: 0, fpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length;) {
    const t = order[k]![0];
    while (k < order.length && order[k]![0] === t) {
      if (positive[order[k]![1]]) tp++;
      else fp++;
      k++;
    }
    pts.push({ threshold: t, tpr: nPos ? tp / nPos : 0, fpr: nNeg ? fp / nNeg : 0 });
  }
  return pts;
}

/**
 * The curve's point with the largest Youden index (sensitivity + specificity − 1); ties go to the higher
 * threshold (fewer flags). The flag threshold a clinician sees is this point's score.
 */
export function youdenPoint(scores: number[], positive: boolean[]): RocPoint & { j: number } {
  let best: RocPoint & { j: number } = { threshold: Infinity, tpr: 0, fpr: 0, j: 0 };
  for (const p of rocCurve(scores, positive)) {
    const j = p.tpr - p.fpr;
    if (j > best.j + 1e-12) best = { ...p, j };
  }
  return best;
}

/** Sensitivity and specificity of flagging every case with score ≥ threshold. */
export function atThreshold(scores: number[], positive: boolean[], threshold: number): { sensitivity: number; specificity: number; flagged: number } {
  let tp = 0;
  let fp = 0;
  let nPos = 0;
  scores.forEach((s, i) => {
    if (positive[i]) nPos++;
    if (s >= threshold && positive[i]) tp++;
    else if (s >= threshold) fp++;
  });
  const nNeg = scores.length - nPos;
  return { sensitivity: nPos ? tp / nPos : NaN, specificity: nNeg ? 1 - fp / nNeg : NaN, flagged: scores.length ? (tp + fp) / scores.length : NaN };
}

/** Deterministic PRNG (mulberry32) so a bootstrap interval is reproducible from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Interval {
  value: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Percentile bootstrap (2.5% / 97.5% by default) of `stat` over cases, resampling whole clusters (cases
 * sharing a cluster id are drawn together). Resamples where the statistic is NaN (e.g. an AUC drawn
 * without a positive case) are dropped.
 */
export function bootstrap<T>(cases: T[], stat: (sample: T[]) => number, opts: { cluster?: (c: T) => string; rounds?: number; seed?: number; level?: number } = {}): Interval {
  const rounds = opts.rounds ?? 2000;
  const level = opts.level ?? 0.95;
  const rand = mulberry32(opts.seed ?? 22);
  const groups = new Map<string, T[]>();
  cases.forEach((c, i) => {
    const k = opts.cluster ? opts.cluster(c) : String(i);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  });
  const gs = [...groups.values()];
  const stats: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const sample: T[] = [];
    for (let k = 0; k < gs.length; k++) sample.push(...gs[Math.floor(rand() * gs.length)]!);
    const v = stat(sample);
    if (Number.isFinite(v)) stats.push(v);
  }
  stats.sort((a, b) => a - b);
  const q = (p: number): number => (stats.length ? stats[Math.min(stats.length - 1, Math.max(0, Math.round(p * (stats.length - 1))))]! : NaN);
  return { value: stat(cases), lo: q((1 - level) / 2), hi: q(1 - (1 - level) / 2), n: cases.length };
}

/** AUROC with its bootstrap interval. */
export function aurocInterval<T>(cases: T[], score: (c: T) => number, positive: (c: T) => boolean, cluster?: (c: T) => string): Interval {
  const stat = (s: T[]): number => rocAuc(s.map(score), s.map(positive));
  return bootstrap(cases, stat, cluster ? { cluster } : {});
}

export function meanOf(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** "1.23 (0.98–1.51)" */
export function fmtInterval(i: Interval, digits = 2): string {
  return `${i.value.toFixed(digits)} (${i.lo.toFixed(digits)}–${i.hi.toFixed(digits)})`;
}

/** A small, dependency-free SVG of one ROC curve with the chosen point marked. */
export function rocSvg(curve: RocPoint[], chosen: RocPoint, title: string, caption: string): string {
  const W = 360;
  const P = 44;
  const S = W - 2 * P;
  const x = (f: number): string => (P + f * S).toFixed(1);
  const y = (t: number): string => (P + (1 - t) * S).toFixed(1);
  const path = curve.map((p, i) => `${i ? 'L' : 'M'}${x(p.fpr)},${y(p.tpr)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${x(t)}" y="${P + S + 16}" font-size="10" text-anchor="middle">${t}</text><text x="${P - 6}" y="${y(t)}" font-size="10" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    )
    .join('');
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${W + 30}" viewBox="0 0 ${W} ${W + 30}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" font-size="12" text-anchor="middle">${esc(title)}</text>
<rect x="${P}" y="${P}" width="${S}" height="${S}" fill="none" stroke="#888"/>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>
<path d="${path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>
<circle cx="${x(chosen.fpr)}" cy="${y(chosen.tpr)}" r="4" fill="#c0392b"/>
${ticks}
<text x="${W / 2}" y="${P + S + 32}" font-size="11" text-anchor="middle">false-flag rate (1 − specificity)</text>
<text x="12" y="${W / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${W / 2})">bad results flagged (sensitivity)</text>
<text x="${W / 2}" y="${W + 22}" font-size="10" text-anchor="middle">${esc(caption)}</text>
</svg>
`;
}
