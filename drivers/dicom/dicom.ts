import { existsSync } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { type Static, Type as T } from '@sinclair/typebox';
import { type DicomClip, FRAME_TIME_MS } from '../../src/capture/dicom-image.js';
import type { Frame } from '../../src/capture/frame.js';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';
import { SourceStatus } from '../../src/capture/source-status.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { ErrorCodes, type SonoError } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';
import { dicomError, dicomInputError, nothingPlayable } from './input-errors.js';
import { readDicomInput } from './read-input.js';

/** 512 MiB of decoded frames: about 17 cine loops of 100 frames at 640×480 gray. */
export const DEFAULT_MAX_PIXEL_BYTES = 512 * 2 ** 20;
/** Played when neither `fps` nor a usable frame time in the file says otherwise (10 fps). */
export const DEFAULT_FRAME_MS = 100;

export const DicomSettings = T.Object(
  {
    path: T.String({ minLength: 1, description: 'A DICOM file or a folder of them (single- or multi-frame ultrasound)' }),
    fps: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 240, description: 'Overrides the frame time in the file' })),
    loop: T.Boolean({ default: true }),
    followLinks: T.Boolean({ default: true, description: 'Play folder entries that are symbolic links (settings from the network: never)' }),
    maxPixelBytes: T.Integer({
      minimum: 1,
      default: DEFAULT_MAX_PIXEL_BYTES,
      description: 'Memory budget for the decoded frames of a file or folder (8-bit samples); a file that would exceed it is refused (config file only)',
    }),
  },
  { additionalProperties: false },
);
export type DicomSettings = Static<typeof DicomSettings>;

// the reading is shared with `sonoedge analyze` (src/capture/dicom-image.ts)
export { type DicomClip, readDicomClip, readDicomClipAsync, spacingOf } from '../../src/capture/dicom-image.js';

/** A network client picks a file or folder under the media folders and its rate; links in a folder are not followed. */
export const dicomNetworkPolicy: NetworkPolicy = { schema: allowOnly(DicomSettings, ['path', 'fps', 'loop']), paths: ['path'], fixed: { followLinks: false } };

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
    this.#status.state = 'starting';
    if (!existsSync(this.#path)) {
      throw dicomError(ErrorCodes.DICOM_NO_INPUT, `DICOM path ${this.#path} does not exist; check the path, and that the USB stick or share that holds it is plugged in and mounted`);
    }
    const { failures, files } = await this.#load();
    if (this.#status.state !== 'starting') return; // stopped while loading
    if (this.#clips.length === 0) throw nothingPlayable(this.#path, failures, files);
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
      this.#timer = setTimeout(tick, this.s.fps ? 1000 / this.s.fps : (next.frameTimeMs ?? DEFAULT_FRAME_MS));
    });
    tick();
  }

  /**
   * Reads the file or folder without blocking the event loop (async reads, dcmdjpeg as a child process, a
   * turn of the loop between files) and within the `maxPixelBytes` budget: a file beyond it is refused.
   */
  async #load(): Promise<{ failures: SonoError[]; files: number }> {
    const failures: SonoError[] = [];
    let skipped = 0; // folder entries that are not files
    const isFile = async (f: string): Promise<boolean> => (this.s.followLinks ? await stat(f) : await lstat(f)).isFile();
    const files = (await stat(this.#path)).isDirectory() ? (await readdir(this.#path)).sort().map((f) => join(this.#path, f)) : [this.#path];
    let left = this.s.maxPixelBytes;
    for (const f of files) {
      await turn();
      if (this.#status.state !== 'starting') break;
      try {
        if (!(await isFile(f))) {
          skipped++;
          continue;
        }
        const clip = await readDicomInput(f, { path: this.#path, budgetBytes: this.s.maxPixelBytes, leftBytes: left });
        left -= clip.frames.reduce((n, fr) => n + fr.byteLength, 0);
        if (clip.frameTimeIgnored !== undefined && !this.s.fps) {
          const ms = clip.frameTimeIgnored;
          const range = `${FRAME_TIME_MS.min.toFixed(2)}–${FRAME_TIME_MS.max} ms`;
          this.#status.error(
            `${basename(f)}: Frame Time ${ms} ms is not usable (${range}); played at ${1000 / DEFAULT_FRAME_MS} fps; set fps to choose the rate (${ErrorCodes.DICOM_FRAME_TIME_IGNORED})`,
          );
        }
        this.#clips.push(clip);
      } catch (err) {
        const e = dicomInputError(f, err, { path: this.#path, budgetBytes: this.s.maxPixelBytes });
        if (e.code === ErrorCodes.DICOM_TOO_LARGE) {
          this.#clips = [];
          throw e;
        }
        this.#status.error(e.message);
        failures.push(e);
      }
    }
    return { failures, files: files.length - skipped };
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#status.state !== 'failed') this.#status.state = 'stopped';
  }

  health(): SourceHealth {
    return this.#status.health();
  }
}

export function createDicomSource(settings: Record<string, unknown>, ctx: SourceContext): DicomSource {
  return new DicomSource(ctx.id, settings, ctx.baseDir);
}
