import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { Db } from '../records/database.js';
import type { ExamStore } from '../records/exam-store.js';
import type { Exam } from '../records/types.js';
import { buildOrder } from '../sync/exam-build.js';
import { captureGeometry } from '../sync/capture-geometry.js';
import { Outbox } from '../sync/outbox.js';
import { type ReportService, makeReportService } from '../sync/sr-revision-service.js';
import { SyncService } from '../sync/sync-service.js';
import { packageRoot } from '../util/package-root.js';

export interface SyncWiring {
  outbox: Outbox;
  worker: SyncService;
  /**
   * Called inside the closing transaction: queues the exam's build for every target (a row each, the exam as
   * closed); the sync process builds the de-identified DICOM off the event loop (src/sync/exam-build.ts).
   */
  onExamClosed: (exam: Exam) => void;
  /** Signed and amended report revisions, queued like closing's (src/sync/sr-revision-service.ts). */
  reports: ReportService;
}

/** Store-and-forward to the configured PACS targets: the outbox in the records database, delivery in its own process (not started here). */
export function wireSync(loaded: LoadedConfig, db: Db, store: ExamStore, keys: { dbFile: string; dbKey: string; deviceSecret: string }, log: Logger): SyncWiring {
  const { config } = loaded;
  const outbox = new Outbox(db);
  const targets = config.sync.targets.map((t) => ({ ...t, caFile: t.caFile && resolve(loaded.baseDir, t.caFile) }));
  const secret = keys.deviceSecret;
  const worker = new SyncService({ dbFile: keys.dbFile, key: keys.dbKey, targets, settings: config.sync, nice: config.sync.nice, exportSecret: secret }, log);
  const softwareVersion = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const deviceSerial = createHash('sha256')
    .update('serial:' + secret)
    .digest('hex')
    .slice(0, 12);
  const onExamClosed = (exam: Exam): void => {
    if (targets.length === 0) return;
    outbox.enqueueBuild(
      targets.map((t) => t.name),
      exam.id,
      buildOrder(exam, { dates: config.sync.dates, deviceSerial, softwareVersion }),
    );
    setImmediate(() => worker.poke());
  };
  const reports = makeReportService({
    exportOptions: { secret, dates: config.sync.dates, deviceSerial, softwareVersion },
    targets: targets.map((t) => t.name),
    outbox,
    geometryOf: (id) => captureGeometry(db, id),
    poke: () => worker.poke(),
    organization: 'sonoedge clinic',
  });
  return { outbox, worker, onExamClosed, reports };
}
