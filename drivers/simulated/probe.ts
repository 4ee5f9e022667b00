import { type Static, Type as T } from '@sinclair/typebox';
import { FRAME_RING_GUARANTEE, type Frame, type ImagingRegion } from '../../src/capture/frame.js';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { SourceStatus } from '../../src/capture/source-status.js';
import { validateWithDefaults } from '../../src/util/validate.js';
import { type Scene, buildScene, rng } from './scene.js';

export const SimulatedSettings = T.Object(
  {
    fps: T.Number({ exclusiveMinimum: 0, maximum: 240, default: 30 }),
    width: T.Integer({ minimum: 64, maximum: 4096, default: 640 }),
    height: T.Integer({ minimum: 64, maximum: 4096, default: 480 }),
    geometry: T.Union([T.Literal('sector'), T.Literal('linear')], { default: 'sector' }),
    depthMm: T.Number({ minimum: 20, maximum: 300, default: 150, description: 'Imaging depth shown over the frame height' }),
    headCircumferenceMm: T.Number({ minimum: 40, maximum: 400, default: 175 }),
    headAspect: T.Number({ minimum: 0.5, maximum: 1, default: 0.8, description: 'BPD / OFD' }),
    headAngleDeg: T.Number({ minimum: -90, maximum: 90, default: 12 }),
    driftPx: T.Integer({ minimum: 0, maximum: 200, default: 36 }),
    dynamicRangeDb: T.Number({ minimum: 20, maximum: 90, default: 50 }),
    seed: T.Integer({ default: 7 }),
  },
  { additionalProperties: false },
);
export type SimulatedSettings = Static<typeof SimulatedSettings>;

/** Every setting of the simulated probe is a bounded number or a choice: all may come from the network. */
export const simulatedNetworkPolicy: NetworkPolicy = { schema: allowOnly(SimulatedSettings, Object.keys(SimulatedSettings.properties)) };

export interface GroundTruth {
  seq: number;
  /** Outer skull outline in frame pixels. */
  ellipse: { cx: number; cy: number; a: number; b: number; angle: number };
  hcMm: number;
  pixelSpacingMm: number;
}

const LUT_OFFSET = 4096;

/**
 * A simulated B-mode probe. The scene (speckle from scatterers × PSF, envelope, log compression) is built
 * once; each frame is a moving window of it plus fresh electronic noise, through a depth-gain map and a
 * dB→gray table: two integer additions and one lookup per pixel, into a small ring of reused buffers.
 */
export class SimulatedProbe implements FrameSource {
  readonly driver = 'simulated';
  readonly s: SimulatedSettings;
  readonly pixelSpacingMm: number;
  readonly region: ImagingRegion;
  #scene: Scene | undefined;
  #gainQ: Int16Array | undefined;
  #lut = new Uint8Array(LUT_OFFSET + 1024);
  #noise: Int8Array | undefined;
  #ring: Uint8Array[] = [];
  #timer: NodeJS.Timeout | undefined;
  #listener: FrameListener | undefined;
  #headPx: { a: number; b: number; angle: number };
  #rand = rng(1);
  readonly #guard = new SourceGuard('simulated', () => this.stop());
  readonly #status = new SourceStatus('simulated', this.#guard);

  constructor(
    readonly id: string,
    settings: Partial<SimulatedSettings> = {},
  ) {
    this.s = validateWithDefaults(SimulatedSettings, settings, 'drivers.simulated settings');
    this.pixelSpacingMm = this.s.depthMm / this.s.height;
    this.region = this.#imagingRegion();
    // Head semi-axes in pixels from the HC: perimeter(a, b) = HC with b = aspect·a.
    const k = this.s.headAspect;
    const h = ((1 - k) / (1 + k)) ** 2;
    const unit = Math.PI * (1 + k) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h)));
    const a = this.s.headCircumferenceMm / this.pixelSpacingMm / unit;
    this.#headPx = { a, b: a * k, angle: (this.s.headAngleDeg * Math.PI) / 180 };
  }

  /** Builds the scene (≈0.3 s at 640×480); `start` calls it if needed, tests may call it directly. */
  prepare(): void {
    if (this.#scene) return;
    const { width: w, height: h, driftPx: d } = this.s;
    const sw = w + 2 * d;
    const sh = h + 2 * d;
    this.#scene = buildScene({
      width: sw,
      height: sh,
      head: { cx: sw / 2, cy: d + this.region.y + this.region.height * 0.52, ...this.#headPx },
      skullThicknessPx: Math.max(2, 3 / this.pixelSpacingMm),
      seed: this.s.seed,
    });
    this.#gainQ = this.#gainMap();
    const dr = this.s.dynamicRangeDb;
    for (let i = 0; i < this.#lut.length; i++) {
      const db = (i - LUT_OFFSET) / 4 + 4; // +4 dB master gain
      this.#lut[i] = Math.max(0, Math.min(255, Math.round((255 * (db + dr)) / dr)));
    }
    const rand = rng(this.s.seed ^ 0xbeef);
    this.#noise = new Int8Array(w * h + 8192);
    for (let i = 0; i < this.#noise.length; i++) this.#noise[i] = Math.round((rand() - 0.5) * 12);
    this.#ring = Array.from({ length: FRAME_RING_GUARANTEE }, () => new Uint8Array(w * h));
  }

  /** Window offset of frame `seq` in the scene: slow, smooth drift of the whole view. */
  offset(seq: number): [number, number] {
    const t = seq / this.s.fps;
    const d = this.s.driftPx;
    return [Math.round(d + d * Math.sin((2 * Math.PI * t) / 7)), Math.round(d + d * 0.6 * Math.sin((2 * Math.PI * t) / 11 + 1))];
  }

  groundTruth(seq: number): GroundTruth {
    const [ox, oy] = this.offset(seq);
    const d = this.s.driftPx;
    const sh = this.s.height + 2 * d;
    const cx = (this.s.width + 2 * d) / 2 - ox;
    const cy = d + this.region.y + this.region.height * 0.52 - oy;
    void sh;
    return { seq, ellipse: { cx, cy, ...this.#headPx }, hcMm: this.s.headCircumferenceMm, pixelSpacingMm: this.pixelSpacingMm };
  }

  /** Noise-free echogenicity of frame `seq` seen through the probe (depth gain, sector), in [0, 1]. */
  echogenicity(seq: number): Float32Array {
    this.prepare();
    const scene = this.#scene!;
    const gain = this.#gainQ!;
    const { width: w, height: h } = this.s;
    const [ox, oy] = this.offset(seq);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const g = gain[y * w + x]!;
        out[y * w + x] = g < -2000 ? 0 : scene.echo[(y + oy) * scene.width + x + ox]! * 10 ** (g / 4 / 20);
      }
    }
    return out;
  }

  /**
   * Frame `seq` as it would look with no speckle and no electronic noise: the echogenicity through the same
   * echo → dB (0 ↔ −45 dB), depth gain, +4 dB and dB → gray chain as `render`; −1 outside the sector.
   * (Not rounded; the speckle's log-compressed mean offset is not included.) For measuring speckle filters.
   */
  noiseFreeGray(seq: number): Float32Array {
    this.prepare();
    const scene = this.#scene!;
    const gain = this.#gainQ!;
    const { width: w, height: h, dynamicRangeDb: dr } = this.s;
    const [ox, oy] = this.offset(seq);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const g = gain[y * w + x]!;
        const db = (scene.echo[(y + oy) * scene.width + x + ox]! - 1) * 45 + g / 4 + 4;
        out[y * w + x] = g < -2000 ? -1 : Math.max(0, Math.min(255, (255 * (db + dr)) / dr));
      }
    }
    return out;
  }

  /** Renders frame `seq` into `out` (w×h bytes). The hot loop: no allocation, integer math, one lookup. */
  render(seq: number, out: Uint8Array): void {
    const scene = this.#scene!;
    const gain = this.#gainQ!;
    const noise = this.#noise!;
    const lut = this.#lut;
    const { width: w, height: h } = this.s;
    const [ox, oy] = this.offset(seq);
    const sw = scene.width;
    const db = scene.dbQ;
    const n0 = Math.floor(this.#rand() * 8192);
    for (let y = 0; y < h; y++) {
      const srow = (y + oy) * sw + ox;
      const row = y * w;
      for (let x = 0; x < w; x++) {
        out[row + x] = lut[LUT_OFFSET + db[srow + x]! + gain[row + x]! + noise[n0 + row + x]!]!;
      }
    }
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    if (this.#status.running) return;
    this.#status.state = 'starting';
    this.prepare();
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    this.#status.state = 'running';
    const period = 1000 / this.s.fps;
    let due = performance.now();
    const tick = this.#guard.wrap('its frame timer', (): void => {
      if (!this.#status.running) return;
      this.#emit();
      due += period;
      const now = performance.now();
      if (due < now - period) due = now; // late: do not burst to catch up, a probe never does
      this.#timer = setTimeout(tick, Math.max(0, due - now));
    });
    tick();
  }

  #emit(): void {
    const { seq } = this.#status.nextFrame();
    const buf = this.#ring[seq % this.#ring.length]!;
    this.render(seq, buf);
    // Stamped once drawn, as a real driver stamps a frame when it has arrived whole: the drawing stands for the
    // scanner's own acquisition, and counting it (2–3 ms) would charge capture → result with the simulation.
    const timestampMs = performance.now();
    const frame: Frame = {
      seq,
      timestampMs,
      width: this.s.width,
      height: this.s.height,
      channels: 1,
      data: buf,
      pixelSpacing: { x: this.pixelSpacingMm, y: this.pixelSpacingMm },
      sourceId: this.id,
      region: this.region,
    };
    this.#listener?.(frame);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#status.state = 'stopped';
    this.#listener = undefined;
  }

  health(): SourceHealth {
    return this.#status.health();
  }

  #imagingRegion(): ImagingRegion {
    const { width: w, height: h } = this.s;
    if (this.s.geometry === 'linear') {
      const x = Math.round(w * 0.1);
      return { x, y: 8, width: w - 2 * x, height: h - 16 };
    }
    const { apexY, r1, half } = this.#sector();
    const hw = Math.min(w / 2 - 1, r1 * Math.sin(half));
    const y0 = Math.max(0, Math.round(apexY + this.#sector().r0 * Math.cos(half)));
    return { x: Math.round(w / 2 - hw), y: y0, width: Math.round(2 * hw), height: h - y0 };
  }

  #sector(): { apexY: number; r0: number; r1: number; half: number } {
    const h = this.s.height;
    const apexY = -0.15 * h;
    return { apexY, r0: 0.18 * h, r1: h - apexY, half: (36 * Math.PI) / 180 };
  }

  /** Per-pixel gain in quarter dB: residual attenuation after TGC, beam edge fall-off, sector mask. */
  #gainMap(): Int16Array {
    const { width: w, height: h } = this.s;
    const g = new Int16Array(w * h);
    const sector = this.#sector();
    const r = this.region;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let inside: boolean;
        let depthMm: number;
        if (this.s.geometry === 'linear') {
          inside = x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
          depthMm = (y - r.y) * this.pixelSpacingMm;
        } else {
          const dx = x - w / 2;
          const dy = y - sector.apexY;
          const rad = Math.hypot(dx, dy);
          const ang = Math.atan2(dx, dy);
          inside = rad >= sector.r0 && rad <= sector.r1 && Math.abs(ang) <= sector.half && y < h;
          depthMm = (rad - sector.r0) * this.pixelSpacingMm;
        }
        // 0.5 dB/cm/MHz at 3.5 MHz, round trip, 85% compensated by TGC
        const db = -0.15 * 0.5 * 3.5 * 2 * (depthMm / 10);
        g[y * w + x] = inside ? Math.round(db * 4) : -3000;
      }
    }
    return g;
  }
}

export function createSimulatedSource(settings: Record<string, unknown>, ctx: SourceContext): SimulatedProbe {
  return new SimulatedProbe(ctx.id, settings as Partial<SimulatedSettings>);
}
