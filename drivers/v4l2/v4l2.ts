import { existsSync, readdirSync } from 'node:fs';
import { type Static, Type as T } from '@sinclair/typebox';
import { FfmpegFrameReader } from '../../src/capture/ffmpeg.js';
import { FRAME_RING_GUARANTEE, type Frame, type ImagingRegion, type PixelSpacing } from '../../src/capture/frame.js';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';
import { ReconnectBackoff } from '../../src/capture/reconnect-backoff.js';
import { SourceStatus } from '../../src/capture/source-status.js';
import { type Calibration, spacingFromCalibration } from '../../src/capture/calibration.js';
import type { FrameListener, FrameSource, SourceContext, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { SourceGuard } from '../../src/capture/source-guard.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { validateWithDefaults } from '../../src/util/validate.js';

/** The longest `signalLossMs` (as the igtl and usb drivers): a loss is reported within 10 s, under the watchdog's 20 s. */
export const SIGNAL_LOSS_MAX_MS = 8000;

const Region = T.Object({ x: T.Integer({ minimum: 0 }), y: T.Integer({ minimum: 0 }), width: T.Integer({ minimum: 8 }), height: T.Integer({ minimum: 8 }) }, { additionalProperties: false });

export const V4l2Settings = T.Object(
  {
    device: T.String({ default: '/dev/video0' }),
    inputFormat: T.Optional(T.String({ description: 'v4l2 input format, e.g. mjpeg or yuyv422' })),
    width: T.Integer({ minimum: 64, maximum: 4096, default: 640 }),
    height: T.Integer({ minimum: 64, maximum: 4096, default: 480 }),
    fps: T.Number({ exclusiveMinimum: 0, maximum: 120, default: 30 }),
    /** Crop to the scanner's imaging region (the grabber sees the whole screen: menus, text). */
    crop: T.Optional(Region),
    calibration: T.Optional(
      T.Union([
        T.Object({ pixelSpacingMm: T.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }),
        T.Object({ depthMm: T.Number({ exclusiveMinimum: 0 }), depthPixels: T.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        T.Object({ x1: T.Number(), y1: T.Number(), x2: T.Number(), y2: T.Number(), distanceMm: T.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }),
      ]),
    ),
    reconnectInitialMs: T.Integer({ minimum: 10, default: 500 }),
    reconnectMaxMs: T.Integer({ minimum: 100, default: 10000 }),
    /**
     * No frame for this long = signal lost (reported, then ffmpeg restarted). At most SIGNAL_LOSS_MAX_MS: the check
     * runs every signalLossMs / 4, so a loss is reported within 1.25 × signalLossMs (10 s at most), before the
     * daemon's watchdog judges a running source with no frame for 20 s stuck (WatchdogSec=20) and withholds its pings.
     */
    signalLossMs: T.Integer({ minimum: 100, maximum: SIGNAL_LOSS_MAX_MS, default: 2000 }),
    /** Replaces `-f v4l2 -i <device>`: how tests feed ffmpeg test sources through the same code path. */
    ffmpegInput: T.Optional(T.Array(T.String(), { minItems: 2 })),
  },
  { additionalProperties: false },
);
export type V4l2Settings = Static<typeof V4l2Settings>;

/**
 * A network client picks a capture device (/dev/videoN only), its format, size, rate, crop and calibration;
 * `ffmpegInput` (raw ffmpeg arguments: any input, any file written) is for config files only.
 */
export const v4l2NetworkPolicy: NetworkPolicy = {
  schema: allowOnly(V4l2Settings, ['device', 'inputFormat', 'width', 'height', 'fps', 'crop', 'calibration', 'reconnectInitialMs', 'reconnectMaxMs', 'signalLossMs'], {
    device: T.String({ pattern: '^/dev/video[0-9]{1,3}$', description: 'A V4L2 capture device node' }),
    inputFormat: T.String({ pattern: '^[a-z0-9_]{1,32}$', description: 'A v4l2 input format name, e.g. mjpeg or yuyv422' }),
    reconnectInitialMs: T.Integer({ minimum: 10, maximum: 60000 }),
    reconnectMaxMs: T.Integer({ minimum: 100, maximum: 600000 }),
  }),
};

export { spacingFromCalibration } from '../../src/capture/calibration.js';

/** Says why a longer signal-loss time is refused, before the schema's bare "less or equal" would. */
export function checkSignalLoss(raw: Record<string, unknown>): void {
  const ms = raw.signalLossMs;
  if (typeof ms !== 'number' || !(ms > SIGNAL_LOSS_MAX_MS)) return;
  throw new SonoError(
    ErrorCodes.CONFIG_INVALID,
    `Invalid drivers.v4l2 settings: signalLossMs ${ms} is over ${SIGNAL_LOSS_MAX_MS} ms. A grabber silent that long would be judged stuck by the daemon's watchdog (20 s without a frame restarts it) before its signal loss is reported; set signalLossMs to ${SIGNAL_LOSS_MAX_MS} or less`,
    { details: { field: 'signalLossMs', value: ms, limit: SIGNAL_LOSS_MAX_MS } },
  );
}

/**
 * The crop must lie inside the picture ffmpeg scales to (`width` × `height`): ffmpeg's crop filter would
 * otherwise fail on every restart (too big) or quietly move it inside (another part of the screen).
 */
export function checkCropInside(s: Pick<V4l2Settings, 'width' | 'height' | 'crop'>): void {
  const c = s.crop;
  if (!c) return;
  const bad = c.x + c.width > s.width ? 'x' : c.y + c.height > s.height ? 'y' : undefined;
  if (!bad) return;
  const [pos, len, size] = bad === 'x' ? [c.x, c.width, s.width] : [c.y, c.height, s.height];
  const [lenName, sizeName] = bad === 'x' ? ['width', 'width'] : ['height', 'height'];
  throw new SonoError(
    ErrorCodes.CONFIG_INVALID,
    `Invalid drivers.v4l2 settings: crop ${bad} ${pos} + crop ${lenName} ${len} = ${pos + len} lies outside the ${s.width}×${s.height} capture (${sizeName} ${size}); make the crop fit inside, or set width/height to the capture size`,
    { details: { field: `crop.${bad === 'x' ? 'x/width' : 'y/height'}`, end: pos + len, limit: size } },
  );
}

/**
 * UVC / HDMI-to-USB grabbers through ffmpeg (-f v4l2), scaled and cropped by ffmpeg, gray out. Survives
 * unplug/replug: ffmpeg is restarted with exponential backoff; no frame for `signalLossMs` reads as signal lost.
 */
export class V4l2Source implements FrameSource {
  readonly driver = 'v4l2';
  readonly s: V4l2Settings;
  readonly spacing: PixelSpacing | undefined;
  #reader: FfmpegFrameReader | undefined;
  #listener: FrameListener | undefined;
  #lastFrameAt = 0;
  #watchdog: NodeJS.Timeout | undefined;
  readonly #guard = new SourceGuard('v4l2', () => this.stop());
  readonly #status = new SourceStatus('v4l2', this.#guard);
  readonly #backoff: ReconnectBackoff;

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
  ) {
    checkSignalLoss(settings);
    this.s = validateWithDefaults(V4l2Settings, settings, 'drivers.v4l2 settings');
    checkCropInside(this.s);
    this.spacing = spacingFromCalibration(this.s.calibration as Calibration | undefined);
    this.#backoff = new ReconnectBackoff(this.s.reconnectInitialMs, this.s.reconnectMaxMs, this.#guard);
  }

  get outWidth(): number {
    return this.s.crop?.width ?? this.s.width;
  }

  get outHeight(): number {
    return this.s.crop?.height ?? this.s.height;
  }

  ffmpegArgs(): string[] {
    const input = this.s.ffmpegInput ?? [
      '-f',
      'v4l2',
      ...(this.s.inputFormat ? ['-input_format', this.s.inputFormat] : []),
      '-framerate',
      String(this.s.fps),
      '-video_size',
      `${this.s.width}x${this.s.height}`,
      '-i',
      this.s.device,
    ];
    const c = this.s.crop;
    const filters = [`scale=${this.s.width}:${this.s.height}`, ...(c ? [`crop=${c.width}:${c.height}:${c.x}:${c.y}`] : []), `fps=${this.s.fps}`];
    return [...input, '-vf', filters.join(','), '-f', 'rawvideo', '-pix_fmt', 'gray', '-'];
  }

  async start(listener: FrameListener, options?: StartOptions): Promise<void> {
    this.#listener = listener;
    this.#guard.arm(options?.onFault);
    if (!this.s.ffmpegInput && !existsSync(this.s.device)) {
      const seen = existsSync('/dev')
        ? readdirSync('/dev')
            .filter((d) => d.startsWith('video'))
            .map((d) => `/dev/${d}`)
        : [];
      throw new Error(`Capture device ${this.s.device} does not exist; devices present: ${seen.join(', ') || 'none'}`);
    }
    this.#status.state = 'starting';
    this.#spawn();
    this.#watchdog = this.#guard.setInterval(
      'its signal watchdog',
      () => {
        const st = this.#status.state;
        if ((st === 'running' || st === 'starting') && performance.now() - this.#lastFrameAt > this.s.signalLossMs) {
          this.#status.error(`Signal lost: no frame for ${this.s.signalLossMs} ms`);
          this.#restart();
        }
      },
      Math.max(50, this.s.signalLossMs / 4),
    );
  }

  #spawn(): void {
    const w = this.outWidth;
    const h = this.outHeight;
    const reader = new FfmpegFrameReader(this.ffmpegArgs(), w * h, FRAME_RING_GUARANTEE);
    this.#reader = reader;
    this.#lastFrameAt = performance.now();
    reader.start(
      this.#guard.wrap('frame handling', (data: Uint8Array) => {
        if (this.#reader !== reader) return;
        this.#status.state = 'running';
        this.#backoff.reset();
        const { seq, timestampMs } = this.#status.nextFrame();
        this.#lastFrameAt = timestampMs;
        const region: ImagingRegion = { x: 0, y: 0, width: w, height: h };
        const frame: Frame = { seq, timestampMs, width: w, height: h, channels: 1, data, pixelSpacing: this.spacing, sourceId: this.id, region };
        this.#listener?.(frame);
      }),
      (code, stderr) =>
        this.#guard.wrap('ffmpeg exit handling', () => {
          if (this.#reader !== reader || this.#status.state === 'stopped') return;
          this.#status.error(`ffmpeg stopped (exit ${code}): ${stderr || 'device gone?'}`);
          this.#restart();
        })(),
    );
  }

  #restart(): void {
    this.#reader?.stop();
    this.#reader = undefined;
    this.#status.state = 'reconnecting';
    this.#backoff.schedule(() => {
      if (this.#status.state === 'reconnecting') this.#spawn();
    });
  }

  async stop(): Promise<void> {
    this.#status.state = 'stopped';
    this.#backoff.cancel();
    clearInterval(this.#watchdog);
    this.#reader?.stop();
    this.#reader = undefined;
  }

  health(): SourceHealth {
    return this.#status.health();
  }
}

export function createV4l2Source(settings: Record<string, unknown>, ctx: SourceContext): V4l2Source {
  return new V4l2Source(ctx.id, settings);
}

/** What `sonoedge doctor` prints for this driver. */
export function describeV4l2(): string {
  const devs = existsSync('/dev') ? readdirSync('/dev').filter((d) => /^video\d+$/.test(d)) : [];
  return devs.length ? `devices ${devs.map((d) => `/dev/${d}`).join(', ')}` : 'no /dev/video* devices on this machine';
}
