import type { Registry } from 'prom-client';
import type { AccessSetup } from '../access/setup.js';
import type { Config } from '../config/schema.js';
import type { CalibrationStore } from '../capture/calibration-store.js';
import type { RegionStore } from '../capture/region-store.js';
import type { ProbeControl } from '../capture/probe-control.js';
import type { NetworkPolicy } from '../capture/network-settings.js';
import type { FrameSource } from '../capture/source.js';
import type { InferenceEngine } from '../inference/engine.js';
import type { Bus } from '../pipeline/bus.js';
import type { FaultCounts } from '../pipeline/fault-guard.js';
import type { ModelGate } from '../pipeline/model-gate.js';
import type { ModelUpdateService } from '../models/updates/service.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Db } from '../records/database.js';
import type { DiskGuard } from '../service/disk-guard.js';
import type { ServiceLifecycle } from '../service/lifecycle.js';
import type { Exam, ExamType } from '../records/types.js';
import type { Outbox } from '../sync/outbox.js';
import type { SyncService } from '../sync/sync-service.js';
import type { ReportService } from '../sync/sr-revision-service.js';

/** Replaces a model's live session (a model update): the new one is warmed before frames reach it. */
export interface ModelSwitch {
  /**
   * Opens `open()`'s session (its warm-up runs included), puts it in the pipeline in the place of the model
   * with its id, then releases the old one; returns the versions before and after. If opening fails the
   * old session keeps serving and the error is thrown (SONO_MODEL_REPLACE_FAILED when no such model runs).
   */
  replace(open: () => Promise<InferenceEngine>): Promise<{ id: string; previousVersion: string; version: string }>;
}

/**
 * The services the HTTP plugins read, passed in (never module globals). Built complete by the composition
 * root (src/app/) before the server listens: every field is set from the start; what changes while the
 * daemon runs (its state, the sessions, the config in force) is read through the services themselves.
 */
export interface Runtime {
  /**
   * The config in force. Read it when you need it and never keep or write into it: a config reload
   * (src/app/reload.ts) replaces the object with one holding the new `source` and `drivers` sections.
   */
  readonly config: Config;
  bus: Bus;
  metrics: Registry;
  startedAt: number;
  /** ready: sessions are warm and the source was started; startupError: start-up failed (health says so). */
  state: { ready: boolean; startupError: string | undefined };
  /** The sessions the pipeline runs now: empty while they load; a model update replaces one in place. */
  readonly sessions: readonly InferenceEngine[];
  /** Always there; it has no models until the sessions are warm, and no source until one is started. */
  pipeline: Pipeline;
  /** The records database (open before the server starts). */
  db: Db;
  /** Called inside the closing transaction: queues the exam for sync (does nothing with no target). */
  onExamClosed: (exam: Exam) => void;
  /** Store-and-forward delivery; undefined when no target is configured. */
  sync: { outbox: Outbox; worker: SyncService } | undefined;
  /** Builds and queues signed and amended report revisions (absent in apps without sync wiring: signatures are then recorded without SR UIDs). */
  reports?: ReportService | undefined;
  /** Where records and keys live (shown with its free space). */
  dataDir: string;
  /** Builds a source by driver name (the registry); used to switch sources without a restart. `id` defaults to config.source.id. */
  createSource: (driver: string, settings: Record<string, unknown>, id?: string) => FrameSource;
  driverNames: () => string[];
  /** What a network client may set for a driver (its allow-list, src/capture/network-settings.ts); absent: nothing. */
  networkPolicy?: (driver: string) => NetworkPolicy | undefined;
  /** Calibrations made in the UI, per source, kept across restarts. */
  calibrations: CalibrationStore;
  /** Imaging regions set by a technician, per source, kept across restarts (absent: the region plugin keeps its own in dataDir). */
  regions?: RegionStore;
  /** Uncaught errors the daemon's last-resort guard has seen; undefined when no guard is installed (tests in a shared process). */
  faults: FaultCounts | undefined;
  /** Probe buttons and settings, when a probe-control driver is configured. */
  probe: ProbeControl | undefined;
  /** Runs only the diagnostic models of the exam types in use (viewers' choice, open exams). */
  modelGate: ModelGate<ExamType>;
  /** Model updates: swap a model's session while frames flow. */
  models: ModelSwitch;
  /** Directory of the built web UI. */
  webUiDir: string;
  /** Signed model packages: install, rollback, versions, the health window (absent where no store was wired, e.g. inject tests). */
  modelUpdates?: ModelUpdateService;
  /** Accounts, sessions, tokens and the audit trail, and whether (and with what certificate) the server speaks HTTPS. */
  access: AccessSetup;
  /** SHA-256 fingerprints of the certificate served (and of the device CA) for pairing a tablet; undefined on plain HTTP. */
  tlsFingerprints?: { certificate: string; ca?: string } | undefined;
  /** Free space of the data folder: refuses new exams and captures when nearly full (absent in inject tests that build no guard). */
  disk?: DiskGuard;
  /** systemd readiness and watchdog state; set by `serve` once the lifecycle starts (absent elsewhere). */
  service?: Pick<ServiceLifecycle, 'snapshot'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    sono: Runtime;
  }
}
