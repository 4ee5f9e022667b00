import { describe, expect, it } from 'vitest';
import { RunPermits } from '../../src/pipeline/run-permits.js';

describe('RunPermits (model runs at once, one per core)', () => {
  it('grants up to its total at once, then hands each returned permit to the first waiter', async () => {
    const p = new RunPermits(2);
    expect(p.tryAcquire()).toBe(true);
    expect(p.tryAcquire()).toBe(true);
    expect(p.tryAcquire()).toBe(false);
    expect(p.contended).toBe(false);
    const order: string[] = [];
    const a = p.acquire(new AbortController().signal).then(() => order.push('a'));
    const b = p.acquire(new AbortController().signal).then(() => order.push('b'));
    expect(p.contended).toBe(true);
    p.release();
    await a;
    expect(order).toEqual(['a']);
    p.release();
    await b;
    expect(order).toEqual(['a', 'b']);
    expect(p.contended).toBe(false);
    expect(p.tryAcquire()).toBe(false); // both permits are held again (by a and b)
    p.release();
    p.release();
    p.release(); // one too many is not a third permit
    expect(p.tryAcquire()).toBe(true);
    expect(p.tryAcquire()).toBe(true);
    expect(p.tryAcquire()).toBe(false);
  });

  it('a wait is bounded by its abort signal and leaves the queue when aborted', async () => {
    const p = new RunPermits(1);
    expect(p.tryAcquire()).toBe(true);
    const ac = new AbortController();
    const waiting = p.acquire(ac.signal);
    ac.abort(new Error('Pipeline stopped'));
    await expect(waiting).rejects.toThrow('Pipeline stopped');
    expect(p.contended).toBe(false);
    p.release();
    expect(p.tryAcquire()).toBe(true);
  });

  it('refuses a count that is not a whole number of at least one, saying what to use', () => {
    expect(() => new RunPermits(0)).toThrow(/whole number ≥ 1, got 0; use 1 on a one-core board/);
    expect(() => new RunPermits(1.5)).toThrow(/got 1.5/);
  });
});
