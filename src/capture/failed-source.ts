import type { FrameListener, FrameSource, SourceHealth } from './source.js';

/**
 * Stands in for a source that could not start (device missing, file unreadable): the daemon stays up,
 * health shows the driver and the reason, and another source can be switched in without a restart.
 */
export class FailedSource implements FrameSource {
  constructor(
    readonly id: string,
    readonly driver: string,
    private readonly reason: string,
  ) {}

  async start(_listener: FrameListener): Promise<void> {
    throw new Error(this.reason);
  }

  async stop(): Promise<void> {}

  health(): SourceHealth {
    return { driver: this.driver, state: 'failed', connected: false, fps: 0, framesDelivered: 0, errors: 1, lastError: this.reason };
  }
}
