/**
 * Applies an edited config file to a running daemon (`serve --config FILE` watches the file, and SIGHUP
 * asks for the same). A composition-level helper beside daemon.ts: it knows the runtime, not the drivers.
 * It is the only writer of the config in force (ConfigHolder), and replaces it whole.
 */
import { changedKeys, sameValue } from '../config/diff.js';
import type { LoadedConfig } from '../config/load.js';
import { type ConfigWatcher, watchConfigFile } from '../config/watch.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { Runtime } from '../server/runtime.js';
import type { ConfigHolder } from './config-holder.js';

export interface ReloadOutcome {
  /** false: the file was refused (unreadable, invalid, or its source could not start); nothing changed. */
  ok: boolean;
  error?: string;
  /** The file's source section differed and the pipeline now runs it. */
  sourceSwitched: boolean;
  /** Keys taken without a restart. */
  applied: string[];
  /** Keys that differ from what the daemon runs with and only take effect after a restart. */
  needsRestart: string[];
}

type LogFn = (obj: object, msg?: string) => void;
export interface ReloadLog {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** What a running daemon can take from the file: the source section and the drivers' settings. */
const LIVE_KEY = /^(source|drivers)(\.|$)/;

/**
 * Re-reads and validates the whole file, then:
 * - invalid (bad YAML, a bad key anywhere, a driver section its driver refuses): logs the error with every
 *   bad key path and changes nothing;
 * - the source section changed (`source.driver`, `source.id`, or that driver's settings): switches the
 *   source through `pipeline.switchSource` — the old one keeps running if the new one cannot start;
 * - other drivers' sections: kept for the next switch (the System screen, USB hotplug);
 * - anything else: logged as "needs restart: <keys>", every time it still differs;
 * - the running source has failed: the file's source is started again (even with nothing changed).
 * Reloads never overlap: a second one waits for the first.
 */
export class ConfigReloader {
  #chain: Promise<unknown> = Promise.resolve();
  #watcher: ConfigWatcher | undefined;

  constructor(
    private readonly runtime: Pick<Runtime, 'pipeline' | 'createSource' | 'driverNames'>,
    private readonly config: ConfigHolder,
    private readonly load: () => LoadedConfig,
    private readonly log: ReloadLog,
    /** Every reload, taken or refused, goes to the audit trail (issue 17): who changes a running device matters. */
    private readonly audit?: (why: string, outcome: ReloadOutcome) => void,
  ) {}

  reload(why: string): Promise<ReloadOutcome> {
    const run = this.#chain
      .then(() => this.#reload(why))
      .then((outcome) => {
        this.audit?.(why, outcome);
        return outcome;
      });
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Reloads whenever `file` changes (debounced). */
  watch(file: string, debounceMs?: number): void {
    this.#watcher?.close();
    this.#watcher = watchConfigFile(file, () => void this.reload('file changed'), debounceMs === undefined ? {} : { debounceMs });
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  async #reload(why: string): Promise<ReloadOutcome> {
    const rt = this.runtime;
    const refuse = (error: string, needsRestart: string[] = []): ReloadOutcome => {
      this.log.error({ code: ErrorCodes.CONFIG_INVALID, why }, `Config reload refused, the daemon keeps running unchanged: ${error}`);
      return { ok: false, error, sourceSwitched: false, applied: [], needsRestart };
    };
    let next: LoadedConfig;
    try {
      next = this.load();
    } catch (err) {
      return refuse(errorMessage(err));
    }
    const cur = this.config.current();
    const want = next.config;
    const keys = changedKeys(cur, want);
    // A source that failed (device unplugged, driver fault) is started again by a reload: "fix it, then reload".
    const failed = rt.pipeline.source?.health().state === 'failed';
    if (keys.length === 0 && !failed) {
      this.log.info({ why }, 'Config reloaded: nothing changed');
      return { ok: true, sourceSwitched: false, applied: [], needsRestart: [] };
    }
    const problems = this.#checkDrivers(want);
    if (problems.length > 0) return refuse(`Invalid config:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    const live = keys.filter((k) => LIVE_KEY.test(k));
    const needsRestart = keys.filter((k) => !LIVE_KEY.test(k));
    const d = want.source.driver;
    const sourceChanged = cur.source.driver !== d || cur.source.id !== want.source.id || !sameValue(cur.drivers[d] ?? {}, want.drivers[d] ?? {});
    if (sourceChanged || failed) {
      try {
        await rt.pipeline.switchSource(rt.createSource(d, want.drivers[d] ?? {}, want.source.id));
      } catch (err) {
        const e = new SonoError(ErrorCodes.SOURCE_FAILED, `Source "${d}" from the edited config could not start, the previous source keeps running: ${errorMessage(err)}`, { cause: err });
        this.log.error({ code: e.code, why, driver: d }, e.message);
        if (needsRestart.length > 0) this.log.warn({ why, keys: needsRestart }, `Config reload: needs restart: ${needsRestart.join(', ')}`);
        return { ok: false, error: e.message, sourceSwitched: false, applied: [], needsRestart };
      }
    }
    // Read through Runtime.config by PUT /api/source (its defaults) and USB hotplug ("the configured source").
    this.config.replace({ ...cur, source: want.source, drivers: want.drivers });
    if (sourceChanged) this.log.info({ why, keys: live, driver: d }, `Config reloaded: source switched to "${d}" without a restart`);
    else if (failed) this.log.info({ why, driver: d }, `Config reloaded: the failed source was replaced by "${d}" from the config, started again`);
    if (!sourceChanged && live.length > 0) this.log.info({ why, keys: live }, `Config reloaded: driver settings updated (${live.join(', ')}), used at the next source switch`);
    if (needsRestart.length > 0) this.log.warn({ why, keys: needsRestart }, `Config reload: needs restart: ${needsRestart.join(', ')}`);
    return { ok: true, sourceSwitched: sourceChanged || failed, applied: live, needsRestart };
  }

  /** Each known driver checks its own section: a source is built (never started) from it. */
  #checkDrivers(want: LoadedConfig['config']): string[] {
    const rt = this.runtime;
    const names = rt.driverNames();
    const problems: string[] = [];
    if (!names.includes(want.source.driver)) problems.push(`/source/driver: unknown source driver "${want.source.driver}"; supported drivers: ${names.join(', ')}`);
    for (const [name, settings] of Object.entries(want.drivers)) {
      if (!names.includes(name)) continue; // as at start-up: a section for a driver this build lacks is not an error
      try {
        rt.createSource(name, settings, want.source.id);
      } catch (err) {
        problems.push(`/drivers/${name}: ${errorMessage(err).replace(/\n/g, '\n  ')}`);
      }
    }
    return problems;
  }
}
