/**
 * No USB bus on this machine: the bulk reader runs over a recording of transfers (made here: frames with
 * sync markers cut into transfers of awkward sizes, with garbage, a short frame and an extra byte), through
 * the same UsbBulkSource code that reads a real device; hotplug runs on a connect/disconnect event target
 * shaped like the `usb` package's WebUSB emitter.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { FrameAssembler } from '../../drivers/usb/frame-assembler.js';
import { type KnownDevice, UsbHotplug } from '../../drivers/usb/hotplug.js';
import { type BulkDevice, UsbBulkSource } from '../../drivers/usb/usb-bulk.js';

const MARKER = Buffer.from('A55AF00F', 'hex');
const W = 40;
const H = 30;

function frameBytes(i: number): Buffer {
  const px = Buffer.alloc(W * H);
  for (let k = 0; k < px.length; k++) px[k] = (k * 3 + i * 11) % 250;
  return px;
}

/** A recorded stream: garbage, frames 0–5, a frame missing a byte, an extra byte, frames 6–7, trailing marker. */
function recording(): Buffer[] {
  const parts: Buffer[] = [Buffer.from('xx\x00garbage')];
  for (let i = 0; i < 6; i++) parts.push(MARKER, frameBytes(i));
  parts.push(MARKER, frameBytes(99).subarray(5)); // short frame: must be dropped, not shifted into the next
  parts.push(Buffer.from([0x42]));
  for (let i = 6; i < 8; i++) parts.push(MARKER, frameBytes(i));
  parts.push(MARKER);
  const stream = Buffer.concat(parts);
  const transfers: Buffer[] = [];
  const sizes = [512, 37, 1300, 4096, 3, 777];
  for (let o = 0, k = 0; o < stream.length; k++) {
    const n = sizes[k % sizes.length]!;
    transfers.push(stream.subarray(o, o + n));
    o += n;
  }
  return transfers;
}

function replayDevice(transfers: Buffer[]): BulkDevice & { claimed: number[] } {
  let i = 0;
  const dev = {
    vendorId: 0x1234,
    productId: 0x5678,
    claimed: [] as number[],
    open: async () => {},
    selectConfiguration: async () => {},
    close: async () => {},
    claimInterface: async (n: number) => {
      dev.claimed.push(n);
    },
    transferIn: async (_ep: number, _len: number) => {
      await new Promise((r) => setTimeout(r, 1));
      if (i >= transfers.length) throw new Error('LIBUSB_ERROR_NO_DEVICE');
      const t = transfers[i++]!;
      return { status: 'ok', data: new DataView(t.buffer, t.byteOffset, t.byteLength) };
    },
  };
  return dev;
}

describe('usb bulk frame reader (recorded transfers)', () => {
  it('reassembles frames across transfers, drops the short one, resynchronises, and reports unplugging', async () => {
    const dev = replayDevice(recording());
    const src = new UsbBulkSource('usb', { vendorId: 0x1234, productId: 0x5678, width: W, height: H, interface: 2, pixelSpacingMm: 0.2 }, async (v, p) =>
      v === 0x1234 && p === 0x5678 ? dev : undefined,
    );
    const frames: Frame[] = [];
    await src.start((f) => frames.push({ ...f, data: f.data.slice() }));
    for (let i = 0; i < 100 && src.health().state !== 'failed'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(frames.map((f) => f.data[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => frameBytes(i)[0]));
    expect(Buffer.from(frames[7]!.data).equals(frameBytes(7))).toBe(true);
    expect(frames[0]!.pixelSpacing).toEqual({ x: 0.2, y: 0.2 });
    expect(dev.claimed).toEqual([2]);
    expect(src.assembler.stats.resyncs).toBeGreaterThanOrEqual(1);
    expect(src.health()).toMatchObject({ state: 'failed', connected: false });
    expect(src.health().lastError).toMatch(/unplugged/);
    await src.stop();
  });

  it('names a device that is not connected', async () => {
    await expect(new UsbBulkSource('usb', { vendorId: 1, productId: 2, width: W, height: H }, async () => undefined).start(() => {})).rejects.toThrow(/USB device 0001:0002 is not connected/);
  });

  it('16-bit pixels keep their high byte', () => {
    const a = new FrameAssembler(MARKER, 2, 1, 2);
    const out = a.push(Buffer.concat([MARKER, Buffer.from([0x10, 0xab, 0x20, 0xcd]), MARKER]));
    expect([...out[0]!]).toEqual([0xab, 0xcd]);
  });
});

describe('usb hotplug table', () => {
  it('starts the right source when a known device is plugged and stops it when unplugged; ignores others', () => {
    const bus = new EventTarget();
    const table: KnownDevice[] = [{ vendorId: 0x534d, productId: 0x2109, name: 'HDMI grabber', driver: 'v4l2', settings: { device: '/dev/video0' } }];
    const log: string[] = [];
    const hp = new UsbHotplug(
      bus,
      table,
      (k) => log.push(`attach ${k.name} → ${k.driver}`),
      (k) => log.push(`detach ${k.name}`),
    );
    hp.start();
    const fire = (type: string, vendorId: number, productId: number): void => {
      bus.dispatchEvent(Object.assign(new Event(type), { device: { vendorId, productId } }));
    };
    fire('connect', 0x1111, 0x2222);
    fire('connect', 0x534d, 0x2109);
    fire('disconnect', 0x534d, 0x2109);
    hp.stop();
    fire('connect', 0x534d, 0x2109);
    expect(log).toEqual(['attach HDMI grabber → v4l2', 'detach HDMI grabber']);
  });
});
