import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import sharp from 'sharp';
import { FfmpegFrameReader, probeVideoSize } from '../../src/capture/ffmpeg.js';
import { FRAME_RING_GUARANTEE, type Frame, type PixelSpacing } from '../../src/capture/frame.js';
import { RateMeter } from '../../src/capture/rate-meter.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { ErrorCodes, SonoError, errorMessage } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';

export const ReplaySettings = T.Object(
  {
    path: T.String({ minLength: 1, description: 'A folder of PNG/JPEG images, or a video file' }),
    fps: T.Number({ exclusiveMinimum: 0, maximum: 240, default: 10 }),
    loop: T.Boolean({ default: true }),
    pixelSpacingMm: T.Optional(T.Number({ exclusiveMinimum: 0 })),
    pixelSizeCsv: T.Optional(T.String({ description: 'CSV with filename,pixel size(mm) columns (HC18 layout)' })),
    region: T.Optional(T.Object({ x: T.Integer({ minimum: 0 }), y: T.Integer({ minimum: 0 }), width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type ReplaySettings = Static<typeof ReplaySettings>;

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/** Reads an HC18-style `filename,pixel size(mm)` CSV into a map; throws naming the bad line. */
export function readPixelSizeCsv(file: string): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SonoError(ErrorCodes.PIXEL_SIZE_CSV_INVALID, `Cannot read pixel-size CSV ${file}: ${errorMessage(err)}`, { cause: err });
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const fi = header.indexOf('filename');
  const pi = header.findIndex((h) => h.startsWith('pixel size'));
  if (fi < 0 || pi < 0) {
    throw new SonoError(ErrorCodes.PIXEL_SIZE_CSV_INVALID, `Pixel-size CSV ${file} needs "filename" and "pixel size(mm)" columns; its header is "${lines[0] ?? ''}"`);
  }
  const map = new Map<string, number>();
  lines.slice(1).forEach((line, i) => {
    const cols = line.split(',');
    const v = Number(cols[pi]);
    if (!cols[fi] || !(v > 0)) throw new SonoError(ErrorCodes.PIXEL_SIZE_CSV_INVALID, `Pixel-size CSV ${file} line ${i + 2} has no valid pixel size: "${line}"`);
    map.set(cols[fi]!.trim(), v);
  });
  return map;
}

/** Loops a folder of images or a video file at a set frame rate, like a scanner would send them. */
export class ReplaySource implements FrameSource {
  readonly driver = 'replay';
  readonly s: ReplaySettings;
  readonly #path: string;
  #files: string[] = [];
  #sizes = new Map<string, number>();
  #video: { width: number; height: number } | undefined;
  #reader: FfmpegFrameReader | undefined;
  #timer: NodeJS.Timeout | undefined;
  #listener: FrameListener | undefined;
  #state: SourceHealth['state'] = 'stopped';
  #seq = 0;
  #index = 0;
  #errors = 0;
  #lastError: string | undefined;
  #consecutiveFailures = 0;
  #rate = new RateMeter();
  #busy = false;
  readonly #guard = new SourceGuard('replay', () => this.stop());

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
    baseDir = process.cwd(),
  ) {
    this.s = validateWithDefaults(ReplaySettings, settings, 'drivers.replay settings');
    this.#path = resolve(baseDir, this.s.path);
    if (this.s.pixelSizeCsv) this.#sizes = readPixelSizeCsv(resolve(baseDir, this.s.pixelSizeCsv));
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    this.#state = 'starting';
    if (!existsSync(this.#path)) throw new SonoError(ErrorCodes.REPLAY_NO_INPUT, `Replay path ${this.#path} does not exist`);
    if (statSync(this.#path).isDirectory()) {
      this.#files = readdirSync(this.#path).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort().map((f) => join(this.#path, f));
      if (this.#files.length === 0) throw new SonoError(ErrorCodes.REPLAY_NO_INPUT, `Replay folder ${this.#path} holds no PNG or JPEG images`);
      this.#state = 'running';
      this.#scheduleImages();
    } else {
      try {
        this.#video = probeVideoSize(this.#path);
      } catch (err) {
        throw new SonoError(ErrorCodes.REPLAY_UNREADABLE, `Replay file ${this.#path} is not a readable image folder or video: ${errorMessage(err)}`, { cause: err });
      }
      this.#state = 'running';
      this.#startVideo();
    }
  }

  #scheduleImages(): void {
    const period = 1000 / this.s.fps;
    let due = performance.now();
    const tick = this.#guard.wrap('its frame timer', (): void => {
      if (this.#state !== 'running') return;
      if (!this.#busy) void this.#guard.watch('image decoding', this.#emitImage());
      due += period;
      const now = performance.now();
      if (due < now - period) due = now;
      this.#timer = setTimeout(tick, Math.max(0, due - now));
    });
    tick();
  }

  async #emitImage(): Promise<void> {
    if (this.#index >= this.#files.length) {
      if (!this.s.loop) return void this.stop();
      this.#index = 0;
    }
    const file = this.#files[this.#index++]!;
    this.#busy = true;
    try {
      const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
      if (this.#state !== 'running') return;
      this.#consecutiveFailures = 0;
      this.#deliver(new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), info.width, info.height, basename(file));
    } catch (err) {
      this.#errors++;
      this.#consecutiveFailures++;
      this.#lastError = `Cannot decode replay image ${file}: ${errorMessage(err)}`;
      if (this.#consecutiveFailures >= this.#files.length) this.#state = 'failed';
    } finally {
      this.#busy = false;
    }
  }

  #startVideo(): void {
    const { width, height } = this.#video!;
    const args = ['-re', ...(this.s.loop ? ['-stream_loop', '-1'] : []), '-i', this.#path, '-vf', `fps=${this.s.fps}`, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'];
    this.#reader = new FfmpegFrameReader(args, width * height, FRAME_RING_GUARANTEE);
    this.#reader.start(
      this.#guard.wrap('video frame handling', (data: Uint8Array) => this.#deliver(data, width, height, basename(this.#path))),
      (code, stderr) => this.#guard.wrap('ffmpeg exit handling', () => {
        if (this.#state !== 'running') return;
        if (code !== 0) {
          this.#errors++;
          this.#lastError = `ffmpeg stopped reading ${this.#path} (exit ${code}): ${stderr}`;
          this.#state = 'failed';
        } else this.#state = 'stopped';
      })(),
    );
  }

  #deliver(data: Uint8Array, width: number, height: number, name: string): void {
    const spacing = this.#spacingFor(name);
    const r = this.s.region;
    const frame: Frame = {
      seq: this.#seq++,
      timestampMs: performance.now(),
      width,
      height,
      channels: 1,
      data,
      pixelSpacing: spacing,
      sourceId: this.id,
      region: r && r.x + r.width <= width && r.y + r.height <= height ? r : { x: 0, y: 0, width, height },
    };
    this.#rate.tick(frame.timestampMs);
    this.#listener?.(frame);
  }

  #spacingFor(name: string): PixelSpacing | undefined {
    const mm = this.#sizes.get(name) ?? this.s.pixelSpacingMm;
    return mm ? { x: mm, y: mm } : undefined;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#reader?.stop();
    this.#timer = undefined;
    if (this.#state !== 'failed') this.#state = 'stopped';
  }

  health(): SourceHealth {
    return this.#guard.health({ driver: this.driver, state: this.#state, connected: this.#state === 'running', fps: this.#rate.fps(), framesDelivered: this.#seq, errors: this.#errors, lastError: this.#lastError });
  }

}

export function createReplaySource(settings: Record<string, unknown>, ctx: SourceContext): ReplaySource {
  return new ReplaySource(ctx.id, settings, ctx.baseDir);
}
