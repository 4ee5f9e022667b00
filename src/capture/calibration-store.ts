import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { errorMessage } from '../errors.js';
import type { Calibration } from './calibration.js';

const Spacing = T.Object({ x: T.Number({ exclusiveMinimum: 0 }), y: T.Number({ exclusiveMinimum: 0 }) });
const Entry = T.Object({
  /** What the clinician gave (two points and a distance, or a spacing), kept to show and audit it. */
  calibration: T.Record(T.String(), T.Number()),
  pixelSpacing: Spacing,
  /** Size of the frames it was made on: a calibration in pixels means nothing at another size. */
  frame: T.Optional(T.Object({ width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) })),
  savedAt: T.String(),
});
export type StoredCalibration = Static<typeof Entry>;
const FileSchema = T.Object({ version: T.Literal(1), sources: T.Record(T.String(), Entry) });

/**
 * Calibrations made in the UI, one per source (driver + id), in a small JSON file in the data dir. Not
 * patient data, so not in the encrypted records database. Every change rewrites the file atomically
 * (temp file, fsync, rename): a power cut leaves the old file or the new one, never half of one.
 */
export class CalibrationStore {
  readonly #entries = new Map<string, StoredCalibration>();
  /** Why the file could not be read at start (it is then kept aside as `<file>.unreadable`, not lost). */
  readonly problem: string | undefined;

  constructor(readonly file: string) {
    if (!existsSync(file)) return;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!Value.Check(FileSchema, parsed))
        throw new Error(
          `it does not hold { version: 1, sources: { "<driver>:<id>": { pixelSpacing, … } } } (${[...Value.Errors(FileSchema, parsed)]
            .slice(0, 3)
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')})`,
        );
      for (const [k, v] of Object.entries(parsed.sources)) this.#entries.set(k, v);
    } catch (err) {
      this.problem = `Calibration file ${file} is unreadable, kept as ${file}.unreadable; calibrations start empty: ${errorMessage(err)}`;
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

  get(key: string): StoredCalibration | undefined {
    return this.#entries.get(key);
  }

  /** Saves (or, with `undefined`, clears) the calibration of one source; throws when the file cannot be written. */
  set(key: string, entry: { calibration: Calibration; pixelSpacing: { x: number; y: number }; frame?: { width: number; height: number } | undefined } | undefined): void {
    const next = new Map(this.#entries);
    if (entry)
      next.set(key, { calibration: { ...entry.calibration }, pixelSpacing: { ...entry.pixelSpacing }, ...(entry.frame ? { frame: { ...entry.frame } } : {}), savedAt: new Date().toISOString() });
    else next.delete(key);
    this.#write({ version: 1, sources: Object.fromEntries(next) });
    this.#entries.clear();
    for (const [k, v] of next) this.#entries.set(k, v);
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
