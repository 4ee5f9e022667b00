import { type ErrorCode, ErrorCodes as E } from '../errors.js';

/**
 * HTTP status of each error code a route may throw. The layers below the server know codes, never
 * statuses; a code missing here answers 500 (a bug: add it).
 */
export const HTTP_STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [E.EXAM_NOT_FOUND]: 404,
  [E.CAPTURE_NOT_FOUND]: 404,
  [E.MEASUREMENT_NOT_FOUND]: 404,
  [E.NO_PROPOSAL]: 404,
  [E.ROUTE_NOT_FOUND]: 404,
  [E.EXAM_CLOSED]: 409,
  [E.EXAM_VOIDED]: 409,
  [E.PATIENT_INVALID]: 400,
  [E.PATIENT_MISMATCH]: 409,
  [E.DATING_INVALID]: 400,
  [E.REPORT_EXAM_OPEN]: 409,
  [E.REPORT_UNDECIDED]: 409,
  [E.SECOND_READ_REFUSED]: 409,
  [E.SECOND_READ_INVALID]: 400,
  [E.ADJUDICATION_REFUSED]: 409,
  [E.NO_LIVE_FRAME]: 409,
  [E.FRAME_NOT_KEPT]: 409,
  [E.FRAME_RESULTS_UNKNOWN]: 409,
  [E.FRAME_BEFORE_EXAM]: 409,
  [E.PIPELINE_NOT_RUNNING]: 409,
  [E.DECISION_INVALID]: 400,
  [E.GEOMETRY_OUT_OF_RANGE]: 400,
  [E.MANUAL_MEASURE_INVALID]: 400,
  [E.FRAME_MESSAGE_INVALID]: 400,
  [E.FRAME_INVALID]: 400,
  [E.CALIBRATION_INVALID]: 400,
  [E.SOURCE_UNKNOWN]: 400,
  [E.SOURCE_FAILED]: 400,
  [E.REPLAY_NO_INPUT]: 400,
  [E.REPLAY_UNREADABLE]: 400,
  [E.REQUEST_INVALID]: 400,
  [E.FRAME_TOO_LARGE]: 413,
  [E.REQUEST_TOO_LARGE]: 413,
  [E.REQUEST_MEDIA_UNSUPPORTED]: 415,
  [E.SOURCE_SETTINGS_REFUSED]: 400,
  [E.SOURCE_SETTINGS_INVALID]: 400,
  [E.MEDIA_PATH_REFUSED]: 400,
  [E.MEDIA_PATH_MISSING]: 400,
  // accounts and transport (src/access, src/server/access)
  [E.ACCESS_UNAUTHENTICATED]: 401,
  [E.ACCESS_SESSION_EXPIRED]: 401,
  [E.ACCESS_SIGN_IN_FAILED]: 401,
  [E.ACCESS_FORBIDDEN]: 403,
  [E.ACCESS_ORIGIN_REFUSED]: 403,
  // 421 Misdirected Request: the Host is not a name of this device (guard.ts sends it; the contract tests read it)
  [E.ACCESS_HOST_REFUSED]: 421,
  [E.ACCESS_SETUP_REFUSED]: 403,
  // a failed sign-in, with Retry-After: what POST /api/session answers (the sign-in screen reads it)
  [E.ACCESS_LOCKED]: 401,
  [E.ACCESS_RATE_LIMITED]: 429,
  // the server is full, not this client too fast (guard.ts)
  [E.ACCESS_TOO_MANY_WEBSOCKETS]: 503,
  [E.ACCESS_SIGN_IN_BUSY]: 503,
  [E.ACCESS_SECRET_INVALID]: 400,
  [E.ACCESS_USER_INVALID]: 400,
  [E.ACCESS_USER_EXISTS]: 409,
  [E.ACCESS_USER_NOT_FOUND]: 404,
  [E.ACCESS_LAST_ADMIN]: 409,
  [E.ACCESS_TOKEN_NOT_FOUND]: 404,
  // disk guard (issue 19)
  [E.DISK_LOW]: 507,
  [E.BACKUP_TARGET_REFUSED]: 400,
  [E.BACKUP_TARGET_FULL]: 507,
  [E.BACKUP_IN_PROGRESS]: 409,
  [E.KEY_FILE_INVALID]: 500,
  [E.DATA_DIR_UNWRITABLE]: 500,
  [E.RUN_AS_DATA_OWNER]: 500,
  [E.MODEL_INSTALL_BUSY]: 409,
  [E.CALIBRATION_NOT_SAVED]: 500,
  [E.DATABASE_FAILED]: 500,
  [E.EXPORT_INVALID]: 500,
  [E.INTERNAL]: 500,
  [E.WORKLIST_NOT_CONFIGURED]: 409,
  [E.WORKLIST_UNREACHABLE]: 502,
  [E.WORKLIST_REJECTED]: 502,
  [E.WORKLIST_QUERY_FAILED]: 502,
  [E.WORKLIST_TIMEOUT]: 504,
  [E.REPORT_FAILED]: 500,
  // imaging region and held outgoing images (issue 21)
  [E.REGION_INVALID]: 400,
  [E.REGION_NOT_SAVED]: 500,
  [E.SPACING_OVERRIDE_UNCONFIRMED]: 409,
  [E.SYNC_ITEM_NOT_FOUND]: 404,
  [E.SYNC_ITEM_NOT_HELD]: 409,
  [E.SYNC_MASK_REQUIRED]: 409,
  [E.CAPTURE_PIXELS_DAMAGED]: 409,
  // cine clips (issue 18)
  [E.CLIP_INVALID]: 400,
  [E.CLIP_FRAMES_MIXED]: 400,
  [E.CLIP_FRAME_UNKNOWN]: 409,
  [E.CLIP_TOO_LARGE]: 413,
  // an Idempotency-Key sent again with another request (another frame, clip or decision)
  [E.IDEMPOTENCY_KEY_REUSED]: 409,
  [E.DECISION_STALE]: 409,
  // a breast capture without its side (src/protocol/laterality.ts)
  [E.LATERALITY_REQUIRED]: 400,
  [E.LATERALITY_INVALID]: 400,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS_OF[code] ?? 500;
}
