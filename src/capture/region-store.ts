/**
 * Imaging regions set by a technician, one per source (driver + id), in `<dataDir>/region.json`, like the
 * calibrations: not patient data, rewritten atomically (temp file, fsync, rename, directory fsync), and a
 * file that cannot be read is kept aside as `<file>.unreadable` rather than lost.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { errorMessage } from '../errors.js';
import type { ImagingRegion } from './frame.js';
import type { DepthScale, RegionOverride, RegionShape } from './region.js';

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
  savedAt: T.String(),
});
export type StoredRegion = Static<typeof Entry>;
const FileSchema = T.Object({ version: T.Literal(1), sources: T.Record(T.String(), Entry) });

export interface RegionInput {
  shape: RegionShape;
  region: ImagingRegion;
  frame: { width: number; height: number };
  scale?: DepthScale | undefined;
  pixelSpacing?: { x: number; y: number } | undefined;
  setBy?: string | undefined;
}

export class RegionStore {
  readonly #entries = new Map<string, StoredRegion>();
  /** Why the file could not be read at start (kept aside as `<file>.unreadable`). */
  readonly problem: string | undefined;

  constructor(readonly file: string) {
    if (!existsSync(file)) return;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!Value.Check(FileSchema, parsed))
        throw new Error(
          `it does not hold { version: 1, sources: { "<driver>:<id>": { shape, region, frame, … } } } (${[...Value.Errors(FileSchema, parsed)]
            .slice(0, 3)
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')})`,
        );
      for (const [k, v] of Object.entries(parsed.sources)) this.#entries.set(k, v);
    } catch (err) {
      this.problem = `Region file ${file} is unreadable, kept as ${file}.unreadable; regions start empty: ${errorMessage(err)}`;
      try {
        renameSync(file, `${file}.unreadable`);
      } catch {
        // left in place; the next save replaces it
      }
    }
  }

  static keyOf(source: { driver: string; id: string }): string {
    return `${source.driver}:${source.id}`;
  }

  get(key: string): StoredRegion | undefined {
    return this.#entries.get(key);
  }

  /** The region in force for a source's frames (marked `set`), or undefined. */
  override(key: string): RegionOverride | undefined {
    const e = this.#entries.get(key);
    return e && { region: { ...e.region, origin: 'set' }, frame: { ...e.frame }, pixelSpacing: e.pixelSpacing };
  }

  /** Saves (or, with `undefined`, clears) the region of one source; throws when the file cannot be written. */
  set(key: string, input: RegionInput | undefined): StoredRegion | undefined {
    const next = new Map(this.#entries);
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
        savedAt: new Date().toISOString(),
      };
      next.set(key, entry);
    } else next.delete(key);
    this.#write({ version: 1, sources: Object.fromEntries(next) });
    this.#entries.clear();
    for (const [k, v] of next) this.#entries.set(k, v);
    return entry;
  }

  #write(content: Static<typeof FileSchema>): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, JSON.stringify(content, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dir = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(dir); // the rename itself survives a power cut
    } finally {
      closeSync(dir);
    }
  }
}
