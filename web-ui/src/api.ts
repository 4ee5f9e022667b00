/**
 * The one client of the daemon's HTTP API: every request of the page goes through `request`, and every
 * failure is an ApiError carrying the server's `message` (shown to the user) and `code` (kept for
 * software). Body and answer types are the daemon's own DTO schemas (src/protocol/rest).
 */
import type {
  CalibrationBody,
  CaptureDto,
  DecisionBody,
  DriversDto,
  ExamDto,
  ExamSummaryDto,
  GrowthDto,
  HealthDto,
  MeasurementDto,
  NewExamBody,
  SourceStateDto,
  SpacingDto,
  SyncStateDto,
} from '../../src/protocol/rest/index.js';

export type Exam = ExamDto;
export type Capture = CaptureDto;
export type Measurement = MeasurementDto;

export class ApiError extends Error {
  /** `retryAfterS`: the server's Retry-After (a locked account: how long to wait) */
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Body = { json: unknown } | { binary: ArrayBuffer } | undefined;

/**
 * Called when a request outside /api/session answers 401 (the session ended, was revoked or locked
 * elsewhere): the access module (access/gate.ts) shows the sign-in screen; the page's state stays.
 */
export const onUnauthorized: { handler: () => void } = { handler: () => undefined };

export async function request<T>(method: string, url: string, body?: Body, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, headers };
  if (body && 'json' in body) init.headers = { ...headers, 'content-type': 'application/json' };
  if (body && 'binary' in body) init.headers = { ...headers, 'content-type': 'application/octet-stream' };
  if (body) init.body = 'json' in body ? JSON.stringify(body.json) : body.binary;
  let r: Response;
  try {
    r = await fetch(url, init);
  } catch (err) {
    throw new ApiError(0, `The device did not answer (${(err as Error).message}); check the connection and try again.`, undefined);
  }
  const json = (await r.json().catch(() => undefined)) as (T & { message?: unknown; code?: unknown }) | undefined;
  if (!r.ok) {
    const message = typeof json?.message === 'string' ? json.message : `HTTP ${r.status}`;
    if (r.status === 401 && !url.startsWith('/api/session')) onUnauthorized.handler();
    const retryAfter = Number(r.headers.get('retry-after') ?? NaN);
    throw new ApiError(r.status, message, typeof json?.code === 'string' ? json.code : undefined, Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
  return json as T;
}

const q = encodeURIComponent;

export const api = {
  createExam: (body: NewExamBody) => request<Exam>('POST', '/api/exams', { json: body }),
  getExam: (id: string) => request<Exam>('GET', `/api/exams/${q(id)}`),
  listExams: () => request<ExamSummaryDto[]>('GET', '/api/exams'),
  closeExam: (id: string, operator: string) => request<Exam>('POST', `/api/exams/${q(id)}/close`, { json: { operator } }),
  /** Posts a frozen frame back as the binary message /api/live sent; the daemon pairs it with its results. */
  captureFrame: (examId: string, frame: ArrayBuffer, operator: string, idempotencyKey: string) =>
    request<Capture>('POST', `/api/exams/${q(examId)}/captures/frame?operator=${q(operator)}`, { binary: frame }, { 'idempotency-key': idempotencyKey }),
  /**
   * `value` corrects a number, `text` a category (orientation, margin, class), `geometry` the calipers or outline;
   * `expect` the measurement as the page showed it (the daemon refuses, 409, a decision over one made since);
   * `idempotencyKey` stores it once (a retry whose answer was lost is answered with the stored decision).
   */
  decide: (id: string, body: DecisionBody, idempotencyKey?: string) =>
    request<Measurement>('POST', `/api/measurements/${q(id)}/decision`, { json: body }, idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
  growth: (examId: string) => request<GrowthDto>('GET', `/api/exams/${q(examId)}/growth`),
  health: () => request<HealthDto>('GET', '/api/health'),
  sync: () => request<SyncStateDto>('GET', '/api/sync'),
  drivers: () => request<DriversDto>('GET', '/api/source/drivers'),
  switchSource: (driver: string) => request<SourceStateDto>('PUT', '/api/source', { json: { driver } }),
  calibrate: (body: CalibrationBody) => request<SpacingDto>('PUT', '/api/source/calibration', { json: body }),
};
