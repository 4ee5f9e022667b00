import type { Frame } from '../../src/capture/frame.js';
import type { FrameSource } from '../../src/capture/source.js';

/** Starts `src`, keeps copies of its first `n` frames, stops it; fails with the source's health on timeout. */
export function collectFrames(src: FrameSource, n: number, timeoutMs = 10000): Promise<Frame[]> {
  const frames: Frame[] = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => void src.stop().then(() => reject(new Error(`only ${frames.length} frames; health ${JSON.stringify(src.health())}`))), timeoutMs);
    void src.start((f) => {
      frames.push({ ...f, data: f.data.slice() });
      if (frames.length === n) {
        clearTimeout(t);
        void src.stop().then(() => resolve(frames));
      }
    }).catch((err: unknown) => {
      clearTimeout(t);
      reject(err);
    });
  });
}
