/** Mean and standard deviation of the gray level inside a region, sampled on a grid (cheap, per frame). */
export function regionSignal(data: Uint8Array, width: number, channels: number, region: { x: number; y: number; width: number; height: number }, step = 4): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let y = region.y; y < region.y + region.height; y += step) {
    for (let x = region.x; x < region.x + region.width; x += step) {
      const v = data[(y * width + x) * channels]!;
      sum += v;
      sq += v * v;
      n++;
    }
  }
  if (n === 0) return { mean: 0, std: 0 };
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

/** Below this spread of gray levels an image holds no ultrasound signal worth measuring. */
export const BLANK_STD = 2;

/** A pixel whose largest and smallest colour channels differ by more than this is clearly coloured. */
export const CHROMA_MIN = 40;

/** Share of sampled pixels in a region that are clearly coloured (a colour Doppler box, a colour map), 0–1. */
export function colourFraction(rgb: Uint8Array, width: number, channels: number, region: { x: number; y: number; width: number; height: number }, step = 2): number {
  if (channels < 3) return 0;
  let n = 0;
  let coloured = 0;
  for (let y = region.y; y < region.y + region.height; y += step) {
    for (let x = region.x; x < region.x + region.width; x += step) {
      const p = (y * width + x) * channels;
      const r = rgb[p]!;
      const g = rgb[p + 1]!;
      const b = rgb[p + 2]!;
      if (Math.max(r, g, b) - Math.min(r, g, b) > CHROMA_MIN) coloured++;
      n++;
    }
  }
  return n === 0 ? 0 : coloured / n;
}
