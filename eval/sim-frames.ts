/**
 * Simulated-probe frames with their known noise-free image, for measuring speckle reduction.
 *
 * The reference is the probe's own noise-free echogenicity pushed through the same chain as its frames
 * (echo → dB, depth gain, +4 dB, dB → gray over the dynamic range), plus one constant: the mean of
 * (raw − noise-free) over the imaging region of the frames of this probe — the log-compressed speckle's
 * mean offset (≈ −1.5 dB for fully developed speckle), so a filter that keeps the raw mean brightness is
 * not penalised for it. PSNR/SSIM are computed inside the imaging sector only.
 */
import { SimulatedProbe, type SimulatedSettings } from '../drivers/simulated/probe.js';

export interface SimFrame {
  width: number;
  height: number;
  raw: Uint8Array;
  /** Noise-free gray levels (float, not rounded). */
  clean: Float32Array;
  /** 1 inside the imaging sector (where the probe has signal). */
  mask: Uint8Array;
}

/** Renders `count` frames of one probe spread over its drift cycle, with their noise-free references. */
export function simulatedFrames(count: number, settings: Partial<SimulatedSettings> = {}): SimFrame[] {
  const probe = new SimulatedProbe('sim', settings);
  probe.prepare();
  const { width: w, height: h } = probe.s;
  const frames: SimFrame[] = [];
  let diff = 0;
  let n = 0;
  for (let k = 0; k < count; k++) {
    const seq = Math.round((k * probe.s.fps * 77) / count) + 3; // 77 s = the drift's full period (7 × 11)
    const raw = new Uint8Array(w * h);
    probe.render(seq, raw);
    const clean = probe.noiseFreeGray(seq);
    const mask = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) {
      if (clean[i]! < 0) {
        clean[i] = 0;
        continue;
      }
      mask[i] = 1;
      diff += raw[i]! - clean[i]!;
      n++;
    }
    frames.push({ width: w, height: h, raw, clean, mask });
  }
  const offset = diff / Math.max(1, n);
  for (const f of frames) for (let i = 0; i < f.clean.length; i++) if (f.mask[i]) f.clean[i] = Math.max(0, Math.min(255, f.clean[i]! + offset));
  return frames;
}
