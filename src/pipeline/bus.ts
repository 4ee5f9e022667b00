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

export interface BusEvents {
  frame: Frame;
  result: ResultEvent;
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
  readonly #handlers: { [K in keyof BusEvents]: Set<Handler<BusEvents[K]>> } = { frame: new Set(), result: new Set(), probe: new Set(), run: new Set(), model: new Set() };

  constructor(private readonly onHandlerError: (err: unknown, topic: string) => void = () => {}) {}

  on<K extends keyof BusEvents>(topic: K, handler: Handler<BusEvents[K]>): () => void {
    this.#handlers[topic].add(handler);
    return () => this.#handlers[topic].delete(handler);
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
