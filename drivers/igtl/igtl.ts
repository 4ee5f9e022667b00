import { type Socket, connect } from 'node:net';
import { type Static, Type as T } from '@sinclair/typebox';
import type { Frame } from '../../src/capture/frame.js';
import { RateMeter } from '../../src/capture/rate-meter.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { errorMessage } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';
import { IgtlStreamParser, decodeImage, decodeStatus } from './protocol.js';

export const IgtlSettings = T.Object(
  {
    host: T.String({ default: '127.0.0.1' }),
    port: T.Integer({ minimum: 1, maximum: 65535, default: 18944 }),
    device: T.Optional(T.String({ description: 'Only IMAGE messages from this device name' })),
    reconnectInitialMs: T.Integer({ minimum: 10, default: 500 }),
    reconnectMaxMs: T.Integer({ minimum: 100, default: 10000 }),
  },
  { additionalProperties: false },
);
export type IgtlSettings = Static<typeof IgtlSettings>;

/**
 * OpenIGTLink client (the protocol of PLUS and 3D Slicer): IMAGE messages become frames with spacing from
 * the image matrix and the sender's timestamp; STATUS is kept for health; bad CRCs, unknown types and
 * truncated messages are counted and skipped without losing sync; the connection is retried with backoff.
 */
export class IgtlSource implements FrameSource {
  readonly driver = 'igtl';
  readonly s: IgtlSettings;
  #parser = new IgtlStreamParser();
  #sock: Socket | undefined;
  #listener: FrameListener | undefined;
  #state: SourceHealth['state'] = 'stopped';
  #seq = 0;
  #errors = 0;
  #lastError: string | undefined;
  #lastStatus: string | undefined;
  #backoff: number;
  #timer: NodeJS.Timeout | undefined;
  #rate = new RateMeter();
  readonly #guard = new SourceGuard('igtl', () => this.stop());

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
  ) {
    this.s = validateWithDefaults(IgtlSettings, settings, 'drivers.igtl settings');
    this.#backoff = this.s.reconnectInitialMs;
  }

  start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    this.#state = 'starting';
    return new Promise((resolve) => {
      this.#connect();
      resolve(); // a server that is not up yet is retried; health says so
    });
  }

  #connect(): void {
    const sock = connect({ host: this.s.host, port: this.s.port });
    this.#sock = sock;
    this.#parser = new IgtlStreamParser();
    sock.on('connect', this.#guard.wrap('connecting', () => {
      this.#state = 'running';
      this.#backoff = this.s.reconnectInitialMs;
    }));
    sock.on('data', this.#guard.wrap('message handling', (chunk: Buffer) => this.#onData(chunk)));
    sock.on('error', (err) => {
      this.#lastError = `OpenIGTLink ${this.s.host}:${this.s.port}: ${err.message}`;
    });
    sock.on('close', this.#guard.wrap('reconnecting', () => {
      if (this.#sock !== sock || this.#state === 'stopped') return;
      if (this.#parser.pending() > 0) {
        this.#errors++;
        this.#lastError = `connection closed inside a message (${this.#parser.pending()} bytes of a truncated message dropped)`;
      }
      this.#state = 'reconnecting';
      this.#timer = this.#guard.setTimeout('reconnecting', () => this.#state === 'reconnecting' && this.#connect(), this.#backoff);
      this.#backoff = Math.min(this.s.reconnectMaxMs, this.#backoff * 2);
    }));
  }

  #onData(chunk: Buffer): void {
    for (const m of this.#parser.push(chunk)) {
      if (m.header.type === 'STATUS') {
        try {
          const st = decodeStatus(m.content);
          this.#lastStatus = `${st.code}: ${st.message}`;
        } catch (err) {
          this.#errors++;
          this.#lastError = `bad STATUS: ${errorMessage(err)}`;
        }
        continue;
      }
      if (this.s.device && m.header.device !== this.s.device) continue;
      try {
        const img = decodeImage(m.content);
        const f: Frame = {
          seq: this.#seq++, timestampMs: performance.now(), width: img.width, height: img.height, channels: img.channels, data: img.pixels,
          pixelSpacing: img.spacingMm, sourceId: this.id, region: { x: 0, y: 0, width: img.width, height: img.height },
          deviceTimeS: m.header.timestampS, orientation: img.orientation,
        };
        this.#rate.tick(f.timestampMs);
        this.#listener?.(f);
      } catch (err) {
        this.#errors++;
        this.#lastError = `IMAGE from ${m.header.device}: ${errorMessage(err)}`;
      }
    }
  }

  /** Protocol counters: messages, CRC errors, unknown types, garbage bytes. */
  streamStats(): IgtlStreamParser['stats'] {
    return { ...this.#parser.stats };
  }

  lastStatus(): string | undefined {
    return this.#lastStatus;
  }

  async stop(): Promise<void> {
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    this.#sock?.destroy();
    this.#sock = undefined;
  }

  health(): SourceHealth {
    const s = this.#parser.stats;
    return this.#guard.health({ driver: this.driver, state: this.#state, connected: this.#state === 'running', fps: this.#rate.fps(), framesDelivered: this.#seq, errors: this.#errors + s.crcErrors + s.unknownTypes + s.badBodies, lastError: this.#lastError });
  }
}

export function createIgtlSource(settings: Record<string, unknown>, ctx: SourceContext): IgtlSource {
  return new IgtlSource(ctx.id, settings);
}
