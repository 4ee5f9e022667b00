import { describe, expect, it } from 'vitest';
import { hypot2, hypot3 } from '../../src/analysis/hypot.js';
import { rng } from './fixtures/golden-cases.js';

/** The written-out hypot must give Math.hypot's double, bit for bit: the golden outputs depend on it. */
describe('hypot2 / hypot3', () => {
  const special = [0, -0, 1, -1, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, 1e-300, Infinity, -Infinity, NaN, 0.1, 3, 4];

  it('equals Math.hypot on special values, every combination', () => {
    for (const a of special)
      for (const b of special) {
        expect(Object.is(hypot2(a, b), Math.hypot(a, b)), `${a}, ${b}`).toBe(true);
        for (const c of special) expect(Object.is(hypot3(a, b, c), Math.hypot(a, b, c)), `${a}, ${b}, ${c}`).toBe(true);
      }
  });

  it('equals Math.hypot on 300,000 seeded values over 40 orders of magnitude, ties and zeros included', () => {
    const r = rng(22);
    const v = (): number => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    let differ = 0;
    for (let i = 0; i < 300_000; i++) {
      const a = v();
      const b = i % 7 === 0 ? 0 : i % 5 === 0 ? -a : v();
      const c = i % 11 === 0 ? a : v();
      if (!Object.is(hypot2(a, b), Math.hypot(a, b)) || !Object.is(hypot3(a, b, c), Math.hypot(a, b, c))) differ++;
    }
    expect(differ).toBe(0);
  });
});
