import type { Frame } from './frame.js';

/** What the daemon, /api/health and the UI know about a source. */
export interface SourceHealth {
  driver: string;
  state: 'stopped' | 'starting' | 'running' | 'reconnecting' | 'failed';
  connected: boolean;
  fps: number;
  framesDelivered: number;
  errors: number;
  lastError: string | undefined;
}

export type FrameListener = (frame: Frame) => void;

export interface StartOptions {
  signal?: AbortSignal;
  /**
   * Told once when one of the source's own callbacks fails after `start` resolved (see SourceGuard); the
   * source has then stopped itself and its health reads "failed" with the same reason.
   */
  onFault?: (reason: string) => void;
}

/**
 * One capture device or stream. Drivers live in drivers/<name>/ and know nothing of models or servers.
 *
 * Contract: `start` resolves once frames can flow (or rejects with a clear error); frames are delivered
 * to the listener in seq order, never concurrently; `stop` is idempotent and resolves when no further
 * frame will be delivered. A fault in the driver's own callbacks never escapes as an uncaught exception:
 * it stops the source and is reported through `onFault` and `health` (drivers use SourceGuard for this).
 */
export interface FrameSource {
  readonly id: string;
  readonly driver: string;
  start(listener: FrameListener, options?: StartOptions): Promise<void>;
  stop(): Promise<void>;
  health(): SourceHealth;
}

/** Builds a source from its own config section; `settings` is validated by the driver. */
export type FrameSourceFactory = (settings: Record<string, unknown>, ctx: SourceContext) => FrameSource;

export interface SourceContext {
  id: string;
  /** Resolves relative paths in the driver's settings (to the config file's folder). */
  baseDir: string;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}
