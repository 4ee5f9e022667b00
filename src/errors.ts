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
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class SonoError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SonoError';
    this.code = code;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
