import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import sharp from 'sharp';
import { PLAIN_VIDEO_INPUT, probeVideoSize } from '../../src/capture/ffmpeg.js';
import { FRAME_RING_GUARANTEE, type Frame, type ImagingRegion, type PixelSpacing } from '../../src/capture/frame.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { SourceStatus } from '../../src/capture/source-status.js';
import { ErrorCodes, SonoError, errorMessage } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';
import { isPngOrJpeg, listImages } from './image-list.js';
import { type AviEvent, AviFrameReader } from './avi-reader.js';
import { readPixelSizeCsv } from './pixel-size-csv.js';
import { ReplaySettings } from './settings.js';

export { readPixelSizeCsv } from './pixel-size-csv.js';
export { DEFAULT_PATTERN, ReplaySettings, replayNetworkPolicy } from './settings.js';

/**
 * Loops a folder of images or a video file at a set frame rate, like a scanner would send them. Images
 * in a folder may differ in size: each frame carries its own size, imaging region and pixel spacing.
 */
export class ReplaySource implements FrameSource {
  readonly driver = 'replay';
  readonly s: ReplaySettings;
  readonly #path: string;
  #files: string[] = [];
  #sizes = new Map<string, number>();
  #reader: AviFrameReader | undefined;
  #timer: NodeJS.Timeout | undefined;
  #listener: FrameListener | undefined;
  #index = 0;
  #consecutiveFailures = 0;
  #busy = false;
  readonly #guard = new SourceGuard('replay', () => this.stop());
  readonly #status = new SourceStatus('replay', this.#guard);

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
    baseDir = process.cwd(),
  ) {
    this.s = validateWithDefaults(ReplaySettings, settings, 'drivers.replay settings');
    this.#path = resolve(baseDir, this.s.path);
    if (this.s.pixelSizeCsv) this.#sizes = readPixelSizeCsv(resolve(baseDir, this.s.pixelSizeCsv));
  }

  /** The files a folder plays, in order (empty for a video or before `start`). */
  get files(): readonly string[] {
    return this.#files;
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    this.#status.state = 'starting';
    if (!existsSync(this.#path)) throw new SonoError(ErrorCodes.REPLAY_NO_INPUT, `Replay path ${this.#path} does not exist`);
    if (statSync(this.#path).isDirectory()) {
      this.#files = listImages(this.#path, this.s.pattern, this.s.followLinks);
      if (this.#files.length === 0)
        throw new SonoError(ErrorCodes.REPLAY_NO_INPUT, `Replay folder ${this.#path} holds no PNG or JPEG images matching the pattern "${this.s.pattern}"; check the folder or the pattern setting`);
      this.#status.state = 'running';
      this.#scheduleImages();
    } else {
      try {
        await probeVideoSize(this.#path, this.#inputArgs()); // a readable video stream, or a clear error now (beside the event loop)
      } catch (err) {
        throw new SonoError(ErrorCodes.REPLAY_UNREADABLE, `Replay file ${this.#path} is not a readable image folder or video: ${errorMessage(err)}`, { cause: err });
      }
      if (this.#status.state !== 'starting') return; // stopped while ffprobe read
      this.#status.state = 'running';
      this.#startVideo();
    }
  }

  #scheduleImages(): void {
    const period = 1000 / this.s.fps;
    let due = performance.now();
    const tick = this.#guard.wrap('its frame timer', (): void => {
      if (!this.#status.running) return;
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
      const bytes = await readFile(file);
      if (!isPngOrJpeg(bytes)) throw new Error('it is neither a PNG nor a JPEG file (by its first bytes)');
      const { data, info } = await sharp(bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
      if (!this.#status.running) return;
      this.#consecutiveFailures = 0;
      this.#deliver(new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), info.width, info.height, basename(file));
    } catch (err) {
      this.#consecutiveFailures++;
      this.#status.error(`Cannot decode replay image ${file}: ${errorMessage(err)}`, this.#consecutiveFailures >= this.#files.length ? 'failed' : undefined);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Frames come with the size ffmpeg decoded them at (each AVI chunk says it), turned as a player shows
   * them (display rotation applied). A clip whose frames change size stops with an error: scaling them
   * to one size would change the mm per pixel, and the pixel spacing is one for the clip.
   */
  #startVideo(): void {
    const args = ['-re', ...(this.s.loop ? ['-stream_loop', '-1'] : []), ...this.#inputArgs(), '-i', this.#path, '-vf', `fps=${this.s.fps}`];
    const reader = new AviFrameReader(args, FRAME_RING_GUARANTEE);
    this.#reader = reader;
    reader.start(
      this.#guard.wrap('video frame handling', (e: AviEvent) => {
        if (e.kind === 'frame') return void this.#deliver(e.data, e.width, e.height, basename(this.#path));
        const msg = `Replay file ${this.#path} changes frame size after ${e.index} frames (from ${e.width}×${e.height} to a frame of ${e.bytes} pixels); sonoedge does not rescale it, which would change the mm per pixel: cut the clip where the size changes, or re-encode it at one size and give its pixel spacing`;
        this.#status.error(`${msg} (${ErrorCodes.REPLAY_UNREADABLE})`, 'failed');
      }),
      (code, stderr) =>
        this.#guard.wrap('ffmpeg exit handling', () => {
          if (!this.#status.running || this.#reader !== reader) return;
          if (code !== 0) this.#status.error(`ffmpeg stopped reading ${this.#path} (exit ${code}): ${stderr}`, 'failed');
          else this.#status.state = 'stopped';
        })(),
    );
  }

  #inputArgs(): readonly string[] {
    return this.s.plainVideoOnly ? PLAIN_VIDEO_INPUT : [];
  }

  #deliver(data: Uint8Array, width: number, height: number, name: string): void {
    const frame: Frame = {
      ...this.#status.nextFrame(),
      width,
      height,
      channels: 1,
      data,
      pixelSpacing: this.#spacingFor(name),
      sourceId: this.id,
      region: this.regionFor(width, height),
    };
    this.#listener?.(frame);
  }

  /** The configured region where it fits this frame, else the whole frame (images in a folder may differ in size). */
  regionFor(width: number, height: number): ImagingRegion {
    const r = this.s.region;
    return r && r.x + r.width <= width && r.y + r.height <= height ? r : { x: 0, y: 0, width, height };
  }

  #spacingFor(name: string): PixelSpacing | undefined {
    const mm = this.#sizes.get(name) ?? this.s.pixelSpacingMm;
    return mm ? { x: mm, y: mm } : undefined;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#reader?.stop();
    this.#timer = undefined;
    if (this.#status.state !== 'failed') this.#status.state = 'stopped';
  }

  health(): SourceHealth {
    return this.#status.health();
  }
}

export function createReplaySource(settings: Record<string, unknown>, ctx: SourceContext): ReplaySource {
  return new ReplaySource(ctx.id, settings, ctx.baseDir);
}
