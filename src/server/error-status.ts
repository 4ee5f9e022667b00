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
  [E.NO_LIVE_FRAME]: 409,
  [E.FRAME_NOT_KEPT]: 409,
  [E.FRAME_RESULTS_UNKNOWN]: 409,
  [E.PIPELINE_NOT_RUNNING]: 409,
  [E.DECISION_INVALID]: 400,
  [E.GEOMETRY_OUT_OF_RANGE]: 400,
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
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS_OF[code] ?? 500;
}
