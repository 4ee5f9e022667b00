import { type Static, Type as T } from '@sinclair/typebox';

const Attempt = T.Object({ provider: T.String(), ok: T.Boolean(), reason: T.Optional(T.String()) });
export const HealthDto = T.Object({
  status: T.Union([T.Literal('starting'), T.Literal('ok'), T.Literal('failed')]),
  provider: T.Optional(T.String({ description: 'Execution provider of the first model, e.g. "cpu"' })),
  models: T.Array(
    T.Object({
      id: T.String(),
      version: T.String({ description: 'The active version: the one serving now (history under GET /api/models)' }),
      task: T.String(),
      provider: T.String(),
      precision: T.String(),
      attempts: T.Array(Attempt),
      healthWindow: T.Optional(
        T.Union([T.Literal('watching'), T.Literal('passed'), T.Literal('failed')], { description: "The health window of this model's last activation, if one ran since start-up" }),
      ),
    }),
  ),
  source: T.Optional(
    T.Object({
      driver: T.String(),
      state: T.String(),
      connected: T.Boolean(),
      fps: T.Number(),
      framesDelivered: T.Number(),
      errors: T.Number(),
      lastError: T.Optional(T.String()),
    }),
  ),
  pipeline: T.Optional(
    T.Object({
      framesIn: T.Number(),
      framesTaken: T.Number(),
      framesDropped: T.Number(),
      errors: T.Number(),
      lastError: T.Optional(T.String()),
      framesRejected: T.Number({ description: 'Malformed frames refused at the entrance' }),
      lastRejected: T.Optional(T.String()),
      sourceFaults: T.Number({ description: 'Sources stopped because their driver failed while running' }),
      lastSourceFault: T.Optional(T.String()),
      framesSkipped: T.Optional(T.Record(T.String(), T.Number(), { description: 'Per model id: frames that arrived while that model could not take them (busy with an earlier frame)' })),
    }),
  ),
  faults: T.Optional(
    T.Object({
      attributed: T.Number({ description: 'Uncaught errors blamed on a capture source' }),
      unattributed: T.Number({ description: 'Uncaught errors in the daemon itself (logged at fatal level: please report)' }),
      lastUnattributed: T.Optional(T.String()),
    }),
  ),
  error: T.Optional(T.String()),
  insecureHttp: T.Optional(T.Literal(true, { description: 'Plain HTTP on a non-loopback address, allowed only by server.allowInsecureHttp: passwords and patient data cross the network in clear' })),
  uptimeSeconds: T.Number(),
  deviceSecretWarning: T.Optional(
    T.Object(
      {
        problem: T.Union([T.Literal('missing'), T.Literal('unreadable'), T.Literal('replaced')]),
        where: T.String({ description: 'The file or credential the daemon reads it from at start' }),
      },
      {
        description:
          'Technician and admin only: the device secret the daemon would read at its next start is gone, torn or another than the one it runs with (after a restart nobody could sign in, the audit trail would read as tampered, backups miss it)',
      },
    ),
  ),
  probe: T.Optional(
    T.Object({ driver: T.String(), connected: T.Boolean(), framesOk: T.Number(), crcErrors: T.Number(), unknownTypes: T.Number(), garbageBytes: T.Number(), lastError: T.Optional(T.String()) }),
  ),
  disk: T.Optional(
    T.Object({
      path: T.String(),
      freeBytes: T.Number(),
      totalBytes: T.Number(),
      level: T.Optional(
        T.Union([T.Literal('ok'), T.Literal('warn'), T.Literal('no-cine'), T.Literal('refuse')], { description: 'The disk guard: refuse means new exams and captures answer 507 SONO_DISK_LOW' }),
      ),
      message: T.Optional(T.String({ description: 'What a person should read and do; empty when all is well' })),
      warnFreeMb: T.Optional(T.Number()),
      stopCineFreeMb: T.Optional(T.Number()),
      refuseFreeMb: T.Optional(T.Number()),
    }),
  ),
  service: T.Optional(
    T.Object(
      {
        state: T.Union([T.Literal('starting'), T.Literal('ready'), T.Literal('stopping')]),
        notify: T.Boolean({ description: 'Running under systemd with a notify socket' }),
        watchdogMs: T.Optional(T.Number()),
        pings: T.Number({ description: 'WATCHDOG=1 messages sent' }),
        healthy: T.Boolean({ description: "The pipeline heartbeat's last verdict" }),
        reason: T.String(),
      },
      { description: 'systemd readiness and watchdog (only under `serve`)' },
    ),
  ),
});
export type HealthDto = Static<typeof HealthDto>;

export const DriversDto = T.Object({ current: T.Optional(T.String()), drivers: T.Array(T.String()) });
export type DriversDto = Static<typeof DriversDto>;

export const SourceBody = T.Object(
  {
    driver: T.String({ minLength: 1, maxLength: 64, description: 'Driver name, e.g. simulated, replay, v4l2, dicom' }),
    settings: T.Optional(T.Record(T.String(), T.Unknown(), { description: "The driver's settings (the driver validates them); default: its section in the config" })),
  },
  { additionalProperties: false },
);
export type SourceBody = Static<typeof SourceBody>;
export const SourceStateDto = T.Object({ driver: T.String(), state: T.String() });
export type SourceStateDto = Static<typeof SourceStateDto>;

/** Largest frame side a calibration may refer to (u16 in the frame header). */
const SIDE = 65535;
const Coord = T.Number({ minimum: 0, maximum: SIDE, description: 'Frame pixels' });
const Override = T.Optional(
  T.Boolean({ description: 'Replace the spacing the source declares with every frame (an OpenIGTLink scanner, a DICOM file…); without it such a source refuses a calibration' }),
);
export const CalibrationBody = T.Union([
  T.Object({ pixelSpacingMm: T.Number({ minimum: 0.001, maximum: 10 }), override: Override }, { additionalProperties: false }),
  T.Object({ x1: Coord, y1: Coord, x2: Coord, y2: Coord, distanceMm: T.Number({ minimum: 0.01, maximum: 1000 }), override: Override }, { additionalProperties: false }),
  T.Object({ clear: T.Literal(true) }, { additionalProperties: false }),
]);
export type CalibrationBody = Static<typeof CalibrationBody>;
const Sp = T.Object({ x: T.Number(), y: T.Number() });
const Size = T.Object({ width: T.Integer(), height: T.Integer() });
export const SpacingDto = T.Object({
  pixelSpacing: T.Union([Sp, T.Null()], { description: "The calibration in force for this source (null: the source's own spacing)" }),
  frame: T.Optional(T.Object({ width: T.Integer(), height: T.Integer() }, { description: "Frame size it was made on; frames of another size keep the source's own spacing" })),
  /** The device or input the calibration belongs to (`<driver>@<identity>`, src/capture/source-identity.ts). */
  source: T.Optional(T.String()),
  /** What the last frame went on with, and where it came from. */
  inUse: T.Optional(
    T.Union([T.Object({ pixelSpacing: T.Union([Sp, T.Null()]), from: T.Union([T.Literal('calibration'), T.Literal('depth-scale'), T.Literal('source'), T.Literal('none')]), frame: Size }), T.Null()]),
  ),
  /** The spacing the source itself declares with its frames (null: none, or no frame yet). */
  sourceDeclares: T.Optional(T.Union([Sp, T.Null()])),
  /** What is stored for this source, in force or not. */
  stored: T.Optional(T.Union([T.Object({ pixelSpacing: Sp, frame: T.Union([Size, T.Null()]), override: T.Boolean(), savedAt: T.String(), migratedFrom: T.Union([T.String(), T.Null()]) }), T.Null()])),
  /** Why a stored calibration is not in force (reason: source-declares-spacing, other-frame-size, no-frame-size, legacy-unbound), or null. */
  notApplied: T.Optional(T.Union([T.Object({ reason: T.String(), message: T.String() }), T.Null()])),
});
export type SpacingDto = Static<typeof SpacingDto>;

const SyncTarget = T.Object({
  name: T.String(),
  state: T.String(),
  lastError: T.Optional(T.String()),
  lastSuccessAt: T.Optional(T.String()),
  counts: T.Object({ pending: T.Number(), sent: T.Number(), rejected: T.Number(), checking: T.Optional(T.Number()), held: T.Optional(T.Number()) }),
});
const SyncItem = T.Object({
  id: T.Number(),
  target: T.String(),
  examId: T.String(),
  sopInstanceUid: T.String(),
  sopClassUid: T.String(),
  /** pending, sent, rejected; checking (read by the OCR gate) or held (kept on the device, see reason) */
  state: T.String(),
  reason: T.Optional(
    T.Object({
      code: T.String({ description: 'SONO_BURNED_IN_TEXT, SONO_REGION_NOT_SET, SONO_OCR_FAILED or SONO_CAPTURE_PIXELS_DAMAGED' }),
      message: T.String(),
      text: T.Optional(T.String()),
      boxes: T.Optional(T.Array(T.Object({ x: T.Number(), y: T.Number(), width: T.Number(), height: T.Number() }))),
      /** `patient-data`: what was read is one of the exam's identifiers (the kinds in `identifiers`, never their values; no `text` then) */
      found: T.Optional(T.Literal('patient-data')),
      identifiers: T.Optional(T.Array(T.String({ description: 'name, patient-id, accession or birth-date' }))),
    }),
  ),
  attempts: T.Number(),
  nextAttemptAt: T.Number(),
  lastError: T.Union([T.String(), T.Null()]),
  sentAt: T.Union([T.String(), T.Null()]),
});
export const SyncStateDto = T.Object({ targets: T.Array(SyncTarget), items: T.Array(SyncItem) });
export type SyncStateDto = Static<typeof SyncStateDto>;
