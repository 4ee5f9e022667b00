import './style.css';
import { type ResultMessage, decodeHeader } from './protocol';

const canvas = document.getElementById('frame') as HTMLCanvasElement;
const ctx = canvas.getContext('2d', { alpha: false })!;
const $ = (id: string): HTMLElement => document.getElementById(id)!;
const overlayToggle = $('overlay') as HTMLInputElement;

let image: ImageData | undefined;
const results: ResultMessage[] = []; // newest last, small window keyed by seq
let lastFrameAt = 0;
let frames = 0;
let fpsWindowStart = performance.now();

/** Gray (or RGB) pixels → the reused RGBA ImageData, then the overlay of the result for this frame. */
function drawFrame(buf: ArrayBuffer): void {
  const h = decodeHeader(buf);
  if (!h) return;
  if (!image || image.width !== h.width || image.height !== h.height) {
    canvas.width = h.width;
    canvas.height = h.height;
    image = ctx.createImageData(h.width, h.height);
  }
  const px = new Uint8Array(buf, h.pixelOffset);
  const out = image.data;
  if (h.channels === 1) {
    for (let i = 0, j = 0; i < px.length; i++, j += 4) {
      const v = px[i]!;
      out[j] = v; out[j + 1] = v; out[j + 2] = v; out[j + 3] = 255;
    }
  } else {
    for (let i = 0, j = 0; i < px.length; i += 3, j += 4) {
      out[j] = px[i]!; out[j + 1] = px[i + 1]!; out[j + 2] = px[i + 2]!; out[j + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  // The result drawn belongs to this frame or the newest one before it, never to a later frame.
  let r: ResultMessage | undefined;
  for (let i = results.length - 1; i >= 0; i--) if (results[i]!.seq <= h.seq) { r = results[i]; break; }
  if (r && overlayToggle.checked && h.seq - r.seq < 15) drawOverlay(r);
  frames++;
  lastFrameAt = performance.now();
}

function drawOverlay(r: ResultMessage): void {
  const res = r.result;
  if (!res.detected) return;
  const c = res.contour;
  if (c && c.length >= 6) {
    ctx.beginPath();
    ctx.moveTo(c[0]!, c[1]!);
    for (let i = 2; i < c.length; i += 2) ctx.lineTo(c[i]!, c[i + 1]!);
    ctx.closePath();
    ctx.fillStyle = 'rgba(34, 211, 238, 0.15)';
    ctx.fill();
  }
  const e = res.ellipse;
  if (e) {
    ctx.beginPath();
    ctx.ellipse(e.cx, e.cy, e.semiMajor, e.semiMinor, (e.angleDeg * Math.PI) / 180, 0, 2 * Math.PI);
    ctx.strokeStyle = res.flags.some((f) => f.severity !== 'info') ? '#fbbf24' : '#22d3ee';
    ctx.lineWidth = 2;
    ctx.stroke();
  }
}

function showResult(r: ResultMessage): void {
  const res = r.result;
  const mm = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(1)} mm`);
  $('hc').textContent = mm(res.hcMm);
  $('bpd').textContent = mm(res.bpdMm);
  $('ofd').textContent = mm(res.ofdMm);
  $('ga').textContent = res.gaWeeks === undefined ? '–' : `${Math.floor(res.gaWeeks)}w ${Math.round((res.gaWeeks % 1) * 7)}d`;
  $('quality').textContent = `${Math.round(res.quality.score * 100)}% · conf ${Math.round(res.confidence * 100)}%`;
  const ul = $('flags');
  ul.replaceChildren(...res.flags.map((f) => Object.assign(document.createElement('li'), { textContent: f.message, className: f.severity })));
  $('latency').textContent = `latency ${r.timings.totalMs.toFixed(0)} ms`;
  $('provider').textContent = `provider ${r.provider}`;
  $('model').textContent = `${r.modelId} ${r.modelVersion}`;
}

let retryMs = 500;
function connect(): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
  ws.binaryType = 'arraybuffer';
  const conn = $('conn');
  ws.onopen = () => {
    retryMs = 500;
    conn.textContent = 'live';
    conn.className = 'pill live';
  };
  ws.onmessage = (ev) => {
    if (ev.data instanceof ArrayBuffer) return drawFrame(ev.data);
    const msg = JSON.parse(ev.data as string) as { type: string };
    if (msg.type === 'result') {
      const r = msg as ResultMessage;
      results.push(r);
      if (results.length > 30) results.shift();
      showResult(r);
    } else if (msg.type === 'hello' || msg.type === 'status') {
      const p = (msg as { provider?: string }).provider;
      if (p) $('provider').textContent = `provider ${p}`;
    }
  };
  ws.onclose = () => {
    conn.textContent = 'reconnecting…';
    conn.className = 'pill down';
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
  ws.onerror = () => ws.close();
}

// Never show a stale frame as live.
setInterval(() => {
  const now = performance.now();
  ($('stale') as HTMLElement).hidden = now - lastFrameAt < 1000;
  const dt = (now - fpsWindowStart) / 1000;
  if (dt >= 1) {
    $('fps').textContent = `${(frames / dt).toFixed(1)} fps`;
    frames = 0;
    fpsWindowStart = now;
  }
}, 250);

connect();
