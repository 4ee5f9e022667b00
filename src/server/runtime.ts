import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { CalibrationStore } from '../capture/calibration-store.js';
import type { ProbeControl } from '../capture/probe-control.js';
import type { FrameSource } from '../capture/source.js';
import type { InferenceEngine } from '../inference/engine.js';
import type { Bus } from '../pipeline/bus.js';
import type { FaultCounts } from '../pipeline/fault-guard.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Db } from '../records/database.js';
import type { Exam } from '../records/types.js';
import type { Outbox } from '../sync/outbox.js';
import type { SyncService } from '../sync/sync-service.js';
import type { ModelGate } from './model-gate.js';

/** The services the HTTP plugins read, passed in (never module globals). */
export interface Runtime {
  config: Config;
  bus: Bus;
  metrics: Registry;
  startedAt: number;
  /** Set once sessions are warm and the source is running. */
  state: { ready: boolean; startupError: string | undefined };
  sessions: InferenceEngine[];
  pipeline: Pipeline | undefined;
  /** The records database (open before the server starts). */
  db: Db;
  /** Called inside the closing transaction: queues the exam for sync. */
  onExamClosed?: (exam: Exam) => void;
  /** Store-and-forward delivery; undefined when no target is configured. */
  sync: { outbox: Outbox; worker: SyncService } | undefined;
  /** Where records and keys live (shown with its free space). */
  dataDir: string;
  /** Builds a source by driver name (the registry); used to switch sources without a restart. `id` defaults to config.source.id. */
  createSource?: (driver: string, settings: Record<string, unknown>, id?: string) => FrameSource;
  /** Calibrations made in the UI, per source, kept across restarts. */
  calibrations?: CalibrationStore;
  /** Uncaught errors the daemon's last-resort guard has seen (when it is installed). */
  faults?: FaultCounts;
  driverNames?: () => string[];
  /** Probe buttons and settings, when a probe-control driver is configured. */
  probe?: ProbeControl;
  /** Runs only the diagnostic models of the exam types in use (viewers' choice, open exams). */
  modelGate?: ModelGate;
  /** Directory of the built web UI. */
  webUiDir: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    sono: Runtime;
  }
}
