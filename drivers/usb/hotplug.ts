/**
 * Watches USB connect/disconnect events (the `usb` package's WebUSB emitter on a real bus) against a table
 * of known devices: plugging a known grabber or probe calls `attached` with its entry (the daemon starts
 * that source), unplugging calls `detached` (the daemon goes back to its configured source).
 */
export interface KnownDevice {
  vendorId: number;
  productId: number;
  name: string;
  /** the source driver and settings to run while this device is plugged in */
  driver: string;
  settings: Record<string, unknown>;
}

interface DeviceLike {
  vendorId: number;
  productId: number;
  serialNumber?: string | undefined;
}

export interface HotplugEvents {
  addEventListener(type: 'connect' | 'disconnect', listener: (ev: Event) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (ev: Event) => void): void;
}

export class UsbHotplug {
  readonly #onConnect = (ev: Event): void => this.#handle(ev, true);
  readonly #onDisconnect = (ev: Event): void => this.#handle(ev, false);

  constructor(
    private readonly events: HotplugEvents,
    private readonly table: KnownDevice[],
    private readonly attached: (known: KnownDevice) => void,
    private readonly detached: (known: KnownDevice) => void,
  ) {}

  start(): void {
    this.events.addEventListener('connect', this.#onConnect);
    this.events.addEventListener('disconnect', this.#onDisconnect);
  }

  stop(): void {
    this.events.removeEventListener('connect', this.#onConnect);
    this.events.removeEventListener('disconnect', this.#onDisconnect);
  }

  lookup(d: DeviceLike): KnownDevice | undefined {
    return this.table.find((k) => k.vendorId === d.vendorId && k.productId === d.productId);
  }

  #handle(ev: Event, connected: boolean): void {
    const device = (ev as Event & { device?: DeviceLike }).device;
    if (!device) return;
    const known = this.lookup(device);
    if (!known) return;
    if (connected) this.attached(known);
    else this.detached(known);
  }
}

/** The real bus's events (WebUSB over libusb), created only when hotplug is configured. */
export async function busEvents(): Promise<HotplugEvents> {
  const { WebUSB } = await import('usb');
  return new WebUSB({ allowAllDevices: true }) as unknown as HotplugEvents;
}
