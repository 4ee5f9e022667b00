export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / (values.length || 1);
}

export function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** A stage's figures over a run: its mean, its p99, and its mean over the results in the slowest 5% (by `totals`). */
export interface Spread {
  mean: number;
  p99: number;
  tail: number;
}

/** `values[i]` and `totals[i]` belong to one result; NaN values (a step not traced) are left out. */
export function spreadOf(values: number[], totals: number[]): Spread {
  const cut = percentile(totals, 0.95);
  const seen = values.filter((v) => !Number.isNaN(v));
  const tail = values.filter((v, i) => !Number.isNaN(v) && totals[i]! >= cut);
  return { mean: seen.length ? mean(seen) : NaN, p99: percentile(seen, 0.99), tail: tail.length ? mean(tail) : NaN };
}
