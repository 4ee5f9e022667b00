import { intergrowthHcAtCentile } from '../../src/analysis/biometry';

export interface GrowthPoint {
  gaWeeks: number;
  hcMm: number;
  z?: number;
}

/**
 * HC against GA: INTERGROWTH-21st 3rd/10th/50th/90th/97th centile curves and this patient's visits. `title`
 * (the patient's name and ID) is drawn on the chart itself, so a printout or screenshot says whose it is.
 */
export function drawGrowthChart(canvas: HTMLCanvasElement, points: GrowthPoint[], labels: { x: string; y: string; title?: string | undefined }): void {
  const ctx = canvas.getContext('2d')!;
  const w = canvas.width;
  const h = canvas.height;
  const pad = { l: 56, r: 50, t: labels.title ? 40 : 16, b: 40 };
  const ga0 = 14;
  const ga1 = 40;
  const hc0 = 60;
  const hc1 = 380;
  const X = (ga: number): number => pad.l + ((ga - ga0) / (ga1 - ga0)) * (w - pad.l - pad.r);
  const Y = (hc: number): number => h - pad.b - ((hc - hc0) / (hc1 - hc0)) * (h - pad.t - pad.b);
  ctx.fillStyle = '#0b1220';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#1f2a3d';
  ctx.fillStyle = '#8b9bb0';
  ctx.font = '14px system-ui, sans-serif';
  for (let ga = ga0; ga <= ga1; ga += 2) {
    ctx.beginPath();
    ctx.moveTo(X(ga), Y(hc0));
    ctx.lineTo(X(ga), Y(hc1));
    ctx.stroke();
    ctx.fillText(String(ga), X(ga) - 7, h - pad.b + 18);
  }
  for (let hc = 100; hc <= hc1; hc += 50) {
    ctx.beginPath();
    ctx.moveTo(X(ga0), Y(hc));
    ctx.lineTo(X(ga1), Y(hc));
    ctx.stroke();
    ctx.fillText(String(hc), 14, Y(hc) + 5);
  }
  ctx.fillText(labels.x, w / 2 - 40, h - 6);
  if (labels.title) {
    ctx.save();
    ctx.font = 'bold 16px system-ui, sans-serif';
    ctx.fillStyle = '#e5edf5';
    ctx.fillText(labels.title, pad.l, 24);
    ctx.restore();
  }
  ctx.save();
  ctx.translate(14, h / 2 + 40);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(labels.y, 0, 0);
  ctx.restore();
  const curves: Array<[number, string, number]> = [
    [3, '#f87171', 1.5],
    [10, '#fbbf24', 1.5],
    [50, '#34d399', 2.5],
    [90, '#fbbf24', 1.5],
    [97, '#f87171', 1.5],
  ];
  for (const [c, colour, width] of curves) {
    ctx.beginPath();
    for (let ga = ga0; ga <= ga1 + 1e-9; ga += 0.25) {
      const y = Y(intergrowthHcAtCentile(ga, c));
      if (ga === ga0) ctx.moveTo(X(ga), y);
      else ctx.lineTo(X(ga), y);
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
    ctx.fillStyle = colour;
    ctx.fillText(String(c), X(ga1) + 6, Y(intergrowthHcAtCentile(ga1, c)) + 4);
  }
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#22d3ee';
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(X(p.gaWeeks), Y(p.hcMm)) : ctx.lineTo(X(p.gaWeeks), Y(p.hcMm))));
  ctx.stroke();
  for (const p of points) {
    ctx.beginPath();
    ctx.arc(X(p.gaWeeks), Y(p.hcMm), 7, 0, 2 * Math.PI);
    ctx.fillStyle = '#22d3ee';
    ctx.fill();
  }
}
