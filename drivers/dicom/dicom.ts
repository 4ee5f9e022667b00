import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import dcmjs from 'dcmjs';
import type { Frame, ImagingRegion, PixelSpacing } from '../../src/capture/frame.js';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';
import { SourceStatus } from '../../src/capture/source-status.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { errorMessage } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';

export const DicomSettings = T.Object(
  {
    path: T.String({ minLength: 1, description: 'A DICOM file or a folder of them (single- or multi-frame ultrasound)' }),
    fps: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 240, description: 'Overrides the frame time in the file' })),
    loop: T.Boolean({ default: true }),
    followLinks: T.Boolean({ default: true, description: 'Play folder entries that are symbolic links (settings from the network: never)' }),
  },
  { additionalProperties: false },
);
export type DicomSettings = Static<typeof DicomSettings>;

/** A network client picks a file or folder under the media folders and its rate; links in a folder are not followed. */
export const dicomNetworkPolicy: NetworkPolicy = { schema: allowOnly(DicomSettings, ['path', 'fps', 'loop']), paths: ['path'], fixed: { followLinks: false } };

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

export interface DicomClip {
  file: string;
  width: number;
  height: number;
  channels: 1 | 3;
  frames: Uint8Array[];
  frameTimeMs: number | undefined;
  spacing: PixelSpacing | undefined;
  region: ImagingRegion;
}

type Ds = Record<string, unknown>;
const num = (v: unknown): number | undefined => (Array.isArray(v) ? num(v[0]) : v === undefined || v === null || v === '' ? undefined : Number(v));

/** Spacing and imaging region from the Sequence of Ultrasound Regions (Physical Units 3 = cm), else Pixel Spacing. */
export function spacingOf(ds: Ds, width: number, height: number): { spacing: PixelSpacing | undefined; region: ImagingRegion } {
  const regions = (ds.SequenceOfUltrasoundRegions as Ds[] | undefined) ?? [];
  const r = regions.find((x) => num(x.RegionSpatialFormat) === 1 && num(x.PhysicalUnitsXDirection) === 3 && num(x.PhysicalUnitsYDirection) === 3);
  if (r) {
    const x0 = num(r.RegionLocationMinX0) ?? 0;
    const y0 = num(r.RegionLocationMinY0) ?? 0;
    const x1 = Math.min(width - 1, num(r.RegionLocationMaxX1) ?? width - 1);
    const y1 = Math.min(height - 1, num(r.RegionLocationMaxY1) ?? height - 1);
    return { spacing: { x: num(r.PhysicalDeltaX)! * 10, y: num(r.PhysicalDeltaY)! * 10 }, region: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } };
  }
  const ps = ds.PixelSpacing as unknown[] | undefined;
  const full = { x: 0, y: 0, width, height };
  return ps && ps.length === 2 ? { spacing: { y: Number(ps[0]), x: Number(ps[1]) }, region: full } : { spacing: undefined, region: full };
}

/** Reads an uncompressed single- or multi-frame DICOM into 8-bit frames; throws naming what it cannot play. */
export function readDicomClip(file: string): DicomClip {
  const buf = readFileSync(file);
  let dict: { dict: Record<string, unknown>; meta: Record<string, unknown> };
  try {
    dict = dcmjs.data.DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  } catch (err) {
    throw new Error(`${basename(file)} is not a readable DICOM file: ${errorMessage(err)}`);
  }
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
  const ts = String(meta.TransferSyntaxUID ?? '');
  if (!NATIVE.has(ts)) throw new Error(`${basename(file)} uses transfer syntax ${ts}, which this driver does not decode; convert it to uncompressed (e.g. dcmdjpeg from dcmtk)`);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const width = num(ds.Columns);
  const height = num(ds.Rows);
  const bits = num(ds.BitsAllocated);
  const spp = num(ds.SamplesPerPixel) ?? 1;
  if (!width || !height || !ds.PixelData) throw new Error(`${basename(file)} holds no image (Rows/Columns/Pixel Data missing)`);
  if (spp !== 1 && spp !== 3) throw new Error(`${basename(file)} has ${spp} samples per pixel; 1 or 3 are supported`);
  if (bits !== 8 && bits !== 16) throw new Error(`${basename(file)} has ${bits} bits allocated; 8 or 16 are supported`);
  const nFrames = num(ds.NumberOfFrames) ?? 1;
  const parts = ds.PixelData as ArrayBuffer[];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    all.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  const perFrame = width * height * spp * (bits / 8);
  if (all.length < perFrame * nFrames) throw new Error(`${basename(file)} pixel data is ${all.length} bytes; ${nFrames} frames of ${width}×${height}×${spp}×${bits} bits need ${perFrame * nFrames}`);
  const planar = spp === 3 && num(ds.PlanarConfiguration) === 1;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < nFrames; f++) {
    const src = all.subarray(f * perFrame, (f + 1) * perFrame);
    let out: Uint8Array;
    if (bits === 16) {
      const v = new Uint16Array(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength));
      let hi = 1;
      for (const x of v) if (x > hi) hi = x;
      out = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = Math.round((v[i]! * 255) / hi);
    } else out = Uint8Array.from(src);
    if (planar) {
      const n = width * height;
      const inter = new Uint8Array(3 * n);
      for (let i = 0; i < n; i++) {
        inter[3 * i] = out[i]!;
        inter[3 * i + 1] = out[n + i]!;
        inter[3 * i + 2] = out[2 * n + i]!;
      }
      out = inter;
    }
    frames.push(out);
  }
  const frameTime = num(ds.FrameTime) ?? (num(ds.CineRate) ? 1000 / num(ds.CineRate)! : num(ds.RecommendedDisplayFrameRate) ? 1000 / num(ds.RecommendedDisplayFrameRate)! : undefined);
  const { spacing, region } = spacingOf(ds, width, height);
  return { file, width, height, channels: spp as 1 | 3, frames, frameTimeMs: frameTime, spacing, region };
}

/** Plays ultrasound DICOM cine loops and single frames at their own frame time. */
export class DicomSource implements FrameSource {
  readonly driver = 'dicom';
  readonly s: DicomSettings;
  readonly #path: string;
  #clips: DicomClip[] = [];
  #listener: FrameListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #guard = new SourceGuard('dicom', () => this.stop());
  readonly #status = new SourceStatus('dicom', this.#guard);

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
    baseDir = process.cwd(),
  ) {
    this.s = validateWithDefaults(DicomSettings, settings, 'drivers.dicom settings');
    this.#path = resolve(baseDir, this.s.path);
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#guard.arm(options?.onFault);
    if (!existsSync(this.#path)) throw new Error(`DICOM path ${this.#path} does not exist`);
    const isFile = (f: string): boolean => (this.s.followLinks ? statSync(f) : lstatSync(f)).isFile();
    const files = statSync(this.#path).isDirectory() ? readdirSync(this.#path).sort().map((f) => join(this.#path, f)).filter(isFile) : [this.#path];
    for (const f of files) {
      try {
        this.#clips.push(readDicomClip(f));
      } catch (err) {
        this.#status.error(errorMessage(err));
      }
    }
    const last = this.#status.lastError;
    if (this.#clips.length === 0) throw new Error(`No playable DICOM in ${this.#path}${last ? `: ${last}` : ''}`);
    this.#listener = listener;
    this.#status.state = 'running';
    let clip = 0;
    let frame = 0;
    const tick = this.#guard.wrap('its frame timer', (): void => {
      if (!this.#status.running) return;
      const c = this.#clips[clip]!;
      const f: Frame = { ...this.#status.nextFrame(), width: c.width, height: c.height, channels: c.channels, data: c.frames[frame]!, pixelSpacing: c.spacing, sourceId: this.id, region: c.region };
      this.#listener?.(f);
      frame++;
      if (frame >= c.frames.length) {
        frame = 0;
        clip++;
        if (clip >= this.#clips.length) {
          if (!this.s.loop) return void this.stop();
          clip = 0;
        }
      }
      const next = this.#clips[clip]!;
      this.#timer = setTimeout(tick, this.s.fps ? 1000 / this.s.fps : (next.frameTimeMs ?? 100));
    });
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#status.state !== 'failed') this.#status.state = 'stopped';
  }

  health(): SourceHealth {
    return this.#status.health();
  }

}

export function createDicomSource(settings: Record<string, unknown>, ctx: SourceContext): DicomSource {
  return new DicomSource(ctx.id, settings, ctx.baseDir);
}
