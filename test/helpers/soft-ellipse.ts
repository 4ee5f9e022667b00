/** Area-weighted filled ellipse on a grid (4×4 supersampling): a clean "probability map" for tests. */
export function softEllipse(w: number, h: number, e: { cx: number; cy: number; a: number; b: number; angle: number }): Float32Array {
  const out = new Float32Array(w * h);
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let inside = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const dx = x + (sx + 0.5) / 4 - 0.5 - e.cx;
          const dy = y + (sy + 0.5) / 4 - 0.5 - e.cy;
          const u = (dx * c + dy * s) / e.a;
          const v = (-dx * s + dy * c) / e.b;
          if (u * u + v * v <= 1) inside++;
        }
      }
      out[y * w + x] = inside / 16;
    }
  }
  return out;
}
