/**
 * A USB probe that is open but stops sending (a frozen probe, a transfer that never completes): the bulk reader
 * runs over a device made here (no USB bus on this machine) whose transfers hang until it is closed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { type BulkDevice, UsbBulkSource } from '../../drivers/usb/usb-bulk.js';
import { ServiceLifecycle } from '../../src/service/lifecycle.js';
import { SystemdNotifier } from '../../src/service/notify.js';

const MARKER = Buffer.from('A55AF00F', 'hex');
const W = 16;
const H = 8;

/** Each opening of the device streams the next session's transfers, then hangs until closed. */
function sessionDevice(sessions: Buffer[][]): BulkDevice & { opens: number } {
  let queue: Buffer[] = [];
  let hang: ((err: Error) => void) | undefined;
  let closed = true;
  const dev = {
    vendorId: 0x1234,
    productId: 0x5678,
    opens: 0,
    open: async () => {
      queue = [...(sessions[dev.opens++] ?? [])];
      closed = false;
    },
    selectConfiguration: async () => {},
    claimInterface: async () => {},
    close: async () => {
      closed = true;
      hang?.(new Error('LIBUSB_TRANSFER_CANCELLED'));
      hang = undefined;
    },
    transferIn: async () => {
      await new Promise((r) => setTimeout(r, 1));
      if (closed) throw new Error('LIBUSB_ERROR_NO_DEVICE');
      const t = queue.shift();
      if (!t) return new Promise<never>((_, reject) => (hang = reject)); // nothing comes until the device is closed
      return { status: 'ok', data: new DataView(t.buffer, t.byteOffset, t.byteLength) };
    },
  };
  return dev;
}

const frames = (...fills: number[]): Buffer[] => [Buffer.concat([...fills.flatMap((v) => [MARKER, Buffer.alloc(W * H, v)]), MARKER])];

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('usb: a device that goes quiet', () => {
  it('leaves running within signalLossMs, is opened again, and frames resume; READY is not held back', async () => {
    const dev = sessionDevice([frames(1, 2, 3), frames(4, 5, 6)]); // then each session hangs
    const src = new UsbBulkSource('usb', { vendorId: 0x1234, productId: 0x5678, width: W, height: H, signalLossMs: 300 }, async () => dev);
    const got: Frame[] = [];
    await src.start((f) => got.push(f));
    stop = () => src.stop();
    await vi.waitFor(() => expect(got.length).toBe(3), { timeout: 3000, interval: 10 });
    expect(src.health().state).toBe('running');
    await vi.waitFor(() => expect(src.health().state).not.toBe('running'), { timeout: 3000, interval: 10 });
    expect(src.health().lastError).toMatch(/no frame for 300 ms/);
    // as the pipeline's heartbeat: frames (and model results) due only while the source runs
    const life = new ServiceLifecycle({
      notifier: new SystemdNotifier({ env: {} }),
      heartbeat: { lastFrameAt: () => 0, lastResultAt: () => 0, framesExpected: () => src.health().state === 'running' },
    });
    life.startupComplete('test');
    expect(life.state).toBe('ready');
    await vi.waitFor(() => expect(got.length).toBe(6), { timeout: 5000, interval: 10 });
    expect(got.map((f) => f.data[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dev.opens).toBe(2);
    expect(src.health().state).toBe('running');
    await life.stopping('test');
  });

  it('a device that never sends is not reported running', async () => {
    const dev = sessionDevice([]);
    const src = new UsbBulkSource('usb', { vendorId: 0x1234, productId: 0x5678, width: W, height: H, signalLossMs: 200 }, async () => dev);
    await src.start(() => {});
    stop = () => src.stop();
    expect(src.health()).toMatchObject({ state: 'starting', connected: false });
    await vi.waitFor(() => expect(dev.opens).toBeGreaterThanOrEqual(2), { timeout: 3000, interval: 10 });
    expect(src.health().state).toBe('reconnecting');
    expect(src.health().errors).toBeGreaterThanOrEqual(1);
  });
});
