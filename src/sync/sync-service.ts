import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker.js';
import type { StowTarget } from './stow-client.js';
import type { SyncSettings, TargetStatus } from './sync-worker.js';

/** Runs the sync loops on a worker thread; the HTTP thread only pokes it and reads its status. */
export class SyncService {
  #worker: Worker | undefined;
  #status: TargetStatus[];

  constructor(
    private readonly opts: { dbFile: string; key: string; targets: StowTarget[]; settings: SyncSettings },
    private readonly log: { warn(o: object, m?: string): void; info(o: object, m?: string): void },
  ) {
    this.#status = opts.targets.map((t) => ({ name: t.name, state: 'idle', lastError: undefined, lastSuccessAt: undefined }));
  }

  #stopping = false;

  start(): void {
    if (this.opts.targets.length === 0 || this.#worker) return;
    this.#stopping = false;
    const w = startWorker(import.meta.url, 'sync-thread', { dbFile: this.opts.dbFile, key: this.opts.key, targets: this.opts.targets, settings: this.opts.settings });
    w.on('message', (m: { type: string; status?: TargetStatus[]; level?: 'warn' | 'info'; o?: object; m?: string }) => {
      if (m.type === 'status' && m.status) this.#status = m.status;
      else if (m.type === 'log' && m.level) this.log[m.level](m.o ?? {}, m.m);
    });
    w.on('error', (err) => this.log.warn({ err: err.message }, 'sync thread failed'));
    w.on('exit', (code) => {
      if (this.#stopping || this.#worker !== w) return;
      // never leave delivery dead: say so, and start again
      this.#worker = undefined;
      this.#status = this.#status.map((s) => ({ ...s, state: 'retrying', lastError: `sync thread stopped (code ${code}); restarting` }));
      this.log.warn({ code }, 'sync thread exited; restarting in 2 s');
      setTimeout(() => !this.#stopping && this.start(), 2000).unref();
    });
    this.#worker = w;
  }

  poke(): void {
    this.#worker?.postMessage({ type: 'poke' });
  }

  status(): TargetStatus[] {
    return this.#status.map((s) => ({ ...s }));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const w = this.#worker;
    if (!w) return;
    this.#worker = undefined;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
      w.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      w.postMessage({ type: 'stop' });
    });
  }
}
