/**
 * Classical speckle filters the enhancer is measured against, on 8-bit gray images (w×h, row-major).
 * Typed-array loops, one thread. Each returns a new Float32Array of gray levels (not rounded).
 *
 *  median(r)   (2r+1)² median, edges replicated
 *  gaussian(σ) separable Gaussian blur, edges replicated
 *  srad        speckle-reducing anisotropic diffusion (Yu & Acton, IEEE TIP 2002), explicit scheme with the
 *              instantaneous coefficient of variation and q0 from the whole image each step
 *  nlm         non-local means with OpenCV fastNlMeansDenoising's weighting: w = exp(−mean sq. patch
 *              difference / h²) over a template×template patch, search×search window, weights < 0.001
 *              dropped, edges reflected (BORDER_REFLECT_101). OpenCV rounds weights to fixed point.
 */

export type Filter = (src: Uint8Array, w: number, h: number) => Float32Array;

const clampi = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const reflect = (i: number, n: number): number => {
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
};

export function median(r: number): Filter {
  return (src, w, h) => {
    const out = new Float32Array(w * h);
    const hist = new Int32Array(256);
    const k = 2 * r + 1;
    const half = Math.floor((k * k) / 2);
    for (let y = 0; y < h; y++) {
      hist.fill(0);
      for (let dy = -r; dy <= r; dy++) {
        const row = clampi(y + dy, 0, h - 1) * w;
        for (let dx = -r; dx <= r; dx++) hist[src[row + clampi(dx, 0, w - 1)]!]!++;
      }
      for (let x = 0; x < w; x++) {
        if (x > 0) {
          const xo = clampi(x - r - 1, 0, w - 1);
          const xi = clampi(x + r, 0, w - 1);
          for (let dy = -r; dy <= r; dy++) {
            const row = clampi(y + dy, 0, h - 1) * w;
            hist[src[row + xo]!]!--;
            hist[src[row + xi]!]!++;
          }
        }
        let c = 0;
        let v = 0;
        while ((c += hist[v]!) <= half) v++;
        out[y * w + x] = v;
      }
    }
    return out;
  };
}

export function gaussian(sigma: number): Filter {
  return (src, w, h) => {
    const r = Math.ceil(3 * sigma);
    const k = new Float32Array(2 * r + 1);
    let s = 0;
    for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
    for (let i = 0; i < k.length; i++) k[i]! /= s;
    const tmp = new Float32Array(w * h);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let a = 0;
        for (let i = -r; i <= r; i++) a += src[y * w + clampi(x + i, 0, w - 1)]! * k[i + r]!;
        tmp[y * w + x] = a;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let a = 0;
        for (let i = -r; i <= r; i++) a += tmp[clampi(y + i, 0, h - 1) * w + x]! * k[i + r]!;
        out[y * w + x] = a;
      }
    }
    return out;
  };
}

export function srad(iterations: number, lambda: number): Filter {
  return (src, w, h) => {
    const n = w * h;
    const img = new Float32Array(n);
    for (let i = 0; i < n; i++) img[i] = src[i]! + 1; // SRAD divides by the intensity
    const dN = new Float32Array(n);
    const dS = new Float32Array(n);
    const dW = new Float32Array(n);
    const dE = new Float32Array(n);
    const c = new Float32Array(n);
    for (let it = 0; it < iterations; it++) {
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < n; i++) {
        sum += img[i]!;
        sum2 += img[i]! * img[i]!;
      }
      const mean = sum / n;
      const q0sq = Math.max(1e-6, (sum2 / n - mean * mean) / (mean * mean));
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const v = img[i]!;
          const a = (dN[i] = img[(y > 0 ? y - 1 : 0) * w + x]! - v);
          const b = (dS[i] = img[(y < h - 1 ? y + 1 : h - 1) * w + x]! - v);
          const l = (dW[i] = img[y * w + (x > 0 ? x - 1 : 0)]! - v);
          const r = (dE[i] = img[y * w + (x < w - 1 ? x + 1 : w - 1)]! - v);
          const g2 = (a * a + b * b + l * l + r * r) / (v * v);
          const lap = (a + b + l + r) / v;
          const num = 0.5 * g2 - (1 / 16) * lap * lap;
          const den = (1 + 0.25 * lap) ** 2;
          const qsq = num / den;
          c[i] = clampi(1 / (1 + (qsq - q0sq) / (q0sq * (1 + q0sq))), 0, 1);
        }
      }
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const cS = c[(y < h - 1 ? y + 1 : h - 1) * w + x]!;
          const cE = c[y * w + (x < w - 1 ? x + 1 : w - 1)]!;
          const div = c[i]! * dN[i]! + cS * dS[i]! + c[i]! * dW[i]! + cE * dE[i]!;
          img[i] = img[i]! + 0.25 * lambda * div;
        }
      }
    }
    for (let i = 0; i < n; i++) img[i] = img[i]! - 1;
    return img;
  };
}

export function nlm(hParam: number, template = 7, search = 21): Filter {
  return (src, w, h) => {
    const rt = template >> 1;
    const rs = search >> 1;
    const pad = rt + rs;
    const pw = w + 2 * pad;
    const ph = h + 2 * pad;
    const p = new Float32Array(pw * ph);
    for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) p[y * pw + x] = src[reflect(y - pad, h) * w + reflect(x - pad, w)]!;
    // squared differences over the template region (image ± rt), then a running box sum per offset
    const dw = w + 2 * rt;
    const dh = h + 2 * rt;
    const d = new Float32Array(dw * dh);
    const col = new Float64Array(dw);
    const acc = new Float32Array(w * h);
    const wsum = new Float32Array(w * h);
    const area = template * template;
    const lutScale = 16; // exp() table over mean squared difference in 1/16 gray² steps
    const lutMax = Math.ceil(hParam * hParam * Math.log(1000) * lutScale); // beyond: weight < 0.001 → 0
    const lut = new Float32Array(lutMax + 1);
    for (let i = 0; i <= lutMax; i++) lut[i] = Math.exp(-i / lutScale / (hParam * hParam));
    for (let oy = -rs; oy <= rs; oy++) {
      for (let ox = -rs; ox <= rs; ox++) {
        for (let y = 0; y < dh; y++) {
          const a = (y + rs) * pw + rs;
          const b = (y + rs + oy) * pw + rs + ox;
          for (let x = 0; x < dw; x++) {
            const t = p[a + x]! - p[b + x]!;
            d[y * dw + x] = t * t;
          }
        }
        col.fill(0);
        for (let y = 0; y < template; y++) for (let x = 0; x < dw; x++) col[x]! += d[y * dw + x]!;
        for (let y = 0; y < h; y++) {
          if (y > 0) for (let x = 0; x < dw; x++) col[x]! += d[(y + template - 1) * dw + x]! - d[(y - 1) * dw + x]!;
          let box = 0;
          for (let x = 0; x < template; x++) box += col[x]!;
          const srcRow = (y + pad + oy) * pw + pad + ox;
          for (let x = 0; x < w; x++) {
            if (x > 0) box += col[x + template - 1]! - col[x - 1]!;
            const q = Math.round((box / area) * lutScale);
            if (q <= lutMax) {
              const wt = lut[q]!;
              acc[y * w + x]! += wt * p[srcRow + x]!;
              wsum[y * w + x]! += wt;
            }
          }
        }
      }
    }
    for (let i = 0; i < w * h; i++) acc[i] = acc[i]! / wsum[i]!;
    return acc;
  };
}

/** Bilateral filter: Gaussian in space (σs px, radius 2σs) × Gaussian in gray level (σr). */
export function bilateral(sigmaS: number, sigmaR: number): Filter {
  return (src, w, h) => {
    const r = Math.ceil(2 * sigmaS);
    const ks = new Float32Array((2 * r + 1) ** 2);
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) ks[(dy + r) * (2 * r + 1) + dx + r] = Math.exp(-(dx * dx + dy * dy) / (2 * sigmaS * sigmaS));
    const kr = new Float32Array(256);
    for (let d = 0; d < 256; d++) kr[d] = Math.exp(-(d * d) / (2 * sigmaR * sigmaR));
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const c = src[y * w + x]!;
        let a = 0;
        let s = 0;
        for (let dy = -r; dy <= r; dy++) {
          const row = clampi(y + dy, 0, h - 1) * w;
          for (let dx = -r; dx <= r; dx++) {
            const v = src[row + clampi(x + dx, 0, w - 1)]!;
            const wt = ks[(dy + r) * (2 * r + 1) + dx + r]! * kr[v > c ? v - c : c - v]!;
            a += wt * v;
            s += wt;
          }
        }
        out[y * w + x] = a / s;
      }
    }
    return out;
  };
}
