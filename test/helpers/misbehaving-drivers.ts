import type { Frame } from '../../src/capture/frame.js';
import type { SourceRegistry } from '../../src/capture/registry.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import type { FrameListener, FrameSource, SourceHealth, StartOptions } from '../../src/capture/source.js';

/**
 * Test-only drivers that misbehave the ways a real driver can, after delivering 3 good frames:
 * - `throws-in-timer`: throws from a bare setTimeout callback (an uncaught exception);
 * - `rejects-in-callback`: an async timer callback rejects (an unhandled rejection);
 * - `guarded-throw`: throws from a callback wrapped by SourceGuard (what the shipped drivers do);
 * - `malformed`: keeps sending frames that are wrong: short data, zero width, NaN spacing, a region in fractions of a pixel, a region outside.
 */
export type Misbehaviour = 'throws-in-timer' | 'rejects-in-callback' | 'guarded-throw' | 'malformed';

const W = 32;
const H = 24;

export class MisbehavingSource implements FrameSource {
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #state: SourceHealth['state'] = 'stopped';
  readonly #guard: SourceGuard;
  readonly #pixels = new Uint8Array(W * H).fill(90);

  constructor(
    readonly id: string,
    readonly driver: Misbehaviour,
  ) {
    this.#guard = new SourceGuard(driver, () => this.stop());
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#state = 'running';
    this.#guard.arm(options?.onFault);
    const tick = (): void => {
      if (this.#state !== 'running') return;
      if (this.#seq === 3 && this.driver !== 'malformed') throw new Error('driver bug: exploded after 3 frames');
      listener(this.driver === 'malformed' ? this.#bad() : this.#good());
      this.#timer = setTimeout(scheduled, 20);
    };
    const scheduled = this.driver === 'guarded-throw' ? this.#guard.wrap('its frame timer', tick) : this.driver === 'rejects-in-callback' ? async (): Promise<void> => tick() : tick;
    this.#timer = setTimeout(scheduled, 20);
  }

  #good(): Frame {
    return { seq: this.#seq++, timestampMs: performance.now(), width: W, height: H, channels: 1, data: this.#pixels, pixelSpacing: { x: 0.2, y: 0.2 }, sourceId: this.id, region: { x: 0, y: 0, width: W, height: H } };
  }

  #bad(): Frame {
    const f = this.#good();
    switch (f.seq % 5) {
      case 0: return { ...f, data: this.#pixels.subarray(1) };
      case 1: return { ...f, width: 0 };
      case 2: return { ...f, pixelSpacing: { x: Number.NaN, y: 0.2 } };
      case 3: return { ...f, region: { x: 2.5, y: 0, width: W - 4, height: H } };
      default: return { ...f, region: { x: 10, y: 0, width: W, height: H } };
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#state = 'stopped';
  }

  health(): SourceHealth {
    return this.#guard.health({ driver: this.driver, state: this.#state, connected: this.#state === 'running', fps: 0, framesDelivered: this.#seq, errors: 0, lastError: undefined });
  }
}

export function registerMisbehaving(registry: SourceRegistry): SourceRegistry {
  for (const how of ['throws-in-timer', 'rejects-in-callback', 'guarded-throw', 'malformed'] as const) registry.register(how, (_settings, ctx) => new MisbehavingSource(ctx.id, how));
  return registry;
}
