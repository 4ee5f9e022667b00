import { describe, expect, it } from 'vitest';
import { resolveIntraOpThreads } from '../../src/inference/threads.js';

describe('intra-op threads for `auto`', () => {
  it('leaves one core to the JS thread live and shares the rest between models', () => {
    expect(resolveIntraOpThreads('auto', { cores: 2, models: 1, live: true })).toBe(1);
    expect(resolveIntraOpThreads('auto', { cores: 8, models: 3, live: true })).toBe(2);
    expect(resolveIntraOpThreads('auto', { cores: 6, models: 1, live: true })).toBe(4); // capped
    expect(resolveIntraOpThreads('auto', { cores: 1, models: 2, live: true })).toBe(1); // never zero
  });
  it('uses every core (up to 4) offline, and an explicit number as given', () => {
    expect(resolveIntraOpThreads('auto', { cores: 2, models: 1, live: false })).toBe(2);
    expect(resolveIntraOpThreads(3, { cores: 2, models: 1, live: true })).toBe(3);
  });
});
