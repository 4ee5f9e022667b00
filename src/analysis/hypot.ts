/**
 * Math.hypot for two and three numbers, written out with the algorithm V8 uses (the largest absolute value
 * normalises the others, a compensated (Kahan) sum of their squares, √sum · max; ±∞ wins over NaN): the same
 * double, bit for bit (test/analysis/hypot.test.ts), without the builtin's array of its arguments, which it
 * allocates on every call. The live path calls these per outline point.
 */
export function hypot2(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x === Infinity || y === Infinity) return Infinity;
  if (x !== x || y !== y) return NaN;
  const max = x > y ? x : y;
  if (max === 0) return 0;
  // the compensated sum of two terms: its compensation is still 0 when the second is added
  const n = x / max;
  const m = y / max;
  return Math.sqrt(n * n + m * m) * max;
}

export function hypot3(a: number, b: number, c: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const z = Math.abs(c);
  if (x === Infinity || y === Infinity || z === Infinity) return Infinity;
  if (x !== x || y !== y || z !== z) return NaN;
  let max = x > y ? x : y;
  if (z > max) max = z;
  if (max === 0) return 0;
  let sum = 0;
  let comp = 0;
  let n = x / max;
  let summand = n * n - comp;
  let pre = sum + summand;
  comp = pre - sum - summand;
  sum = pre;
  n = y / max;
  summand = n * n - comp;
  pre = sum + summand;
  comp = pre - sum - summand;
  sum = pre;
  n = z / max;
  summand = n * n - comp;
  pre = sum + summand;
  comp = pre - sum - summand;
  sum = pre;
  return Math.sqrt(sum) * max;
}
