import { type TObject, type TSchema, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, SonoError } from '../errors.js';
import { resolveMediaPath } from './media-path.js';

/**
 * What a network client (PUT /api/source) may set for one driver, declared by the driver beside its full
 * settings. Config files on disk keep their full power; a request over the network passes this list.
 */
export interface NetworkPolicy {
  /** The settings a network client may set, with their bounds (`additionalProperties: false`). */
  schema: TObject;
  /** Keys of `schema` holding a file or folder path: each must lie under a media folder once resolved. */
  paths?: readonly string[];
  /** Set on every network request whatever the client sent (e.g. do not follow links out of a folder). */
  fixed?: Readonly<Record<string, unknown>>;
}

export interface NetworkCheckOptions {
  /** The policy of a driver by its config name; `undefined`: the driver takes no settings from the network. */
  policyOf: (driver: string) => NetworkPolicy | undefined;
  /** Absolute folders network paths must stay under (see `mediaRoots`). */
  mediaRoots: readonly string[];
  /** The drivers this daemon has, to name them when `driver` is none of them. */
  drivers?: readonly string[];
}

/**
 * The network schema of a driver: the listed keys of its full settings schema, each optional (the driver
 * fills its defaults), with `narrower` replacing a key's schema where the network gets tighter bounds.
 */
export function allowOnly(full: TObject, keys: readonly string[], narrower: Record<string, TSchema> = {}): TObject {
  const props: Record<string, TSchema> = {};
  for (const k of keys) {
    const schema = narrower[k] ?? full.properties[k];
    if (!schema) throw new Error(`Network policy names "${k}", which is not a setting of this driver`);
    props[k] = T.Optional(schema);
  }
  return T.Object(props, { additionalProperties: false });
}

/** Where desktop Linux mounts USB sticks and SD cards (udisks2: Debian `/media/<user>`, others `/run/media/<user>`). */
export const REMOVABLE_MEDIA_MOUNTS: readonly string[] = ['/media', '/run/media'];

/** The media folders of the config's `media` section, with the removable mounts unless switched off. */
export function mediaRoots(media: { folders: readonly string[]; removable: boolean }): string[] {
  return [...media.folders, ...(media.removable ? REMOVABLE_MEDIA_MOUNTS : [])];
}

/**
 * Checks driver settings that arrived over the network against the driver's allow-list: keys outside it
 * (raw ffmpeg arguments, device nodes a client may not pick) are refused, values must be within the
 * declared bounds, paths must resolve (real path: `..` and links followed) under a media folder, and the
 * policy's fixed values are set. Returns the cleaned settings for the driver; throws a coded SonoError.
 * Error messages name keys and paths the client sent, never what a file holds.
 */
export function checkNetworkSettings(driver: string, settings: Record<string, unknown>, options: NetworkCheckOptions): Record<string, unknown> {
  if (options.drivers && !options.drivers.includes(driver)) {
    throw new SonoError(ErrorCodes.SOURCE_UNKNOWN, `Unknown source driver "${driver}"; supported drivers: ${options.drivers.join(', ')}`, { details: { driver } });
  }
  const policy = options.policyOf(driver);
  if (!policy) {
    throw new SonoError(ErrorCodes.SOURCE_SETTINGS_REFUSED, `The "${driver}" driver takes no settings over the network; set them in the config file and switch to it without settings`, {
      details: { driver },
    });
  }
  const allowed = Object.keys(policy.schema.properties);
  const refused = Object.keys(settings).filter((k) => !allowed.includes(k));
  if (refused.length > 0) {
    throw new SonoError(
      ErrorCodes.SOURCE_SETTINGS_REFUSED,
      `The "${driver}" driver does not take ${refused.map((k) => `"${k}"`).join(', ')} over the network (only ${allowed.join(', ')}); set it in the config file on the device`,
      { details: { driver, refused } },
    );
  }
  const problems = [...Value.Errors(policy.schema, settings)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) {
    throw new SonoError(ErrorCodes.SOURCE_SETTINGS_INVALID, `Invalid "${driver}" settings: ${[...new Set(problems)].join('; ')}`, { details: { driver } });
  }
  const cleaned: Record<string, unknown> = { ...settings };
  for (const key of policy.paths ?? []) {
    const value = cleaned[key];
    if (typeof value === 'string') cleaned[key] = resolveMediaPath(value, options.mediaRoots, `"${driver}" setting "${key}"`);
  }
  return { ...cleaned, ...policy.fixed };
}
