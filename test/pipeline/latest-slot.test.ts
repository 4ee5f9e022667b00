import { describe, expect, it } from 'vitest';
import { LatestSlot } from '../../src/pipeline/latest-slot.js';

describe('LatestSlot (latest frame wins)', () => {
  it('keeps only the newest item and counts the replaced ones', async () => {
    const slot = new LatestSlot<number>();
    const ac = new AbortController();
    for (let i = 0; i < 100; i++) slot.put(i);
    expect(await slot.take(ac.signal)).toBe(99);
    expect(slot.dropped).toBe(99);
  });
  it('hands an item straight to a waiting taker without a drop', async () => {
    const slot = new LatestSlot<string>();
    const p = slot.take(new AbortController().signal);
    slot.put('a');
    expect(await p).toBe('a');
    expect(slot.dropped).toBe(0);
  });
  it('hands out nothing once its signal has aborted, also with an item waiting (a stopped lane takes no more frames)', async () => {
    const slot = new LatestSlot<string>();
    const ac = new AbortController();
    slot.put('waiting');
    ac.abort(new Error('stopped'));
    await expect(slot.take(ac.signal)).rejects.toThrow('stopped');
    expect(slot.hasItem).toBe(true);
  });
  it('wake() settles the wait of next() without an item (a run landed), and the next wait is a new one', async () => {
    const slot = new LatestSlot<number>();
    const ac = new AbortController();
    const a = slot.next(ac.signal);
    slot.wake();
    await a;
    expect(slot.hasItem).toBe(false);
    expect(slot.next(ac.signal)).not.toBe(a);
  });
  it('a wait is bounded by its abort signal', async () => {
    const slot = new LatestSlot<string>();
    const ac = new AbortController();
    const p = slot.take(ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
  it('next() settles at the next put, an item waiting or not, and at abort; asked twice, it is one wait', async () => {
    const slot = new LatestSlot<number>();
    const ac = new AbortController();
    slot.put(1);
    const a = slot.next(ac.signal);
    expect(slot.next(ac.signal)).toBe(a);
    let settled = false;
    void a.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false); // an item waits, but nothing new came
    slot.put(2);
    await a;
    expect(await slot.take(ac.signal)).toBe(2);
    const b = slot.next(ac.signal);
    expect(b).not.toBe(a);
    ac.abort(new Error('stop'));
    await b;
  });
});
