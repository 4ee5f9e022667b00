/** Real touch input for the browser tests: fingers moved through Chromium's DevTools protocol (CDP). */
import type { CDPSession } from 'playwright-core';

export interface Point {
  x: number;
  y: number;
}

/**
 * A touch gesture in page pixels: finger i goes down at `from[i]`, moves in `steps` equal touchMove events
 * on a straight line to `to[i]` (all fingers together), then every finger lifts. Each event is awaited
 * before the next; nothing waits in between. Finger i is touch id i (one finger: id 0, as when no id is given).
 */
export async function touchDrag(cdp: CDPSession, from: readonly Point[], to: readonly Point[], steps: number): Promise<void> {
  if (to.length !== from.length) throw new Error(`touchDrag: ${from.length} fingers down but ${to.length} end points`);
  const at = (k: number): Array<Point & { id: number }> => from.map((p, i) => ({ x: p.x + ((to[i]!.x - p.x) * k) / steps, y: p.y + ((to[i]!.y - p.y) * k) / steps, id: i }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let k = 1; k <= steps; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}
