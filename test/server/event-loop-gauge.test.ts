/**
 * /metrics shows an event-loop stall (a long synchronous read on the HTTP thread) as it happens, before the
 * systemd watchdog kills the daemon: sonoedge_event_loop_delay_seconds{stat="max"|"p99"} over the interval
 * since the previous scrape, so the stall is reported once and the next interval starts afresh.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

function delay(text: string, stat: 'max' | 'p99'): number {
  const m = new RegExp(`^sonoedge_event_loop_delay_seconds\\{stat="${stat}"\\} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`sonoedge_event_loop_delay_seconds{stat="${stat}"} is not in /metrics`);
  return Number(m[1]);
}

/** Holds the event loop, as a read walking blobs on the HTTP thread does. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

let t: TestApp | undefined;
afterAll(async () => t?.close());

describe('event loop delay gauge', () => {
  it('reports a 400 ms stall in the next scrape, and not in the one after', async () => {
    t = await buildTestApp();
    const app = t.app;
    const metrics = async (): Promise<string> => (await app.inject({ url: '/metrics' })).body;
    await metrics(); // the interval starts here
    // the stall is seen when the loop turns again: a timer after it
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        stall(400);
        setTimeout(resolve, 30);
      }, 30),
    );
    const during = await metrics();
    expect(delay(during, 'max')).toBeGreaterThanOrEqual(0.35);
    expect(delay(during, 'p99')).toBeGreaterThanOrEqual(0.35);
    // a quiet interval after it: the stall is not reported again
    let after = await metrics();
    for (let i = 0; i < 50 && delay(after, 'max') >= 0.35; i++) after = await metrics();
    expect(delay(after, 'max')).toBeLessThan(0.35);
  });
});
