import type { Frame } from '../capture/frame.js';
import type { TaskResult } from '../analysis/task.js';
import type { ProbeEvent } from '../capture/probe-control.js';
import type { ResultMessage, StageTimings } from '../protocol/live-messages.js';

/** Where a result's time went, per stage: one definition, the one the live protocol carries. */
export type { StageTimings };

/** One model's result for one frame, keyed by the frame's sequence number: the live message with the full result (an enhanced image keeps its pixels). */
export type ResultEvent = Omit<ResultMessage, 'result'> & { result: TaskResult };

/**
 * Every model run as it landed, failed or not, with its raw outputs: what a model's health is judged on
 * (src/app/model-updates-wiring.ts). `outputs` are valid only while the handler runs (buffers are reused).
 */
export interface RunEvent {
  modelId: string;
  modelVersion: string;
  /** The run or its analysis threw (its message). */
  error: string | undefined;
  /** The model's run alone (ms); 0 when it failed. */
  inferenceMs: number;
  outputs: Readonly<Record<string, { data: Float32Array }>> | undefined;
}

/** A model update happened or a health window ended (installs, activations, rollbacks — automatic ones too). */
export interface ModelEvent {
  type: 'model';
  /** e.g. 'model.install', 'model.rollback', 'model.health' */
  action: string;
  outcome: 'ok' | 'failed';
  modelId: string;
  details: Record<string, unknown>;
}

/**
 * One result's time in finer steps than its StageTimings, for diagnostics (the bench's exam rows); not on the
 * live protocol. queueMs = sourceMs + slotMs; handoffMs = aheadMs + toWorkerMs + workerMs + backMs (and promise hops);
 * settleMs is in totalMs besides the stages; publishMs comes after totalMs was stamped.
 */
export interface StageTrace {
  modelId: string;
  seq: number;
  /** capture stamp → offered to the lanes (the source making the frame, the entrance checks, the live view's bus handlers) */
  sourceMs: number;
  /** offered → this model's lane took it (the lane busy with an earlier frame, or the JS thread with other work) */
  slotMs: number;
  /** prepared → the model's previous run ended on its worker (the run queued behind it) */
  aheadMs: number;
  /** then → its worker began the run (thread wake-up, message delivery) */
  toWorkerMs: number;
  /** the worker's own copies around the run */
  workerMs: number;
  /** the worker answered → the JS thread read the answer */
  backMs: number;
  /**
   * For a frame that came while the model's previous run was on (NaN otherwise): the worker's idle time between
   * that run's end and this one's start — the trip through the JS thread a run queued behind does without.
   */
  relayMs: number;
  /** the answer read → its analysis began (the lane finishing other work first) */
  settleMs: number;
  /** the result's bus handlers (the live view, records): after totalMs, but the JS thread's time all the same */
  publishMs: number;
}

export interface BusEvents {
  frame: Frame;
  result: ResultEvent;
  stages: StageTrace;
  probe: ProbeEvent;
  run: RunEvent;
  model: ModelEvent;
}

type Handler<T> = (event: T) => void;

/**
 * Typed in-process bus. Handlers run synchronously in publish order; a throwing handler is reported to
 * `onHandlerError` and never stops the others (a broken consumer must not stall the pipeline).
 */
export class Bus {
  readonly #handlers: { [K in keyof BusEvents]: Set<Handler<BusEvents[K]>> } = { frame: new Set(), result: new Set(), stages: new Set(), probe: new Set(), run: new Set(), model: new Set() };

  constructor(private readonly onHandlerError: (err: unknown, topic: string) => void = () => {}) {}

  on<K extends keyof BusEvents>(topic: K, handler: Handler<BusEvents[K]>): () => void {
    this.#handlers[topic].add(handler);
    return () => this.#handlers[topic].delete(handler);
  }

  /** Somebody listens on `topic` (an event nobody reads need not be made). */
  listened(topic: keyof BusEvents): boolean {
    return this.#handlers[topic].size > 0;
  }

  publish<K extends keyof BusEvents>(topic: K, event: BusEvents[K]): void {
    for (const h of this.#handlers[topic]) {
      try {
        h(event);
      } catch (err) {
        this.onHandlerError(err, topic);
      }
    }
  }
}
