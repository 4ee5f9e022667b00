import { type Static, Type as T } from '@sinclair/typebox';
import type { Frame } from '../../src/capture/frame.js';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';
import { ReconnectBackoff } from '../../src/capture/reconnect-backoff.js';
import { SourceStatus } from '../../src/capture/source-status.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { errorMessage } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';
import { FrameAssembler } from './frame-assembler.js';

export const UsbBulkSettings = T.Object(
  {
    vendorId: T.Integer({ minimum: 0, maximum: 0xffff }),
    productId: T.Integer({ minimum: 0, maximum: 0xffff }),
    configuration: T.Integer({ minimum: 1, default: 1 }),
    interface: T.Integer({ minimum: 0, default: 0 }),
    endpoint: T.Integer({ minimum: 1, maximum: 15, default: 1, description: 'IN endpoint number' }),
    width: T.Integer({ minimum: 8, maximum: 4096 }),
    height: T.Integer({ minimum: 8, maximum: 4096 }),
    bytesPerPixel: T.Union([T.Literal(1), T.Literal(2)], { default: 1 }),
    syncMarker: T.String({ pattern: '^([0-9a-fA-F]{2}){2,16}$', default: 'A55AF00F', description: 'hex bytes before every frame' }),
    transferBytes: T.Integer({ minimum: 512, maximum: 1 << 22, default: 65536 }),
    pixelSpacingMm: T.Optional(T.Number({ exclusiveMinimum: 0 })),
    /**
     * Open but no frame for this long: the device is closed and opened again. At most 8 s, under the daemon's
     * watchdog judgement (10 s without a frame while frames are due restarts it).
     */
    signalLossMs: T.Integer({ minimum: 100, maximum: 8000, default: 3000 }),
  },
  { additionalProperties: false },
);
export type UsbBulkSettings = Static<typeof UsbBulkSettings>;

/** Every USB setting is a bounded number or a hex marker: all may come from the network (the device must be plugged in). */
export const usbNetworkPolicy: NetworkPolicy = { schema: allowOnly(UsbBulkSettings, Object.keys(UsbBulkSettings.properties)) };

/** The part of a WebUSB USBDevice this driver uses (the `usb` package's devices, or a recording). */
export interface BulkDevice {
  vendorId: number;
  productId: number;
  open(): Promise<void>;
  selectConfiguration(n: number): Promise<void>;
  claimInterface(n: number): Promise<void>;
  transferIn(endpoint: number, length: number): Promise<{ status?: string; data?: DataView }>;
  close(): Promise<void>;
}

/**
 * Reads frames from a bulk IN endpoint: marker + fixed geometry, reassembled across transfers. `running` only
 * while frames come: `starting` until the first, and a device open with no frame for `signalLossMs` (a frozen
 * probe, a transfer that never completes) is counted, closed and opened again with backoff (`reconnecting`),
 * so health says so and the daemon's watchdog sees no frames due instead of restarting the daemon.
 */
export class UsbBulkSource implements FrameSource {
  readonly driver = 'usb';
  readonly s: UsbBulkSettings;
  readonly assembler: FrameAssembler;
  #device: BulkDevice | undefined;
  #listener: FrameListener | undefined;
  #loop: Promise<void> | undefined;
  #lastFrameAt = 0;
  #watchdog: NodeJS.Timeout | undefined;
  readonly #guard = new SourceGuard('usb', () => this.stop());
  readonly #status = new SourceStatus('usb', this.#guard);
  readonly #backoff = new ReconnectBackoff(500, 10_000, this.#guard);

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
    private readonly find: (vendorId: number, productId: number) => Promise<BulkDevice | undefined>,
  ) {
    this.s = validateWithDefaults(UsbBulkSettings, settings, 'drivers.usb settings');
    this.assembler = new FrameAssembler(Buffer.from(this.s.syncMarker, 'hex'), this.s.width, this.s.height, this.s.bytesPerPixel);
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    this.#status.state = 'starting';
    await this.#open().catch((err: unknown) => {
      this.#status.state = 'stopped';
      throw err;
    });
    this.#watchdog = this.#guard.setInterval('its no-frame watchdog', () => this.#checkSignal(), Math.max(50, this.s.signalLossMs / 4));
  }

  get #name(): string {
    const hex = (n: number): string => n.toString(16).padStart(4, '0');
    return `USB device ${hex(this.s.vendorId)}:${hex(this.s.productId)}`;
  }

  async #open(): Promise<void> {
    const dev = await this.find(this.s.vendorId, this.s.productId);
    if (!dev) throw new Error(`${this.#name} is not connected`);
    await dev.open();
    await dev.selectConfiguration(this.s.configuration);
    await dev.claimInterface(this.s.interface);
    if (this.#status.state === 'stopped') return void (await dev.close().catch(() => {})); // stopped meanwhile
    this.assembler.reset();
    this.#device = dev;
    this.#lastFrameAt = performance.now();
    this.#loop = this.#guard.watch('its bulk read loop', this.#read(dev));
  }

  #checkSignal(): void {
    const dev = this.#device;
    const st = this.#status.state;
    if (!dev || st === 'failed' || st === 'stopped' || performance.now() - this.#lastFrameAt <= this.s.signalLossMs) return;
    this.#status.error(`${this.#name} is open but sent no frame for ${this.s.signalLossMs} ms (probe frozen or not streaming?); opening it again`, 'reconnecting');
    this.#device = undefined; // its read loop ends at its next transfer; closing ends a transfer that hangs
    void dev.close().catch(() => {});
    this.#backoff.schedule(() => this.#guard.watch('opening the device again', this.#reopen()));
  }

  async #reopen(): Promise<void> {
    if (this.#status.state !== 'reconnecting') return;
    try {
      await this.#open();
    } catch (err) {
      if (this.#status.state === 'reconnecting') this.#status.error(`Opening ${this.#name} again failed: ${errorMessage(err)}`, 'failed');
    }
  }

  async #read(dev: BulkDevice): Promise<void> {
    while (this.#device === dev) {
      let r: Awaited<ReturnType<BulkDevice['transferIn']>>;
      try {
        r = await dev.transferIn(this.s.endpoint, this.s.transferBytes);
      } catch (err) {
        if (this.#device !== dev) return; // closed here: stopped, or opened again
        this.#status.error(`Bulk transfer failed (device unplugged?): ${errorMessage(err)}`, 'failed');
        return;
      }
      if (this.#device !== dev) return;
      if (r.status && r.status !== 'ok') {
        this.#status.error(`Bulk transfer status ${r.status}`);
        continue;
      }
      if (!r.data || r.data.byteLength === 0) continue;
      for (const px of this.assembler.push(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength))) {
        this.#lastFrameAt = performance.now();
        this.#status.state = 'running';
        this.#backoff.reset();
        const f: Frame = {
          ...this.#status.nextFrame(),
          width: this.s.width,
          height: this.s.height,
          channels: 1,
          data: px,
          pixelSpacing: this.s.pixelSpacingMm ? { x: this.s.pixelSpacingMm, y: this.s.pixelSpacingMm } : undefined,
          sourceId: this.id,
          region: { x: 0, y: 0, width: this.s.width, height: this.s.height },
        };
        this.#listener?.(f);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#status.state !== 'failed') this.#status.state = 'stopped';
    this.#backoff.cancel();
    clearInterval(this.#watchdog);
    const dev = this.#device;
    this.#device = undefined;
    await dev?.close().catch(() => {});
    await this.#loop?.catch(() => {});
  }

  health(): SourceHealth {
    return this.#status.health(this.assembler.stats.resyncs);
  }
}

/** Finds devices on the real bus through the `usb` package's WebUSB interface (loaded only when used). */
export async function findOnBus(vendorId: number, productId: number): Promise<BulkDevice | undefined> {
  const { WebUSB } = await import('usb');
  const web = new WebUSB({ allowAllDevices: true });
  return (await web.getDevices()).find((d) => d.vendorId === vendorId && d.productId === productId) as unknown as BulkDevice | undefined;
}

export function createUsbBulkSource(settings: Record<string, unknown>, ctx: SourceContext): UsbBulkSource {
  return new UsbBulkSource(ctx.id, settings, findOnBus);
}
