import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { type DicomClip, readDicomClip } from '../../src/capture/dicom-image.js';
import type { Frame } from '../../src/capture/frame.js';
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

// the reading is shared with `sonoedge analyze` (src/capture/dicom-image.ts)
export { type DicomClip, readDicomClip, spacingOf } from '../../src/capture/dicom-image.js';

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
    if (!existsSync(this.#path)) throw new Error(`DICOM path ${this.#path} does not exist`);
    const isFile = (f: string): boolean => (this.s.followLinks ? statSync(f) : lstatSync(f)).isFile();
    const files = statSync(this.#path).isDirectory()
      ? readdirSync(this.#path)
          .sort()
          .map((f) => join(this.#path, f))
          .filter(isFile)
      : [this.#path];
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
