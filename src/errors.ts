/**
 * One coded list of errors. A code is never reused for another meaning; messages start with a capital,
 * name the value at fault and say what to do.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'SONO_CONFIG_INVALID',
  CONFIG_UNREADABLE: 'SONO_CONFIG_UNREADABLE',
  SOURCE_UNKNOWN: 'SONO_SOURCE_UNKNOWN',
  SOURCE_FAILED: 'SONO_SOURCE_FAILED',
  REPLAY_NO_INPUT: 'SONO_REPLAY_NO_INPUT',
  REPLAY_UNREADABLE: 'SONO_REPLAY_UNREADABLE',
  MODEL_NOT_FOUND: 'SONO_MODEL_NOT_FOUND',
  MODEL_MANIFEST_INVALID: 'SONO_MODEL_MANIFEST_INVALID',
  MODEL_FILE_MISSING: 'SONO_MODEL_FILE_MISSING',
  MODEL_FILE_CORRUPT: 'SONO_MODEL_FILE_CORRUPT',
  MODEL_API_UNSUPPORTED: 'SONO_MODEL_API_UNSUPPORTED',
  MODEL_NO_FILE_FOR_PROVIDER: 'SONO_MODEL_NO_FILE_FOR_PROVIDER',
  PROVIDER_NONE_AVAILABLE: 'SONO_PROVIDER_NONE_AVAILABLE',
  ACCELERATOR_REQUIRED: 'SONO_ACCELERATOR_REQUIRED',
  TASK_UNKNOWN: 'SONO_TASK_UNKNOWN',
  FRAME_INVALID: 'SONO_FRAME_INVALID',
  IMAGE_UNREADABLE: 'SONO_IMAGE_UNREADABLE',
  PIXEL_SIZE_CSV_INVALID: 'SONO_PIXEL_SIZE_CSV_INVALID',
  DATABASE_FAILED: 'SONO_DATABASE_FAILED',
  SOURCE_START_TIMEOUT: 'SONO_SOURCE_START_TIMEOUT',
  SOURCE_STOP_TIMEOUT: 'SONO_SOURCE_STOP_TIMEOUT',
  MODEL_REPLACE_FAILED: 'SONO_MODEL_REPLACE_FAILED',
  // records (the server maps each to an HTTP status in src/server/error-status.ts)
  EXAM_NOT_FOUND: 'SONO_EXAM_NOT_FOUND',
  EXAM_CLOSED: 'SONO_EXAM_CLOSED',
  CAPTURE_NOT_FOUND: 'SONO_CAPTURE_NOT_FOUND',
  MEASUREMENT_NOT_FOUND: 'SONO_MEASUREMENT_NOT_FOUND',
  DECISION_INVALID: 'SONO_DECISION_INVALID',
  GEOMETRY_OUT_OF_RANGE: 'SONO_GEOMETRY_OUT_OF_RANGE',
  // captures of live or frozen frames
  NO_LIVE_FRAME: 'SONO_NO_LIVE_FRAME',
  FRAME_NOT_KEPT: 'SONO_FRAME_NOT_KEPT',
  FRAME_RESULTS_UNKNOWN: 'SONO_FRAME_RESULTS_UNKNOWN',
  FRAME_MESSAGE_INVALID: 'SONO_FRAME_MESSAGE_INVALID',
  FRAME_TOO_LARGE: 'SONO_FRAME_TOO_LARGE',
  // source control and calibration
  PIPELINE_NOT_RUNNING: 'SONO_PIPELINE_NOT_RUNNING',
  CALIBRATION_INVALID: 'SONO_CALIBRATION_INVALID',
  CALIBRATION_NOT_SAVED: 'SONO_CALIBRATION_NOT_SAVED',
  NO_PROPOSAL: 'SONO_NO_PROPOSAL',
  // sync (DICOM building at close)
  EXPORT_INVALID: 'SONO_EXPORT_INVALID',
  // HTTP requests refused before a route ran
  REQUEST_INVALID: 'SONO_REQUEST_INVALID',
  REQUEST_TOO_LARGE: 'SONO_REQUEST_TOO_LARGE',
  REQUEST_MEDIA_UNSUPPORTED: 'SONO_REQUEST_MEDIA_UNSUPPORTED',
  ROUTE_NOT_FOUND: 'SONO_ROUTE_NOT_FOUND',
  INTERNAL: 'SONO_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class SonoError extends Error {
  readonly code: ErrorCode;
  /** Facts a client may act on (the value at fault, the allowed range); never patient data. */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options);
    this.name = 'SonoError';
    this.code = code;
    this.details = options?.details;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
