/** The USB frame assembler on big frames in small transfers: each byte copied a bounded number of times. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameAssembler } from '../../drivers/usb/frame-assembler.js';

const MARKER = Buffer.from('A55AF00F', 'hex');

afterEach(() => {
  vi.restoreAllMocks();
});

/** Sums the bytes of every Buffer made through the usual constructors while `fn` runs. */
function bytesAllocated(fn: () => void): number {
  let total = 0;
  for (const k of ['concat', 'alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const orig = Buffer[k] as (...a: unknown[]) => Buffer;
    vi.spyOn(Buffer, k).mockImplementation(((...a: unknown[]) => {
      const b = orig.apply(Buffer, a);
      total += b.length;
      return b;
    }) as never);
  }
  const origFrom = Buffer.from as (...a: unknown[]) => Buffer;
  vi.spyOn(Buffer, 'from').mockImplementation(((...a: unknown[]) => {
    const b = origFrom.apply(Buffer, a);
    if (!(a[0] instanceof ArrayBuffer)) total += b.length; // Buffer.from(arrayBuffer, …) is a view
    return b;
  }) as never);
  try {
    fn();
  } finally {
    vi.restoreAllMocks();
  }
  return total;
}

describe('usb frame assembler on large frames', () => {
  it('copies each byte a bounded number of times, and frames handed on are not overwritten', () => {
    const w = 1024;
    const h = 512; // 512 KiB frames, 4 KiB transfers
    const frame = (v: number): Buffer => Buffer.concat([MARKER, Buffer.alloc(w * h, v)]);
    const stream = Buffer.concat([frame(1), frame(2), frame(3), MARKER]);
    const a = new FrameAssembler(MARKER, w, h, 1);
    const out: Uint8Array[] = [];
    const total = bytesAllocated(() => {
      for (let o = 0; o < stream.length; o += 4096) out.push(...a.push(stream.subarray(o, o + 4096)));
    });
    expect(out.map((f) => [f.length, f[0], f[w * h - 1]])).toEqual([
      [w * h, 1, 1],
      [w * h, 2, 2],
      [w * h, 3, 3],
    ]);
    // the old assembler concatenated everything held on every transfer: ~64× the stream in copies
    expect(total).toBeLessThanOrEqual(4 * (w * h + 2 * MARKER.length));
  });
});
