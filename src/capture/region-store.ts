/**
 * Imaging regions set by a technician, one per device or input (source-identity.ts), in `<dataDir>/region.json`, like the
 * calibrations (per-source-store.ts: atomic rewrite, an unreadable file kept aside).
 */
import { type Static, Type as T } from '@sinclair/typebox';
import type { ImagingRegion } from './frame.js';
import { PerSourceJsonStore } from './per-source-store.js';
import type { DepthScale, FanShape, RegionOverride, RegionShape } from './region.js';

const Rect = T.Object({ x: T.Integer({ minimum: 0 }), y: T.Integer({ minimum: 0 }), width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) });
const Entry = T.Object({
  /** What the technician drew (a rectangle or a fan), kept to show and audit it. */
  shape: T.Record(T.String(), T.Record(T.String(), T.Number())),
  /** Its bounding rectangle: the frame's region on frames of `frame`'s size. */
  region: Rect,
  /** Size of the frames it was drawn on: a region in pixels means nothing at another size. */
  frame: T.Object({ width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) }),
  /** The depth-scale taps and the pixel size they give, when the technician made them. */
  scale: T.Optional(T.Record(T.String(), T.Number())),
  pixelSpacing: T.Optional(T.Object({ x: T.Number({ exclusiveMinimum: 0 }), y: T.Number({ exclusiveMinimum: 0 }) })),
  setBy: T.Optional(T.String()),
  /** The device or input it was drawn on (source-identity.ts); absent on entries of earlier versions (legacy). */
  identity: T.Optional(T.String()),
  /** The legacy `driver:id` key it was adopted from, when it was (src/app/sources.ts). */
  migratedFrom: T.Optional(T.String()),
  savedAt: T.String(),
});
export type StoredRegion = Static<typeof Entry>;

export interface RegionInput {
  shape: RegionShape;
  region: ImagingRegion;
  frame: { width: number; height: number };
  scale?: DepthScale | undefined;
  pixelSpacing?: { x: number; y: number } | undefined;
  setBy?: string | undefined;
}

const FAN_KEYS = ['apexX', 'apexY', 'innerRadius', 'outerRadius', 'startAngleDeg', 'endAngleDeg'] as const;

/** The fan a stored shape holds, when it is one with every number present. */
function fanOf(shape: StoredRegion['shape']): FanShape | undefined {
  const f = shape.fan;
  if (!f || !FAN_KEYS.every((k) => Number.isFinite(f[k]))) return undefined;
  return { apexX: f.apexX!, apexY: f.apexY!, innerRadius: f.innerRadius!, outerRadius: f.outerRadius!, startAngleDeg: f.startAngleDeg!, endAngleDeg: f.endAngleDeg! };
}

export class RegionStore extends PerSourceJsonStore<typeof Entry> {
  constructor(file: string) {
    super(file, { entry: Entry, what: 'Region', fields: 'shape, region, frame, …' });
  }

  /** The region in force for a source's frames (marked `set`, with its sector when a fan was drawn), or undefined. */
  override(key: string): RegionOverride | undefined {
    const e = this.get(key);
    if (!e) return undefined;
    const fan = fanOf(e.shape);
    return { region: { ...e.region, origin: 'set', ...(fan ? { fan } : {}) }, frame: { ...e.frame }, pixelSpacing: e.pixelSpacing };
  }

  /** Saves (or, with `undefined`, clears) the region of one device; a legacy entry under `legacyKey` goes in the same write. Throws when the file cannot be written. */
  set(key: string, input: RegionInput | undefined, legacyKey?: string): StoredRegion | undefined {
    let entry: StoredRegion | undefined;
    if (input) {
      const { x, y, width, height } = input.region;
      entry = {
        shape: structuredClone(input.shape) as unknown as StoredRegion['shape'],
        region: { x, y, width, height },
        frame: { ...input.frame },
        ...(input.scale ? { scale: { ...input.scale } } : {}),
        ...(input.pixelSpacing ? { pixelSpacing: { ...input.pixelSpacing } } : {}),
        ...(input.setBy ? { setBy: input.setBy } : {}),
        identity: key,
        savedAt: new Date().toISOString(),
      };
    }
    this.put(key, entry, legacyKey);
    return entry;
  }
}
