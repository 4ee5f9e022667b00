/**
 * Builds the simulated probe's static scene once: an echogenicity map (tissue, amniotic fluid, a fetal
 * skull ring of known size, brain with midline), random scatterers convolved with a point spread function
 * (axially modulated Gaussian), envelope-detected, log-compressed to a dB map. Frames are then cheap
 * windows into this scene (see ./probe.ts). Deterministic for a seed.
 */

export interface SceneSpec {
  width: number;
  height: number;
  /** Ground-truth head: outer skull outline, in scene pixels. */
  head: { cx: number; cy: number; a: number; b: number; angle: number };
  skullThicknessPx: number;
  seed: number;
}

export interface Scene {
  width: number;
  height: number;
  /** Echo level in dB × 4 (quarter-dB steps), relative to the skull's level. */
  dbQ: Int16Array;
  /** Noise-free echogenicity in [0, 1]. */
  echo: Float32Array;
}

/** Small, fast, seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function echogenicity(spec: SceneSpec): Float32Array {
  const { width: w, height: h, head } = spec;
  const e = new Float32Array(w * h);
  const rand = rng(spec.seed ^ 0x5eed);
  // Smooth tissue texture: a few random low-frequency waves.
  const waves = Array.from({ length: 6 }, () => ({ kx: (rand() - 0.5) * 0.05, ky: (rand() - 0.5) * 0.05, p: rand() * 6.28, amp: 0.05 + rand() * 0.06 }));
  const c = Math.cos(head.angle);
  const s = Math.sin(head.angle);
  const t = spec.skullThicknessPx;
  const fluidA = head.a * 1.45;
  const fluidB = head.b * 1.55;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0.32;
      for (const wv of waves) v += wv.amp * Math.sin(wv.kx * x + wv.ky * y + wv.p);
      // a bright layered interface (uterine wall) across the upper third
      const wall = Math.abs(y - (h * 0.22 + 18 * Math.sin(x / 90)));
      if (wall < 7) v = Math.max(v, 0.75 - wall * 0.05);
      const dx = x - head.cx;
      const dy = y - head.cy;
      const u = dx * c + dy * s;
      const w2 = -dx * s + dy * c;
      const rf = Math.hypot(u / fluidA, w2 / fluidB);
      if (rf < 1) v = v * smooth(rf, 0.88, 1) + 0.03 * (1 - smooth(rf, 0.88, 1));
      // skull ring: radial distance inside the outer outline, in pixels (approximate normal distance)
      const r = Math.hypot(u / head.a, w2 / head.b);
      const localR = r > 0 ? Math.hypot(u, w2) / r : head.b;
      const inward = (1 - r) * localR; // distance inside the outer bone edge (the ground-truth outline)
      if (inward > -1.5 && inward < t + 1.5) {
        // lateral walls (parallel to the beam) echo less than top and bottom
        const cosBeam = Math.abs(Math.sin(Math.atan2(w2 * head.a, u * head.b) + head.angle));
        const wallLevel = 0.55 + 0.45 * cosBeam;
        const edge = smooth(inward, -1.5, 0.5) * (1 - smooth(inward, t - 0.5, t + 1.5));
        v = v * (1 - edge) + wallLevel * edge;
      } else if (inward >= t + 1.5) {
        // brain: low echo, a midline echo along the major axis, two small structures
        v = 0.1 + 0.03 * Math.sin(u * 0.15) * Math.sin(w2 * 0.13);
        if (Math.abs(w2) < 1.5 && Math.abs(u) < head.a * 0.8) v = 0.5;
        const th1 = Math.hypot((u - head.a * 0.25) / (head.a * 0.12), (w2 - head.b * 0.35) / (head.b * 0.1));
        if (th1 < 1) v = 0.28;
      }
      e[y * w + x] = Math.min(1, Math.max(0.005, v));
    }
  }
  return e;
}

function smooth(x: number, lo: number, hi: number): number {
  const q = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
  return q * q * (3 - 2 * q);
}

/** Scatterers × √echo, convolved with a separable PSF (lateral Gaussian, axial Gabor), envelope in dB. */
export function buildScene(spec: SceneSpec): Scene {
  const { width: w, height: h } = spec;
  const echo = echogenicity(spec);
  const rand = rng(spec.seed);
  const re = new Float32Array(w * h);
  const im = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    // echogenicity 1 ↔ 0 dB (bone), 0 ↔ −45 dB: amplitude = 10^((e − 1)·45/20)
    const amp = 10 ** ((echo[i]! - 1) * 2.25);
    re[i] = gaussian(rand) * amp;
    im[i] = gaussian(rand) * amp;
  }
  // lateral (x) Gaussian, σ = 2.2 px
  const lat = kernel(2.2, 0);
  const tr = new Float32Array(w * h);
  const ti = new Float32Array(w * h);
  convolveX(re, tr, w, h, lat.re);
  convolveX(im, ti, w, h, lat.re);
  // axial (y) complex Gabor: Gaussian σ = 1.5 px modulated at ~0.9 rad/px (analytic, so |·| is the envelope)
  const ax = kernel(1.5, 0.9);
  const dbQ = new Int16Array(w * h);
  const half = (ax.re.length - 1) / 2;
  let max = 0;
  const env = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let ar = 0;
      let ai = 0;
      for (let k = -half; k <= half; k++) {
        const yy = Math.min(h - 1, Math.max(0, y + k));
        const kr = ax.re[k + half]!;
        const ki = ax.im[k + half]!;
        const pr = tr[yy * w + x]!;
        const pi = ti[yy * w + x]!;
        ar += pr * kr - pi * ki;
        ai += pr * ki + pi * kr;
      }
      const a = Math.hypot(ar, ai);
      env[y * w + x] = a;
      if (a > max) max = a;
    }
  }
  // reference level: the mean envelope of the brightest structures (echogenicity ≥ 0.9) is 0 dB
  let refSum = 0;
  let refN = 0;
  for (let i = 0; i < w * h; i++) {
    if (echo[i]! >= 0.9) {
      refSum += env[i]!;
      refN++;
    }
  }
  const ref = refN > 0 ? refSum / refN : percentile(env, 0.999) || max || 1;
  for (let i = 0; i < w * h; i++) dbQ[i] = Math.max(-400, Math.min(120, Math.round(4 * 20 * Math.log10(Math.max(env[i]! / ref, 1e-6)))));
  return { width: w, height: h, dbQ, echo };
}

function kernel(sigma: number, omega: number): { re: Float32Array; im: Float32Array } {
  const half = Math.ceil(3 * sigma);
  const re = new Float32Array(2 * half + 1);
  const im = new Float32Array(2 * half + 1);
  for (let k = -half; k <= half; k++) {
    const g = Math.exp((-k * k) / (2 * sigma * sigma));
    re[k + half] = g * Math.cos(omega * k);
    im[k + half] = g * Math.sin(omega * k);
  }
  return { re, im };
}

function convolveX(src: Float32Array, dst: Float32Array, w: number, h: number, k: Float32Array): void {
  const half = (k.length - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = -half; j <= half; j++) acc += src[y * w + Math.min(w - 1, Math.max(0, x + j))]! * k[j + half]!;
      dst[y * w + x] = acc;
    }
  }
}

function percentile(v: Float32Array, q: number): number {
  const step = Math.max(1, Math.floor(v.length / 20000));
  const sample: number[] = [];
  for (let i = 0; i < v.length; i += step) sample.push(v[i]!);
  sample.sort((a, b) => a - b);
  return sample[Math.min(sample.length - 1, Math.floor(q * sample.length))]!;
}
