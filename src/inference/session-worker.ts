/**
 * Worker-thread side of WorkerEngine: owns one onnxruntime session. Inputs arrive in SharedArrayBuffers
 * (onnxruntime-node refuses SAB-backed tensors, so each run copies into a local buffer: ~0.03 ms), and
 * outputs are copied into the caller's output SABs; nothing is allocated per frame on the main thread.
 * A run's answer says when this thread began and ended it (wall clock, comparable across threads), so the
 * caller can tell the hand-off there and back from the wait behind the run ahead (WorkerEngine.runTrace).
 */
import { parentPort } from 'node:worker_threads';
import { readModelPackage } from '../models/package.js';
import { type ModelSession, type SessionOptions, openModelSession } from './session.js';
import { niceThisThread } from './thread-nice.js';

interface OpenMsg {
  type: 'open';
  dir: string;
  id: string;
  options: SessionOptions;
  inputs: [SharedArrayBuffer, SharedArrayBuffer];
  outputs: Record<string, [SharedArrayBuffer, SharedArrayBuffer]>;
  /** this worker thread's niceness (see WorkerEngine.open); absent: the process's own */
  niceness?: number | undefined;
}
interface RunMsg {
  type: 'run';
  id: number;
  slot: 0 | 1;
}
interface LoopMsg {
  type: 'loop';
  id: number;
  slot: 0 | 1;
  n: number;
}
type Msg = OpenMsg | RunMsg | LoopMsg | { type: 'release' };

const port = parentPort!;
let session: ModelSession | undefined;
let inputs: [Float32Array, Float32Array] | undefined;
let outputs: Record<string, [Float32Array, Float32Array]> = {};

// One message at a time, in arrival order: a run asked for while another is running starts the moment that
// one ends (the pipeline queues the next frame's run this way), never beside it.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: Msg) => {
  chain = chain.then(() => handle(msg)).catch(() => {}); // run and open answer their own errors; release has no one to tell
});

async function handle(msg: Msg): Promise<void> {
  if (msg.type === 'open') {
    try {
      const niced = msg.niceness !== undefined && niceThisThread(msg.niceness);
      session = await openModelSession(readModelPackage(msg.dir, { id: msg.id }), msg.options);
      inputs = [new Float32Array(msg.inputs[0]), new Float32Array(msg.inputs[1])];
      outputs = Object.fromEntries(Object.entries(msg.outputs).map(([k, [a, b]]) => [k, [new Float32Array(a), new Float32Array(b)]]));
      port.postMessage({ type: 'opened', provider: session.provider, file: session.file, attempts: session.attempts, niced });
    } catch (err) {
      port.postMessage({ type: 'error', message: (err as Error).message, code: (err as { code?: string }).code });
    }
  } else if (msg.type === 'run') {
    const startedAt = performance.timeOrigin + performance.now(); // wall clock, comparable across threads
    try {
      const s = session!;
      s.inputData[msg.slot].set(inputs![msg.slot]);
      const out = await s.run(msg.slot);
      const ms = s.runMs[msg.slot]; // the session's own timing of this run
      const dims: Record<string, readonly number[]> = {};
      for (const [name, v] of Object.entries(out)) {
        const dst = outputs[name]?.[msg.slot];
        if (!dst) throw new Error(`Model output "${name}" is not in the manifest`);
        dst.set(v.data as Float32Array);
        dims[name] = v.dims;
      }
      port.postMessage({ type: 'ran', id: msg.id, ms, dims, startedAt, endedAt: performance.timeOrigin + performance.now() });
    } catch (err) {
      // stamped too: the next run's wait and idle time are measured from this one's end, not an older run's
      port.postMessage({ type: 'failed', id: msg.id, message: (err as Error).message, startedAt, endedAt: performance.timeOrigin + performance.now() });
    }
  } else if (msg.type === 'loop') {
    // The model's bare speed on this very thread: session.run back to back, no messages, no copies.
    try {
      const s = session!;
      const t = performance.now();
      for (let i = 0; i < msg.n; i++) await s.run(msg.slot);
      const ended = performance.now();
      port.postMessage({ type: 'looped', id: msg.id, ms: ended - t, endedAt: performance.timeOrigin + ended });
    } catch (err) {
      port.postMessage({ type: 'failed', id: msg.id, message: (err as Error).message, endedAt: performance.timeOrigin + performance.now() });
    }
  } else if (msg.type === 'release') {
    await session?.release();
    port.close();
  }
}
