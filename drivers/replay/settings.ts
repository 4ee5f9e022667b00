import { type Static, Type as T } from '@sinclair/typebox';
import { type NetworkPolicy, allowOnly } from '../../src/capture/network-settings.js';

/** Images only, and never the masks BUSI keeps beside them (`<name>_mask.png`, `<name>_mask_1.png`). */
export const DEFAULT_PATTERN = '!(*_mask*).{png,jpg,jpeg}';

export const ReplaySettings = T.Object(
  {
    path: T.String({ minLength: 1, description: 'A folder of PNG/JPEG images, or a video file' }),
    pattern: T.String({
      minLength: 1,
      maxLength: 200,
      default: DEFAULT_PATTERN,
      description: 'Glob (minimatch, case-insensitive) for the file names a folder plays, e.g. "*.png" or "!(*_mask).png"; only PNG and JPEG files are played; the default leaves out *_mask* files',
    }),
    fps: T.Number({ exclusiveMinimum: 0, maximum: 240, default: 10 }),
    loop: T.Boolean({ default: true }),
    pixelSpacingMm: T.Optional(T.Number({ exclusiveMinimum: 0 })),
    pixelSizeCsv: T.Optional(T.String({ description: 'CSV with filename,pixel size(mm) columns (HC18 layout)' })),
    region: T.Optional(T.Object({ x: T.Integer({ minimum: 0 }), y: T.Integer({ minimum: 0 }), width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) }, { additionalProperties: false })),
    followLinks: T.Boolean({ default: true, description: 'Play folder entries that are symbolic links (settings from the network: never)' }),
    plainVideoOnly: T.Boolean({
      default: false,
      description: 'A video must be one plain clip file (MP4/MOV, MKV/WebM, AVI, MPEG-TS/PS), never a playlist or concat script that opens other files (settings from the network: always)',
    }),
  },
  { additionalProperties: false },
);
export type ReplaySettings = Static<typeof ReplaySettings>;

/**
 * A network client picks what to play from the media folders, its rate and spacing; links inside a folder
 * are not followed and a video must be a plain clip (a link or a playlist could lead out of the media folders).
 */
export const replayNetworkPolicy: NetworkPolicy = {
  schema: allowOnly(ReplaySettings, ['path', 'pattern', 'fps', 'loop', 'pixelSpacingMm', 'pixelSizeCsv', 'region'], {
    pixelSpacingMm: T.Number({ exclusiveMinimum: 0, maximum: 10 }),
  }),
  paths: ['path', 'pixelSizeCsv'],
  fixed: { followLinks: false, plainVideoOnly: true },
};
