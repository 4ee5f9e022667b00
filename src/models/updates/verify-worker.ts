import { parentPort } from 'node:worker_threads';
import { SonoError, errorMessage } from '../../errors.js';
import type { VerifyJob, VerifyMessage } from './verify-off-thread.js';
import { verifyPackage } from './verify.js';

/**
 * The worker thread of `verifyPackageOffThread`: unpacks, checks the signature and hashes every file of a
 * package (steps extract → manifest), one job after another, so that the daemon's event loop (live view,
 * watchdog) never waits on it. Each step's start is posted as it begins; with `hold`, the worker then waits
 * until the daemon lets it go on (the installer's test hook). The files go back transferred, not copied.
 */
parentPort!.on('message', (job: VerifyJob) => void run(job));

async function run(job: VerifyJob): Promise<void> {
  const post = (m: VerifyMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);
  const gate = new Int32Array(job.gate);
  let n = 0;
  try {
    const v = await verifyPackage(new Uint8Array(job.bytes), {
      trust: job.trust,
      maxPackageBytes: job.maxPackageBytes,
      now: job.now,
      onStep: (step) => {
        n++;
        post({ id: job.id, kind: 'step', step });
        if (job.hold) Atomics.wait(gate, 0, n - 1); // until the daemon has run its hook for this step
      },
    });
    const files: Array<[string, Uint8Array]> = [];
    const transfer: ArrayBuffer[] = [];
    for (const [name, b] of v.files) {
      const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer && !transfer.includes(b.buffer);
      const own = whole ? b : new Uint8Array(b); // a slice of a shared pool is copied out
      files.push([name, own]);
      transfer.push(own.buffer as ArrayBuffer);
    }
    const { envelope, payloadBytes, payload } = v.statement;
    post({ id: job.id, kind: 'done', files, envelope, payloadBytes, payload, signer: job.trust.keys.indexOf(v.signer), manifest: v.manifest }, transfer);
  } catch (err) {
    const e = err instanceof SonoError ? { code: err.code, details: err.details, cause: err.cause === undefined ? undefined : errorMessage(err.cause) } : {};
    post({ id: job.id, kind: 'failed', message: errorMessage(err), ...e });
  }
}
