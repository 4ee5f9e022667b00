import type { ChildProcess } from 'node:child_process';
import { forkModule } from '../util/child.js';
import type { SyncStartMessage } from './sync-process.js';
import type { StowTarget } from './stow-client.js';
import type { SyncSettings, TargetStatus } from './sync-worker.js';

export interface SyncServiceOptions {
  dbFile: string;
  key: string;
  targets: StowTarget[];
  settings: SyncSettings;
  /** CPU priority of the sync process (Linux nice, 0–19); 19 leaves the cores to live inference. */
  nice?: number;
  /** The device secret: the sync process builds closed exams with it (src/sync/exam-build.ts); without it, builds wait. */
  exportSecret?: string | undefined;
  /** How long stop() waits before it kills the process: idle (default STOP_MS), and while it builds an exam (BUILD_STOP_MS). */
  stopMs?: number;
  buildStopMs?: number;
}

/** How long a stop waits for the sync process: a build in progress (seconds of CPU, niced) is waited for, not killed (a kill counts toward exam-build.ts MAX_BUILD_STARTS). */
export const STOP_MS = 5000;
// under systemd/sonoedge.service's TimeoutStopSec=15, after which systemd kills the whole unit anyway
export const BUILD_STOP_MS = 10_000;

/** Runs the sync loops in a low-priority child process; the daemon only pokes it and reads its status. */
export class SyncService {
  #child: ChildProcess | undefined;
  #status: TargetStatus[];
  #stopping = false;
  /** The sync process said it is building an exam (synchronous: it answers a stop when the build is over). */
  #building = false;

  constructor(
    private readonly opts: SyncServiceOptions,
    private readonly log: { warn(o: object, m?: string): void; info(o: object, m?: string): void },
  ) {
    this.#status = opts.targets.map((t) => ({ name: t.name, state: 'idle', lastError: undefined, lastSuccessAt: undefined }));
  }

  /** The sync process's pid while it runs (for health and tests). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    if (this.opts.targets.length === 0 || this.#child) return;
    this.#stopping = false;
    this.#building = false;
    const c = forkModule(import.meta.url, 'sync-process');
    c.on('message', (m: { type: string; on?: boolean; status?: TargetStatus[]; level?: 'warn' | 'info'; o?: object; m?: string }) => {
      if (m.type === 'status' && m.status) this.#status = m.status;
      else if (m.type === 'building') this.#building = m.on === true;
      else if (m.type === 'log' && m.level) this.log[m.level](m.o ?? {}, m.m);
    });
    c.on('error', (err) => this.log.warn({ err: err.message }, 'sync process failed'));
    c.on('exit', (code, signal) => {
      if (this.#stopping || this.#child !== c) return;
      // never leave delivery dead: say so, and start again
      this.#child = undefined;
      this.#status = this.#status.map((s) => ({ ...s, state: 'retrying', lastError: `sync process stopped (${signal ?? `code ${code}`}); restarting` }));
      this.log.warn({ code, signal }, 'sync process exited; restarting in 2 s');
      setTimeout(() => !this.#stopping && this.start(), 2000).unref();
    });
    const start: SyncStartMessage = {
      type: 'start',
      dbFile: this.opts.dbFile,
      key: this.opts.key,
      targets: this.opts.targets,
      settings: this.opts.settings,
      nice: this.opts.nice ?? 19,
      exportSecret: this.opts.exportSecret,
    };
    c.send(start);
    this.#child = c;
  }

  poke(): void {
    if (this.#child?.connected) this.#child.send({ type: 'poke' });
  }

  status(): TargetStatus[] {
    return this.#status.map((s) => ({ ...s }));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const c = this.#child;
    if (!c) return;
    this.#child = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(
        () => {
          c.kill('SIGKILL');
          resolve();
        },
        this.#building ? (this.opts.buildStopMs ?? BUILD_STOP_MS) : (this.opts.stopMs ?? STOP_MS),
      );
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      if (c.connected) c.send({ type: 'stop' });
      else c.kill('SIGTERM');
    });
  }
}
