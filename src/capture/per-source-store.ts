/**
 * Settings kept per source in one small JSON file in the data dir: calibrations, imaging regions. Keyed by
 * what identifies the device or input (src/capture/source-identity.ts, `<driver>@<identity>`), and each entry
 * records that identity. Entries an earlier version stored under `<driver>:<config.source.id>` record none:
 * they are legacy, never applied as they are (the id is the same for every source of the driver), only
 * adopted once by the configured source (`adoptLegacy`, src/app/sources.ts). Not patient data, so not in the encrypted records database. Every change rewrites the file
 * atomically (temp file, fsync, rename, directory fsync): a power cut leaves the old file or the new one,
 * never half of one. A file that cannot be read at start is kept aside as `<file>.unreadable`, not lost, and
 * the store starts empty (`problem` says why, for the log).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Static, type TSchema, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { errorMessage } from '../errors.js';

export interface PerSourceFile<E extends TSchema> {
  /** What one entry holds (checked when the file is read). */
  entry: E;
  /** The kind of setting, capitalised, for messages: "Region", "Calibration". */
  what: string;
  /** The fields an entry has, for the message about a file of the wrong shape: "shape, region, frame, …". */
  fields: string;
}

export class PerSourceJsonStore<E extends TSchema> {
  readonly #entries = new Map<string, Static<E>>();
  /** Why the file could not be read at start (kept aside as `<file>.unreadable`). */
  readonly problem: string | undefined;

  constructor(
    readonly file: string,
    spec: PerSourceFile<E>,
  ) {
    const schema = T.Object({ version: T.Literal(1), sources: T.Record(T.String(), spec.entry) });
    if (!existsSync(file)) return;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!Value.Check(schema, parsed))
        throw new Error(
          `it does not hold { version: 1, sources: { "<driver>@<identity>": { ${spec.fields} } } } (${[...Value.Errors(schema, parsed)]
            .slice(0, 3)
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')})`,
        );
      for (const [k, v] of Object.entries(parsed.sources)) this.#entries.set(k, v as Static<E>);
    } catch (err) {
      this.problem = `${spec.what} file ${file} is unreadable, kept as ${file}.unreadable; ${spec.what.toLowerCase()}s start empty: ${errorMessage(err)}`;
      try {
        renameSync(file, `${file}.unreadable`);
      } catch {
        // left in place; the next save replaces it
      }
    }
  }

  /** The key an earlier version stored a source's entry under (driver + config.source.id): legacy, see `legacy`. */
  static keyOf(source: { driver: string; id: string }): string {
    return `${source.driver}:${source.id}`;
  }

  get(key: string): Static<E> | undefined {
    return this.#entries.get(key);
  }

  /** The entry an earlier version stored under `driver:id` (no identity recorded), if one is still there. */
  legacy(source: { driver: string; id: string }): Static<E> | undefined {
    const e = this.#entries.get(PerSourceJsonStore.keyOf(source));
    return e && !('identity' in (e as object)) ? e : undefined;
  }

  /**
   * Binds a legacy `driver:id` entry to one identity, once: it moves to `identityKey` (recording the identity
   * and where it came from) unless that identity has an entry of its own. True when it moved. Throws when the
   * file cannot be written, and then nothing changed.
   */
  adoptLegacy(source: { driver: string; id: string }, identityKey: string): boolean {
    const old = this.legacy(source);
    if (!old || this.#entries.has(identityKey)) return false;
    const next = new Map(this.#entries);
    next.delete(PerSourceJsonStore.keyOf(source));
    next.set(identityKey, { ...(old as object), identity: identityKey, migratedFrom: PerSourceJsonStore.keyOf(source) } as Static<E>);
    this.#commit(next);
    return true;
  }

  /** Saves (or, with `undefined`, clears) one source's entry; throws when the file cannot be written, and then nothing changed. */
  protected put(key: string, entry: Static<E> | undefined, alsoDelete?: string): void {
    const next = new Map(this.#entries);
    if (entry !== undefined) next.set(key, entry);
    else next.delete(key);
    if (alsoDelete !== undefined && alsoDelete !== key) next.delete(alsoDelete);
    this.#commit(next);
  }

  #commit(next: Map<string, Static<E>>): void {
    this.#write(JSON.stringify({ version: 1, sources: Object.fromEntries(next) }, null, 2) + '\n');
    this.#entries.clear();
    for (const [k, v] of next) this.#entries.set(k, v);
  }

  #write(text: string): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
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
