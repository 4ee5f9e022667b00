/**
 * Delivers the outbox to every target, independently: batches of due items by STOW-RS, exponential
 * backoff with jitter on network/server/auth failures and on answers that are not DICOM (a misconfigured
 * URL or proxy: nothing is rejected for it); only an instance the target names as refused for good is
 * rejected and stops retrying (data kept; POST /api/sync/requeue sends it again). An instance the target
 * says it already holds counts as sent, with a note. Connectivity is found by trying. Resumes after a
 * restart because the queue lives in the database.
 */
import type { Outbox } from './outbox.js';
import { StowClient, type StowTarget } from './stow-client.js';

export interface SyncSettings {
  batchSize: number;
  /** pause after each delivered batch, so a draining backlog leaves the cores to live inference */
  pauseBetweenBatchesMs?: number;
  retryInitialMs: number;
  retryMaxMs: number;
  pollMs: number;
}

export interface TargetStatus {
  name: string;
  /** misconfigured: the target answered, but not in DICOM (wrong URL, scheme or proxy); retried with backoff */
  state: 'idle' | 'sending' | 'retrying' | 'auth-failed' | 'unreachable' | 'misconfigured';
  lastError: string | undefined;
  lastSuccessAt: string | undefined;
}

export class SyncWorker {
  readonly #clients: StowClient[];
  readonly #status = new Map<string, TargetStatus>();
  #abort = new AbortController();
  #loops: Array<Promise<void>> = [];
  #wake: Array<() => void> = [];

  constructor(
    private readonly outbox: Outbox,
    targets: StowTarget[],
    private readonly s: SyncSettings,
    private readonly log: { warn(o: object, m?: string): void; info(o: object, m?: string): void } = { warn() {}, info() {} },
    private readonly onStatus: (s: TargetStatus[]) => void = () => {},
  ) {
    this.#clients = targets.map((t) => new StowClient(t));
    for (const t of targets) this.#status.set(t.name, { name: t.name, state: 'idle', lastError: undefined, lastSuccessAt: undefined });
  }

  start(): void {
    this.#abort = new AbortController();
    this.#loops = this.#clients.map((c) => this.#loop(c, this.#abort.signal));
  }

  /** New work was queued: try now rather than at the next poll. */
  poke(): void {
    for (const w of this.#wake.splice(0)) w();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.poke();
    await Promise.all(this.#loops);
  }

  status(): TargetStatus[] {
    return [...this.#status.values()].map((s) => ({ ...s }));
  }

  delay(attempts: number): number {
    const base = Math.min(this.s.retryMaxMs, this.s.retryInitialMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const wake = this.#wake;
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        const i = wake.indexOf(done);
        if (i >= 0) wake.splice(i, 1);
        signal.removeEventListener('abort', done);
        resolve();
      }
      wake.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async #loop(client: StowClient, signal: AbortSignal): Promise<void> {
    const name = client.target.name;
    const st = this.#status.get(name)!;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.#step(client, st, signal);
        failures = 0;
      } catch (err) {
        // a database or programming error must not end delivery for good: report, back off, go on
        failures++;
        st.state = 'retrying';
        st.lastError = `sync error: ${(err as Error).message}`;
        this.log.warn({ target: name, err: (err as Error).message }, 'sync loop error');
        this.onStatus(this.status());
        await this.#sleep(this.delay(failures), signal);
      }
    }
  }

  async #step(client: StowClient, st: TargetStatus, signal: AbortSignal): Promise<void> {
    const name = client.target.name;
    {
      const due = this.outbox.due(name, this.s.batchSize);
      if (due.length === 0) {
        st.state = st.state === 'sending' ? 'idle' : st.state;
        const next = this.outbox.nextAttemptAt(name);
        await this.#sleep(next === undefined ? this.s.pollMs : Math.max(10, Math.min(this.s.pollMs, next - Date.now())), signal);
        return;
      }
      st.state = 'sending';
      const result = await client.store(due.map((d) => ({ sopInstanceUid: d.sopInstanceUid, bytes: d.payload })));
      const byUid = new Map(due.map((d) => [d.sopInstanceUid, d.id]));
      const sent: number[] = [];
      const already: Array<[number, string]> = [];
      const retry: number[] = [];
      const rejected: Array<[number, string]> = [];
      for (const o of result.instances) {
        const id = byUid.get(o.uid)!;
        if (o.outcome === 'stored' && o.note) already.push([id, o.note]);
        else if (o.outcome === 'stored') sent.push(id);
        else if (o.outcome === 'retry') retry.push(id);
        else rejected.push([id, o.reason]);
      }
      this.outbox.markSent(sent);
      // the target already held them (a duplicate after an answer lost once it had stored them): sent, noted
      for (const [id, note] of already) this.outbox.markSent([id], note);
      if (already.length) this.log.info({ target: name, count: already.length, note: already[0]![1] }, 'instances already stored at the target; counted as sent');
      // a whole-request failure is each retried item's error; a refusal of others is not theirs
      const failure = result.error && result.error.kind !== 'rejected' ? result.error.message : undefined;
      const retryError = failure ?? 'some instances were not stored; retrying';
      if (retry.length) this.outbox.markRetry(retry, retryError, (a) => this.delay(a));
      for (const [id, reason] of rejected) this.outbox.markRejected([id], `${result.error?.message ?? 'rejected'}: ${reason}`);
      if (sent.length || already.length) st.lastSuccessAt = new Date().toISOString();
      st.lastError = failure ?? (rejected.length ? (result.error?.message ?? `rejected: ${rejected[0]![1]}`) : retry.length ? retryError : undefined);
      const kind = result.error?.kind;
      st.state = kind === 'auth' ? 'auth-failed' : kind === 'network' ? 'unreachable' : kind === 'config' ? 'misconfigured' : retry.length ? 'retrying' : 'sending';
      if (result.error && result.error.kind !== 'rejected') this.log.warn({ target: name, err: result.error.message }, 'sync attempt failed');
      this.onStatus(this.status());
      if (this.s.pauseBetweenBatchesMs) await this.#sleep(this.s.pauseBetweenBatchesMs, signal);
    }
  }
}
