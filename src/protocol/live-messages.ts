/**
 * The JSON text messages of the /api/live WebSocket, both ways, as discriminated unions on `type`.
 * Binary messages are frames (frame-header.ts). Fields are only ever added; `type`, `seq` and `result`
 * keep their meaning. PROTOCOL_VERSION is sent in `hello`; a client that knows an older version ignores
 * fields it does not know.
 */
import type { TaskResult } from '../analysis/task.js';
import type { ProbeEvent } from '../capture/probe-control.js';
import { type ExamType, isExamType } from './exam-types.js';

export const PROTOCOL_VERSION = 1;

/** Where a result's time went, per stage (ms); `totalMs` is capture → published. */
export interface StageTimings {
  /** frame capture → pipeline took it (ms) */
  queueMs: number;
  preprocessMs: number;
  /** prepared → inference started, plus the way back to the JS thread: waiting behind the model's previous run and thread hand-offs (ms) */
  handoffMs: number;
  /** the model's run alone, timed where it ran (ms) */
  inferenceMs: number;
  analysisMs: number;
  /** capture → result published (ms) */
  totalMs: number;
}

/** A task result as it travels: an enhanced image goes as its size only (its pixels come as a kind-1 frame). */
export type LiveTaskResult = Exclude<TaskResult, { task: 'enhance' }> | (Omit<Extract<TaskResult, { task: 'enhance' }>, 'image'> & { image?: { width: number; height: number } | undefined });

export interface ResultMessage {
  type: 'result';
  /** the frame the result was computed on */
  seq: number;
  sourceId: string;
  frameTimestampMs: number;
  modelId: string;
  modelVersion: string;
  provider: string;
  timings: StageTimings;
  result: LiveTaskResult;
}

export interface LiveModel {
  id: string;
  version: string;
  task: string;
  provider: string;
}

export interface LiveSourceHealth {
  driver: string;
  state: string;
  connected: boolean;
  fps: number;
  framesDelivered: number;
  errors: number;
  lastError?: string | undefined;
}

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  provider: string | undefined;
  models: LiveModel[];
  source: LiveSourceHealth | undefined;
}

export interface StatusMessage {
  type: 'status';
  ready: boolean;
  provider: string | undefined;
  source: LiveSourceHealth | undefined;
  framesDropped: number;
}

export interface ProbeMessage {
  type: 'probe';
  event: ProbeEvent;
}

/** The answer to an `enhance` request: whether this client now gets enhanced frames. */
export interface EnhanceStateMessage {
  type: 'enhance';
  on: boolean;
  available: boolean;
  reason?: string;
}

export type ServerMessage = HelloMessage | StatusMessage | ResultMessage | ProbeMessage | EnhanceStateMessage;

/** The exam type whose tools the page shows: with exams open, it chooses which diagnostic models run. */
export interface ExamTypeRequest {
  type: 'exam-type';
  examType: ExamType;
}
/** Enhanced view (display only) on or off for this client. */
export interface EnhanceRequest {
  type: 'enhance';
  on: boolean;
}

export type ClientMessage = ExamTypeRequest | EnhanceRequest;

const SERVER_TYPES: ReadonlySet<string> = new Set<ServerMessage['type']>(['hello', 'status', 'result', 'probe', 'enhance']);

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A client's text message, checked; anything else (bad JSON, unknown type, wrong fields) is undefined. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  const m = parseObject(text);
  if (m?.type === 'exam-type' && isExamType(m.examType)) return { type: 'exam-type', examType: m.examType };
  if (m?.type === 'enhance' && typeof m.on === 'boolean') return { type: 'enhance', on: m.on };
  return undefined;
}

/** A daemon's text message by its `type` (the daemon is trusted for the rest); unknown types are undefined. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  const m = parseObject(text);
  return m && typeof m.type === 'string' && SERVER_TYPES.has(m.type) ? (m as unknown as ServerMessage) : undefined;
}

export function clientMessage(m: ClientMessage): string {
  return JSON.stringify(m);
}

/**
 * Close codes of /api/live that the page acts on (the WebSocket private range 4000–4999). A live view the daemon
 * drops for not answering its ping, or for falling behind too long, is cut without a close frame (1006): the
 * page reconnects as after any network loss.
 */
export const LIVE_CLOSE = {
  /** The user's credentials ended (signed out, disabled, revoked): the page locks. */
  signedOut: 4401,
  /** The same user opened another live view past server.live.maxViewersPerUser: this one must not reconnect. */
  replaced: 4409,
} as const;
