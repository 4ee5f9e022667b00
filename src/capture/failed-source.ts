import type { FrameListener, FrameSource, SourceHealth } from './source.js';

/**
 * Stands in for a source that could not start (device missing, file unreadable) or that failed while
 * running (a fault in its driver): the daemon stays up, health shows the driver and the reason (with the
 * counters the source had reached), and another source can be switched in without a restart.
 */
export class FailedSource implements FrameSource {
  constructor(
    readonly id: string,
    readonly driver: string,
    private readonly reason: string,
    private readonly before?: SourceHealth,
  ) {}

  async start(_listener: FrameListener): Promise<void> {
    throw new Error(this.reason);
  }

  async stop(): Promise<void> {}

  health(): SourceHealth {
    const b = this.before;
    const errors = b ? b.errors + (b.state === 'failed' ? 0 : 1) : 1;
    return { driver: this.driver, state: 'failed', connected: false, fps: 0, framesDelivered: b?.framesDelivered ?? 0, errors, lastError: this.reason };
  }
}
