import { type Socket, connect } from 'node:net';
import { type Static, Type as T } from '@sinclair/typebox';
import type { Frame } from '../../src/capture/frame.js';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';
import { ReconnectBackoff } from '../../src/capture/reconnect-backoff.js';
import { SourceStatus } from '../../src/capture/source-status.js';
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
    /**
     * Connected but no IMAGE (of `device`) for this long: the connection is dropped and made again. At most 8 s,
     * under the daemon's watchdog judgement (10 s without a frame while frames are due restarts it).
     */
    signalLossMs: T.Integer({ minimum: 100, maximum: 8000, default: 3000 }),
  },
  { additionalProperties: false },
);
export type IgtlSettings = Static<typeof IgtlSettings>;

/** A network client may point the client at a tracking/imaging server (host name or address, port) and pick a device. */
export const igtlNetworkPolicy: NetworkPolicy = {
  schema: allowOnly(IgtlSettings, ['host', 'port', 'device', 'reconnectInitialMs', 'reconnectMaxMs', 'signalLossMs'], {
    host: T.String({ pattern: '^[A-Za-z0-9.:-]{1,253}$', description: 'Host name, IPv4 or IPv6 address' }),
    device: T.String({ minLength: 1, maxLength: 20, description: 'OpenIGTLink device names are at most 20 bytes' }),
    reconnectInitialMs: T.Integer({ minimum: 10, maximum: 60000 }),
    reconnectMaxMs: T.Integer({ minimum: 100, maximum: 600000 }),
  }),
};

/**
 * OpenIGTLink client (the protocol of PLUS and 3D Slicer): IMAGE messages become frames with spacing from
 * the image matrix and the sender's timestamp; STATUS is kept for health; bad CRCs, unknown types and
 * truncated messages are counted and skipped without losing sync; the connection is retried with backoff.
 *
 * The source is `running` only while IMAGE messages arrive: connected, it stays `starting` (or `reconnecting`)
 * until the first one, and a connection with no IMAGE for `signalLossMs` is dropped and made again (a paused
 * sender, a frozen scanner, or a half-open connection nobody closed). Health then says so, and the daemon's
 * watchdog judges no frames as due (as for a v4l2 grabber that lost its signal) instead of restarting it.
 */
export class IgtlSource implements FrameSource {
  readonly driver = 'igtl';
  readonly s: IgtlSettings;
  #parser = new IgtlStreamParser();
  #sock: Socket | undefined;
  #listener: FrameListener | undefined;
  #lastStatus: string | undefined;
  /** the current socket is connected; since when its last IMAGE (or the connection) came, performance.now() */
  #connected = false;
  #lastImageAt = 0;
  #watchdog: NodeJS.Timeout | undefined;
  readonly #guard = new SourceGuard('igtl', () => this.stop());
  readonly #status = new SourceStatus('igtl', this.#guard);
  readonly #backoff: ReconnectBackoff;

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
  ) {
    this.s = validateWithDefaults(IgtlSettings, settings, 'drivers.igtl settings');
    this.#backoff = new ReconnectBackoff(this.s.reconnectInitialMs, this.s.reconnectMaxMs, this.#guard);
  }

  start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    this.#status.state = 'starting';
    this.#watchdog = this.#guard.setInterval('its no-IMAGE watchdog', () => this.#checkSignal(), Math.max(50, this.s.signalLossMs / 4));
    return new Promise((resolve) => {
      this.#connect();
      resolve(); // a server that is not up yet is retried; health says so
    });
  }

  #connect(): void {
    const sock = connect({ host: this.s.host, port: this.s.port });
    this.#sock = sock;
    this.#parser.reset(); // its counters go on: errors_total never goes backwards
    this.#connected = false;
    sock.on(
      'connect',
      this.#guard.wrap('connecting', () => {
        if (this.#sock !== sock) return;
        this.#connected = true;
        this.#lastImageAt = performance.now();
      }),
    );
    sock.on(
      'data',
      this.#guard.wrap('message handling', (chunk: Buffer) => this.#sock === sock && this.#onData(chunk)),
    );
    sock.on('error', (err) => {
      this.#status.note(`OpenIGTLink ${this.s.host}:${this.s.port}: ${err.message}`);
    });
    sock.on(
      'close',
      this.#guard.wrap('reconnecting', () => {
        if (this.#sock !== sock || this.#status.state === 'stopped') return;
        if (this.#parser.pending() > 0) {
          this.#status.error(`connection closed inside a message (${this.#parser.pending()} bytes of a truncated message dropped)`);
        }
        this.#reconnect();
      }),
    );
  }

  #reconnect(): void {
    this.#sock = undefined;
    this.#connected = false;
    this.#status.state = 'reconnecting';
    this.#backoff.schedule(() => this.#status.state === 'reconnecting' && this.#connect());
  }

  #checkSignal(): void {
    if (!this.#connected || performance.now() - this.#lastImageAt <= this.s.signalLossMs) return;
    const which = this.s.device ? `IMAGE from ${this.s.device}` : 'IMAGE';
    this.#status.error(
      `Connected to ${this.s.host}:${this.s.port} but no ${which} for ${this.s.signalLossMs} ms: the sender is paused or the connection is dead; reconnecting (check that the server streams images)`,
    );
    const sock = this.#sock;
    this.#reconnect(); // first: the dropped socket's close is then not this connection's any more
    sock?.destroy();
  }

  #onData(chunk: Buffer): void {
    for (const m of this.#parser.push(chunk)) {
      if (m.header.type === 'STATUS') {
        try {
          const st = decodeStatus(m.content);
          this.#lastStatus = `${st.code}: ${st.message}`;
        } catch (err) {
          this.#status.error(`bad STATUS: ${errorMessage(err)}`);
        }
        continue;
      }
      if (this.s.device && m.header.device !== this.s.device) continue;
      try {
        const img = decodeImage(m.content);
        this.#lastImageAt = performance.now();
        this.#status.state = 'running';
        this.#backoff.reset();
        const f: Frame = {
          ...this.#status.nextFrame(),
          width: img.width,
          height: img.height,
          channels: img.channels,
          data: img.pixels,
          pixelSpacing: img.spacingMm,
          sourceId: this.id,
          region: { x: 0, y: 0, width: img.width, height: img.height },
          deviceTimeS: m.header.timestampS,
          orientation: img.orientation,
        };
        this.#listener?.(f);
      } catch (err) {
        this.#status.error(`IMAGE from ${m.header.device}: ${errorMessage(err)}`);
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
    this.#status.state = 'stopped';
    this.#backoff.cancel();
    clearInterval(this.#watchdog);
    this.#connected = false;
    this.#sock?.destroy();
    this.#sock = undefined;
  }

  health(): SourceHealth {
    const s = this.#parser.stats;
    return this.#status.health(s.crcErrors + s.unknownTypes + s.badBodies);
  }
}

export function createIgtlSource(settings: Record<string, unknown>, ctx: SourceContext): IgtlSource {
  return new IgtlSource(ctx.id, settings);
}
