import { type Static, Type as T } from '@sinclair/typebox';
import { SerialPort } from 'serialport';
import type { ProbeControl, ProbeControlHealth, ProbeEvent } from '../../src/capture/probe-control.js';
import { validateWithDefaults } from '../../src/util/validate.js';
import { ProbeFrameParser } from './protocol.js';

export const SerialProbeSettings = T.Object(
  {
    path: T.String({ minLength: 1, description: 'Serial device, e.g. /dev/ttyUSB0' }),
    baudRate: T.Integer({ minimum: 1200, maximum: 4_000_000, default: 115200 }),
    reconnectMs: T.Integer({ minimum: 50, default: 2000 }),
  },
  { additionalProperties: false },
);
export type SerialProbeSettings = Static<typeof SerialProbeSettings>;

/** Probe buttons and settings over a serial line, with reconnect when the port goes away. */
export class SerialProbe implements ProbeControl {
  readonly driver = 'serial';
  readonly s: SerialProbeSettings;
  readonly #parser = new ProbeFrameParser();
  #port: SerialPort | undefined;
  #listener: ((e: ProbeEvent) => void) | undefined;
  #stopped = true;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: Record<string, unknown>) {
    this.s = validateWithDefaults(SerialProbeSettings, settings, 'probeControl serial settings');
  }

  async start(listener: (e: ProbeEvent) => void): Promise<void> {
    this.#listener = listener;
    this.#stopped = false;
    await this.#open();
  }

  #open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: this.s.path, baudRate: this.s.baudRate, autoOpen: false });
      port.open((err) => {
        if (err) {
          this.#lastError = `Cannot open ${this.s.path}: ${err.message}`;
          return reject(new Error(this.#lastError));
        }
        this.#port = port;
        port.on('data', (chunk: Buffer) => {
          for (const e of this.#parser.push(chunk)) this.#listener?.(e);
        });
        port.on('close', () => this.#reconnect('port closed'));
        port.on('error', (e) => this.#reconnect(e.message));
        resolve();
      });
    });
  }

  #reconnect(why: string): void {
    this.#port = undefined;
    if (this.#stopped) return;
    this.#lastError = `Serial link lost (${why}); retrying`;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#open().catch(() => this.#reconnect('open failed')), this.s.reconnectMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const p = this.#port;
    this.#port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }

  health(): ProbeControlHealth {
    return { driver: this.driver, connected: !!this.#port?.isOpen, ...this.#parser.stats, lastError: this.#lastError };
  }
}
