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
  // the dicom driver's input (drivers/dicom/input-errors.ts): the file or folder at fault, and what to do
  DICOM_NO_INPUT: 'SONO_DICOM_NO_INPUT',
  DICOM_UNREADABLE: 'SONO_DICOM_UNREADABLE',
  DICOM_UNSUPPORTED_SYNTAX: 'SONO_DICOM_UNSUPPORTED_SYNTAX',
  DICOM_UNSUPPORTED_PIXELS: 'SONO_DICOM_UNSUPPORTED_PIXELS',
  DICOM_NO_IMAGE: 'SONO_DICOM_NO_IMAGE',
  DICOM_TRUNCATED: 'SONO_DICOM_TRUNCATED',
  DICOM_TOO_LARGE: 'SONO_DICOM_TOO_LARGE',
  /** a warning in the source's health: the file's frame time is outside 4.17–10000 ms, so it plays at 10 fps (or fps) */
  DICOM_FRAME_TIME_IGNORED: 'SONO_DICOM_FRAME_TIME_IGNORED',
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
  /** A stored capture's pixels do not fill the size its record declares (a damaged record): its images are held, never sent. */
  CAPTURE_PIXELS_DAMAGED: 'SONO_CAPTURE_PIXELS_DAMAGED',
  MEASUREMENT_NOT_FOUND: 'SONO_MEASUREMENT_NOT_FOUND',
  DECISION_INVALID: 'SONO_DECISION_INVALID',
  GEOMETRY_OUT_OF_RANGE: 'SONO_GEOMETRY_OUT_OF_RANGE',
  MANUAL_MEASURE_INVALID: 'SONO_MANUAL_MEASURE_INVALID',
  // captures of live or frozen frames
  NO_LIVE_FRAME: 'SONO_NO_LIVE_FRAME',
  FRAME_NOT_KEPT: 'SONO_FRAME_NOT_KEPT',
  FRAME_RESULTS_UNKNOWN: 'SONO_FRAME_RESULTS_UNKNOWN',
  FRAME_MESSAGE_INVALID: 'SONO_FRAME_MESSAGE_INVALID',
  FRAME_TOO_LARGE: 'SONO_FRAME_TOO_LARGE',
  /** a frame (or clip) acquired before the exam it is saved to was started or resumed: another patient's image */
  FRAME_BEFORE_EXAM: 'SONO_FRAME_BEFORE_EXAM',
  // source control and calibration
  PIPELINE_NOT_RUNNING: 'SONO_PIPELINE_NOT_RUNNING',
  CALIBRATION_INVALID: 'SONO_CALIBRATION_INVALID',
  CALIBRATION_NOT_SAVED: 'SONO_CALIBRATION_NOT_SAVED',
  NO_PROPOSAL: 'SONO_NO_PROPOSAL',
  // sync (DICOM building at close)
  EXPORT_INVALID: 'SONO_EXPORT_INVALID',
  // model packages: install, activate, roll back (src/models/updates; one code per install step)
  MODEL_PACKAGE_TOO_LARGE: 'SONO_MODEL_PACKAGE_TOO_LARGE',
  MODEL_PACKAGE_UNREADABLE: 'SONO_MODEL_PACKAGE_UNREADABLE',
  MODEL_PACKAGE_NOT_CANONICAL: 'SONO_MODEL_PACKAGE_NOT_CANONICAL',
  MODEL_PACKAGE_UNSAFE_PATH: 'SONO_MODEL_PACKAGE_UNSAFE_PATH',
  MODEL_PACKAGE_UNSAFE_ENTRY: 'SONO_MODEL_PACKAGE_UNSAFE_ENTRY',
  MODEL_PACKAGE_DUPLICATE_ENTRY: 'SONO_MODEL_PACKAGE_DUPLICATE_ENTRY',
  MODEL_SIGNATURE_MISSING: 'SONO_MODEL_SIGNATURE_MISSING',
  MODEL_SIGNATURE_INVALID: 'SONO_MODEL_SIGNATURE_INVALID',
  MODEL_SIGNATURE_EXPIRED: 'SONO_MODEL_SIGNATURE_EXPIRED',
  MODEL_KEY_UNTRUSTED: 'SONO_MODEL_KEY_UNTRUSTED',
  MODEL_KEY_REVOKED: 'SONO_MODEL_KEY_REVOKED',
  MODEL_KEY_EXPIRED: 'SONO_MODEL_KEY_EXPIRED',
  MODEL_KEY_INVALID: 'SONO_MODEL_KEY_INVALID',
  MODEL_KEY_EXISTS: 'SONO_MODEL_KEY_EXISTS',
  MODEL_HASH_MISMATCH: 'SONO_MODEL_HASH_MISMATCH',
  MODEL_FILE_LIST_MISMATCH: 'SONO_MODEL_FILE_LIST_MISMATCH',
  MODEL_STATEMENT_MISMATCH: 'SONO_MODEL_STATEMENT_MISMATCH',
  MODEL_INCOMPATIBLE: 'SONO_MODEL_INCOMPATIBLE',
  MODEL_VERSION_OLDER: 'SONO_MODEL_VERSION_OLDER',
  MODEL_VERSION_CONFLICT: 'SONO_MODEL_VERSION_CONFLICT',
  MODEL_GRAPH_MISMATCH: 'SONO_MODEL_GRAPH_MISMATCH',
  MODEL_LOAD_FAILED: 'SONO_MODEL_LOAD_FAILED',
  MODEL_TEST_VECTORS_INVALID: 'SONO_MODEL_TEST_VECTORS_INVALID',
  MODEL_TEST_VECTORS_FAILED: 'SONO_MODEL_TEST_VECTORS_FAILED',
  MODEL_ACTIVATE_FAILED: 'SONO_MODEL_ACTIVATE_FAILED',
  MODEL_VERSION_NOT_INSTALLED: 'SONO_MODEL_VERSION_NOT_INSTALLED',
  MODEL_NO_PREVIOUS_VERSION: 'SONO_MODEL_NO_PREVIOUS_VERSION',
  MODEL_INSTALL_BUSY: 'SONO_MODEL_INSTALL_BUSY',
  /** a package upload over HTTP that stalled or trickled under modelUpdates.upload's pace, or ran past its maxMs */
  MODEL_UPLOAD_TOO_SLOW: 'SONO_MODEL_UPLOAD_TOO_SLOW',
  /** a package's (or a command's) model version or id that is not a plain semantic version / id, so cannot name a folder */
  MODEL_VERSION_INVALID: 'SONO_MODEL_VERSION_INVALID',
  MODEL_ID_INVALID: 'SONO_MODEL_ID_INVALID',
  // HTTP requests refused before a route ran
  REQUEST_INVALID: 'SONO_REQUEST_INVALID',
  REQUEST_TOO_LARGE: 'SONO_REQUEST_TOO_LARGE',
  REQUEST_MEDIA_UNSUPPORTED: 'SONO_REQUEST_MEDIA_UNSUPPORTED',
  ROUTE_NOT_FOUND: 'SONO_ROUTE_NOT_FOUND',
  INTERNAL: 'SONO_INTERNAL',
  // accounts, sign-in, sessions, tokens, transport (src/access, src/server/access)
  ACCESS_UNAUTHENTICATED: 'SONO_ACCESS_UNAUTHENTICATED',
  ACCESS_SESSION_EXPIRED: 'SONO_ACCESS_SESSION_EXPIRED',
  ACCESS_FORBIDDEN: 'SONO_ACCESS_FORBIDDEN',
  ACCESS_ORIGIN_REFUSED: 'SONO_ACCESS_ORIGIN_REFUSED',
  ACCESS_HOST_REFUSED: 'SONO_ACCESS_HOST_REFUSED',
  ACCESS_SIGN_IN_FAILED: 'SONO_ACCESS_SIGN_IN_FAILED',
  ACCESS_LOCKED: 'SONO_ACCESS_LOCKED',
  ACCESS_SETUP_REFUSED: 'SONO_ACCESS_SETUP_REFUSED',
  ACCESS_SECRET_INVALID: 'SONO_ACCESS_SECRET_INVALID',
  ACCESS_USER_INVALID: 'SONO_ACCESS_USER_INVALID',
  ACCESS_USER_EXISTS: 'SONO_ACCESS_USER_EXISTS',
  ACCESS_USER_NOT_FOUND: 'SONO_ACCESS_USER_NOT_FOUND',
  ACCESS_LAST_ADMIN: 'SONO_ACCESS_LAST_ADMIN',
  ACCESS_TOKEN_NOT_FOUND: 'SONO_ACCESS_TOKEN_NOT_FOUND',
  ACCESS_ROUTE_UNDECLARED: 'SONO_ACCESS_ROUTE_UNDECLARED',
  ACCESS_TOO_MANY_WEBSOCKETS: 'SONO_ACCESS_TOO_MANY_WEBSOCKETS',
  ACCESS_RATE_LIMITED: 'SONO_ACCESS_RATE_LIMITED',
  /** a sign-in refused before its hash: this address already has its share of the hashing queue, or the queue is full */
  ACCESS_SIGN_IN_BUSY: 'SONO_ACCESS_SIGN_IN_BUSY',
  TLS_FAILED: 'SONO_TLS_FAILED',
  INSECURE_BIND_REFUSED: 'SONO_INSECURE_BIND_REFUSED',
  AUDIT_CHAIN_BROKEN: 'SONO_AUDIT_CHAIN_BROKEN',
  // DICOM Modality Worklist (src/worklist) and the printable exam report (src/report)
  WORKLIST_NOT_CONFIGURED: 'SONO_WORKLIST_NOT_CONFIGURED',
  WORKLIST_UNREACHABLE: 'SONO_WORKLIST_UNREACHABLE',
  WORKLIST_REJECTED: 'SONO_WORKLIST_REJECTED',
  WORKLIST_TIMEOUT: 'SONO_WORKLIST_TIMEOUT',
  WORKLIST_QUERY_FAILED: 'SONO_WORKLIST_QUERY_FAILED',
  REPORT_FAILED: 'SONO_REPORT_FAILED',
  // driver settings sent over the network (PUT /api/source), refused by the driver's allow-list (src/capture/network-settings.ts)
  SOURCE_SETTINGS_REFUSED: 'SONO_SOURCE_SETTINGS_REFUSED',
  SOURCE_SETTINGS_INVALID: 'SONO_SOURCE_SETTINGS_INVALID',
  MEDIA_PATH_REFUSED: 'SONO_MEDIA_PATH_REFUSED',
  MEDIA_PATH_MISSING: 'SONO_MEDIA_PATH_MISSING',
  // the service: disk guard, backup and restore (src/service)
  DISK_LOW: 'SONO_DISK_LOW',
  /** a key file (records key, device secret) that is empty, torn or not 64 hex digits: refused, never replaced */
  KEY_FILE_INVALID: 'SONO_KEY_FILE_INVALID',
  BACKUP_FAILED: 'SONO_BACKUP_FAILED',
  /** a file in the data folder (records.db, keys, models) the running user may not read or write: names the owner and the chown */
  DATA_DIR_UNWRITABLE: 'SONO_DATA_DIR_UNWRITABLE',
  /** a CLI command run as root on a data folder another user (the service user) owns: refused before any change */
  RUN_AS_DATA_OWNER: 'SONO_RUN_AS_DATA_OWNER',
  /** a backup target from the System page that is not a removable filesystem mounted under storage.backupRoots */
  BACKUP_TARGET_REFUSED: 'SONO_BACKUP_TARGET_REFUSED',
  /** the backup target (USB stick) has no room for the copy: refused before copying, or the copy hit a full disk */
  BACKUP_TARGET_FULL: 'SONO_BACKUP_TARGET_FULL',
  BACKUP_IN_PROGRESS: 'SONO_BACKUP_IN_PROGRESS',
  RESTORE_INVALID: 'SONO_RESTORE_INVALID',
  RESTORE_REFUSED: 'SONO_RESTORE_REFUSED',
  // the imaging region of a source and the OCR gate on outgoing images (src/capture/region*.ts, src/ocr)
  REGION_INVALID: 'SONO_REGION_INVALID',
  REGION_NOT_SAVED: 'SONO_REGION_NOT_SAVED',
  /** depth-scale taps sent for a source that declares its own pixel spacing, without overrideDeclaredSpacing: true */
  SPACING_OVERRIDE_UNCONFIRMED: 'SONO_SPACING_OVERRIDE_UNCONFIRMED',
  /** reason an outgoing image is held: its source has no imaging region set, so burned-in text cannot be cut off */
  REGION_NOT_SET: 'SONO_REGION_NOT_SET',
  /** reason an outgoing image is held: the OCR read text inside what would be sent */
  BURNED_IN_TEXT: 'SONO_BURNED_IN_TEXT',
  OCR_FAILED: 'SONO_OCR_FAILED',
  SYNC_ITEM_NOT_FOUND: 'SONO_SYNC_ITEM_NOT_FOUND',
  SYNC_ITEM_NOT_HELD: 'SONO_SYNC_ITEM_NOT_HELD',
  SYNC_MASK_REQUIRED: 'SONO_SYNC_MASK_REQUIRED',
  /** a sync target answered without a DICOM response (a proxy's page, plain HTTP to an HTTPS port): its URL or proxy is wrong; retried, nothing rejected */
  SYNC_TARGET_NOT_DICOM: 'SONO_SYNC_TARGET_NOT_DICOM',
  // report sign-off and second reading (src/records/signatures.ts, second-read.ts)
  REPORT_EXAM_OPEN: 'SONO_REPORT_EXAM_OPEN',
  REPORT_UNDECIDED: 'SONO_REPORT_UNDECIDED',
  SECOND_READ_REFUSED: 'SONO_SECOND_READ_REFUSED',
  SECOND_READ_INVALID: 'SONO_SECOND_READ_INVALID',
  ADJUDICATION_REFUSED: 'SONO_ADJUDICATION_REFUSED',
  // patients and exams typed at the bedside (issue 18): checked in the page and again by the daemon
  PATIENT_INVALID: 'SONO_PATIENT_INVALID',
  PATIENT_MISMATCH: 'SONO_PATIENT_MISMATCH',
  DATING_INVALID: 'SONO_DATING_INVALID',
  EXAM_VOIDED: 'SONO_EXAM_VOIDED',
  // the QA / retraining export (src/qa-export): a bad date range or a folder that is not empty
  QA_EXPORT_INVALID: 'SONO_QA_EXPORT_INVALID',
  // cine clips saved to an exam (issue 18, src/server/plugins/clips.ts)
  CLIP_INVALID: 'SONO_CLIP_INVALID',
  CLIP_FRAMES_MIXED: 'SONO_CLIP_FRAMES_MIXED',
  CLIP_FRAME_UNKNOWN: 'SONO_CLIP_FRAME_UNKNOWN',
  CLIP_TOO_LARGE: 'SONO_CLIP_TOO_LARGE',
  /** an Idempotency-Key the daemon stored for one request (a capture of a frame, a clip, a decision) sent with another */
  IDEMPOTENCY_KEY_REUSED: 'SONO_IDEMPOTENCY_KEY_REUSED',
  /** a decision whose expected state (what the client showed) is no longer the measurement's: someone decided since */
  DECISION_STALE: 'SONO_DECISION_STALE',
  /** a breast capture sent without the side it was taken on (left or right breast), or a side on a capture that has none */
  LATERALITY_REQUIRED: 'SONO_LATERALITY_REQUIRED',
  LATERALITY_INVALID: 'SONO_LATERALITY_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

type ErrorScalar = string | number | boolean | null;
/** A fact about a fault a client may act on: the value at fault, a limit (never patient data). */
export type ErrorDetail = ErrorScalar | ErrorScalar[];

export class SonoError extends Error {
  readonly code: ErrorCode;
  /** Facts a client may act on (the value at fault, the allowed range); never patient data. */
  readonly details: Record<string, ErrorDetail> | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, ErrorDetail> }) {
    super(message, options);
    this.name = 'SonoError';
    this.code = code;
    this.details = options?.details;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
