/** The shared driver helpers: health fields (SourceStatus) and reconnect backoff (ReconnectBackoff). */
import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from '../../src/capture/reconnect-backoff.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { SourceStatus } from '../../src/capture/source-status.js';

describe('driver helpers', () => {
  it('SourceStatus counts frames as sequence numbers, errors with the last message, and folds in a fault', () => {
    const guard = new SourceGuard('x', () => {});
    const st = new SourceStatus('x', guard);
    expect(st.health()).toEqual({ driver: 'x', state: 'stopped', connected: false, fps: 0, framesDelivered: 0, errors: 0, lastError: undefined });
    st.state = 'running';
    expect([st.nextFrame().seq, st.nextFrame().seq, st.nextFrame().seq]).toEqual([0, 1, 2]);
    st.note('socket error'); // kept, not counted
    st.error('bad message');
    expect(st.health(3)).toMatchObject({ state: 'running', connected: true, framesDelivered: 3, errors: 4, lastError: 'bad message' });
    st.error('device gone', 'failed');
    expect(st.health()).toMatchObject({ state: 'failed', connected: false, errors: 2 });
    guard.trip('its timer', new Error('boom'));
    expect(st.health()).toMatchObject({ state: 'failed', errors: 3, lastError: 'The x driver failed in its timer: boom' });
  });

  it('ReconnectBackoff doubles its delay up to the ceiling and starts over after a success', () => {
    const backoff = new ReconnectBackoff(100, 500, new SourceGuard('x', () => {}));
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(backoff.delayMs);
      backoff.schedule(() => {});
    }
    backoff.cancel();
    expect(delays).toEqual([100, 200, 400, 500, 500]);
    backoff.reset();
    expect(backoff.delayMs).toBe(100);
  });

  it('ReconnectBackoff runs the retry inside the guard: a throw becomes the source fault', async () => {
    const guard = new SourceGuard('x', () => {});
    const faults: string[] = [];
    guard.arm((r) => faults.push(r));
    const backoff = new ReconnectBackoff(10, 100, guard);
    await new Promise<void>((resolve) => {
      backoff.schedule(() => {
        setImmediate(resolve);
        throw new Error('cannot reconnect');
      });
    });
    expect(faults).toEqual(['The x driver failed in reconnecting: cannot reconnect']);
  });
});
