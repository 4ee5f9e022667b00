/**
 * Watches the free space of the filesystem that holds the records. Below `warnFreeMb` it warns (health, metrics,
 * UI); below `stopCineFreeMb` cine is no longer kept on disk; below `refuseFreeMb` new exams and captures are
 * refused with SONO_DISK_LOW, so SQLite never meets a full disk halfway through a write (it would roll the
 * transaction back and stay consistent, but the exam would be half-entered and the sonographer would not know).
 * Decisions and closing an open exam stay allowed: they are small and finish work already begun.
 */
import { statfsSync } from 'node:fs';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { StorageConfig } from './storage-config.js';

export type DiskLevel = 'ok' | 'warn' | 'no-cine' | 'refuse';

export interface DiskState {
  level: DiskLevel;
  /** Free space an unprivileged process may use (statfs bavail), MiB; undefined when it could not be read. */
  freeMb: number | undefined;
  totalMb: number | undefined;
  path: string;
  warnFreeMb: number;
  stopCineFreeMb: number;
  refuseFreeMb: number;
  checkedAt: string;
  /** What a person should read: empty when all is well. */
  message: string;
}

/** What statfs(2) gives that we need; tests may pass a real statfs of another path. */
export type StatFs = (path: string) => { bavail: number; blocks: number; bsize: number };

export type GuardedWrite = 'exam' | 'capture';

export interface DiskGuardOptions {
  path: string;
  levels: Pick<StorageConfig, 'warnFreeMb' | 'stopCineFreeMb' | 'refuseFreeMb'> & { checkIntervalMs?: number };
  statfs?: StatFs;
  onChange?: (state: DiskState, previous: DiskState) => void;
}

const MB = 1024 * 1024;
export const DISK_LEVEL_NUMBER: Record<DiskLevel, number> = { ok: 0, warn: 1, 'no-cine': 2, refuse: 3 };

export class DiskGuard {
  #state: DiskState;
  #timer: NodeJS.Timeout | undefined;
  readonly #statfs: StatFs;

  constructor(private readonly options: DiskGuardOptions) {
    const { warnFreeMb, stopCineFreeMb, refuseFreeMb } = options.levels;
    if (!(refuseFreeMb <= stopCineFreeMb && stopCineFreeMb <= warnFreeMb)) {
      throw new SonoError(
        ErrorCodes.CONFIG_INVALID,
        `storage levels must satisfy refuseFreeMb ≤ stopCineFreeMb ≤ warnFreeMb; got ${refuseFreeMb} / ${stopCineFreeMb} / ${warnFreeMb} MiB. Fix storage: in the config file`,
      );
    }
    this.#statfs = options.statfs ?? ((p) => statfsSync(p));
    this.#state = this.#read();
  }

  /** Reads the filesystem now; tells onChange when the level or its message changed. */
  check(): DiskState {
    const previous = this.#state;
    this.#state = this.#read();
    if (this.#state.level !== previous.level || this.#state.message !== previous.message) this.options.onChange?.(this.#state, previous);
    return this.#state;
  }

  /** The last reading (for health, metrics, UI): refreshed every checkIntervalMs and on every guarded write. */
  get state(): DiskState {
    return this.#state;
  }

  /** False once free space is below stopCineFreeMb: cine frames are not written. */
  keepCine(): boolean {
    return DISK_LEVEL_NUMBER[this.check().level] < DISK_LEVEL_NUMBER['no-cine'];
  }

  /** Throws SONO_DISK_LOW when free space is below refuseFreeMb; call before creating an exam or a capture. */
  assertCanWrite(what: GuardedWrite): void {
    const s = this.check();
    if (s.level !== 'refuse') return;
    throw new SonoError(
      ErrorCodes.DISK_LOW,
      `Disk almost full: ${s.freeMb ?? '?'} MiB free on ${s.path}, below the ${s.refuseFreeMb} MiB kept in reserve, so no new ${what} is accepted. Free space (exams already sent to the PACS can be removed, or back up and clear old data), then try again`,
      { details: { freeMb: s.freeMb ?? null, refuseFreeMb: s.refuseFreeMb, what } },
    );
  }

  start(): void {
    if (this.#timer) return;
    const every = this.options.levels.checkIntervalMs ?? 10_000;
    this.#timer = setInterval(() => this.check(), every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #read(): DiskState {
    const { path, levels } = this.options;
    const base = { path, warnFreeMb: levels.warnFreeMb, stopCineFreeMb: levels.stopCineFreeMb, refuseFreeMb: levels.refuseFreeMb, checkedAt: new Date().toISOString() };
    let st: ReturnType<StatFs>;
    try {
      st = this.#statfs(path);
    } catch (err) {
      // Unknown is not full: refusing exams because statfs failed would stop a clinic for no reason.
      return { ...base, level: 'warn', freeMb: undefined, totalMb: undefined, message: `Cannot read the free space of ${path}: ${errorMessage(err)}` };
    }
    const freeMb = Math.floor((st.bavail * st.bsize) / MB);
    const totalMb = Math.floor((st.blocks * st.bsize) / MB);
    const level: DiskLevel = freeMb < levels.refuseFreeMb ? 'refuse' : freeMb < levels.stopCineFreeMb ? 'no-cine' : freeMb < levels.warnFreeMb ? 'warn' : 'ok';
    const message = {
      ok: '',
      warn: `Disk space is low: ${freeMb} MiB free on ${path} (warning below ${levels.warnFreeMb} MiB)`,
      'no-cine': `Disk space is low: ${freeMb} MiB free on ${path}; cine is no longer kept (below ${levels.stopCineFreeMb} MiB)`,
      refuse: `Disk almost full: ${freeMb} MiB free on ${path}; new exams and captures are refused (below ${levels.refuseFreeMb} MiB)`,
    }[level];
    return { ...base, level, freeMb, totalMb, message };
  }
}
