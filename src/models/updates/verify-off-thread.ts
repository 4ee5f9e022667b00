import { setImmediate as turn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { type ErrorCode, type ErrorDetail, SonoError } from '../../errors.js';
import type { Manifest } from '../manifest.js';
import { startWorker } from '../../util/worker.js';
import type { TrustStore } from './keys.js';
import type { Envelope, StatementPayload } from './statement.js';
import type { InstallStep } from '../../protocol/install-report.js';
import { type VerifiedPackage, type VerifyOptions, verifyPackage } from './verify.js';

/** What the verify worker gets: the package in shared memory, the trust store (keys clone to threads) and the limits. */
export interface VerifyJob {
  id: number;
  bytes: SharedArrayBuffer;
  trust: TrustStore;
  maxPackageBytes: number;
  now: Date | undefined;
  /** Wait at each step's start until `gate[0]` counts it (the installer's test hook runs meanwhile). */
  hold: boolean;
  gate: SharedArrayBuffer;
}

export type VerifyMessage = { id: number } & (
  | { kind: 'step'; step: InstallStep }
  | { kind: 'done'; files: Array<[string, Uint8Array]>; envelope: Envelope; payloadBytes: Uint8Array; payload: StatementPayload; signer: number; manifest: Manifest }
  | { kind: 'failed'; message: string; code?: ErrorCode; details?: Record<string, ErrorDetail>; cause?: string }
);

/** Copied into shared memory 8 MiB at a time, the event loop turning between slices (a 256 MiB copy at once would stall it). */
const SLICE = 8 * 1024 * 1024;

async function shared(bytes: Uint8Array): Promise<SharedArrayBuffer> {
  // an upload is read into shared memory already (src/server/plugins/models-body.ts): the worker reads it in place
  if (bytes.buffer instanceof SharedArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer;
  const sab = new SharedArrayBuffer(bytes.byteLength);
  const view = new Uint8Array(sab);
  for (let off = 0; off < bytes.byteLength; off += SLICE) {
    view.set(bytes.subarray(off, off + SLICE), off);
    if (off + SLICE < bytes.byteLength) await turn();
  }
  return sab;
}

/** One worker, started at the first install and kept (unref'd between jobs: it never keeps a process alive); jobs run one at a time. */
let worker: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;

/**
 * `verifyPackage` (extract → signature → hashes → manifest) on a worker thread: the same checks, the same coded
 * errors and step calls, but the unpacking, the canonical re-serialisation and the SHA-256 of up to
 * `maxPackageBytes` never hold up the caller's event loop. `pause`, when given, is awaited as each step starts
 * (at `verifying:<step>`) while the worker waits: a test holds the install mid-verification there.
 */
export function verifyPackageOffThread(bytes: Uint8Array, o: VerifyOptions & { pause?: (point: string) => Promise<void> }): Promise<VerifiedPackage> {
  if (bytes.byteLength > o.maxPackageBytes) return verifyPackage(bytes, o); // refused at once (step extract), nothing copied
  const run = queue.then(async () => runJob(await shared(bytes), o));
  queue = run.catch(() => undefined);
  return run;
}

function runJob(bytes: SharedArrayBuffer, o: VerifyOptions & { pause?: (point: string) => Promise<void> }): Promise<VerifiedPackage> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const job: VerifyJob = { id: nextId++, bytes, trust: o.trust, maxPackageBytes: o.maxPackageBytes, now: o.now, hold: o.pause !== undefined, gate: gate.buffer as SharedArrayBuffer };
  if (!worker) {
    worker = startWorker(import.meta.url, 'verify-worker');
    worker.unref();
  }
  const w = worker;
  return new Promise<VerifiedPackage>((resolve, reject) => {
    let steps = 0;
    let hooks = Promise.resolve();
    let hookError: unknown;
    const settle = (): void => {
      w.off('message', onMessage).off('error', onCrash).off('exit', onCrash);
      w.unref();
    };
    const onCrash = (err: unknown): void => {
      settle();
      if (worker === w) worker = undefined; // the next job starts a fresh one
      reject(err instanceof Error ? err : new Error(`the package check stopped (worker exit ${String(err)}) before it finished; try again`));
    };
    const onMessage = (m: VerifyMessage): void => {
      if (m.id !== job.id) return;
      if (m.kind === 'step') {
        o.onStep?.(m.step);
        const n = ++steps;
        if (!o.pause) return;
        hooks = hooks
          .then(() => o.pause!(`verifying:${m.step}`))
          .catch((err) => void (hookError ??= err))
          .finally(() => {
            Atomics.store(gate, 0, n);
            Atomics.notify(gate, 0);
          });
        return;
      }
      settle();
      if (hookError !== undefined) reject(hookError);
      else if (m.kind === 'done') {
        const files = new Map(m.files.map(([name, b]) => [name, Buffer.from(b.buffer, b.byteOffset, b.byteLength)]));
        const payloadBytes = Buffer.from(m.payloadBytes.buffer, m.payloadBytes.byteOffset, m.payloadBytes.byteLength);
        resolve({ files, statement: { envelope: m.envelope, payloadBytes, payload: m.payload }, signer: o.trust.keys[m.signer]!, manifest: m.manifest });
      } else {
        const cause = m.cause === undefined ? undefined : new Error(m.cause);
        reject(m.code ? new SonoError(m.code, m.message, { details: m.details, ...(cause ? { cause } : {}) }) : new Error(m.message));
      }
    };
    w.on('message', onMessage).on('error', onCrash).on('exit', onCrash);
    w.ref(); // a CLI install waits for it
    w.postMessage(job);
  });
}
