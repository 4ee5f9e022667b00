import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DiskGuard } from '../service/disk-guard.js';
import { registerDiskMetrics } from '../service/disk-metrics.js';
import { RetentionJob } from '../service/retention.js';
import type { Runtime } from '../server/runtime.js';
import type { Teardown } from './teardown.js';

/**
 * The disk guard of the data folder (src/service/disk-guard.ts): read now and every checkIntervalMs, shown in
 * /api/health and /metrics, asked before every new exam and capture (src/server/disk-guarded.ts). A change
 * of level is logged once, at warn when it got worse, so a full disk is in the journal before a refusal.
 */
export function startDiskGuard(dataDir: string, config: Config, runtime: Pick<Runtime, 'metrics' | 'db' | 'access' | 'config'>, log: Logger, teardown: Teardown): DiskGuard {
  const guard = new DiskGuard({
    path: dataDir,
    levels: config.storage,
    onChange(state, previous) {
      const fields = { level: state.level, previous: previous.level, freeMb: state.freeMb, path: state.path };
      if (state.level === 'ok') log.info(fields, `Disk space is back above ${state.warnFreeMb} MiB on ${state.path}`);
      else log.warn(fields, state.message);
    },
  });
  if (guard.state.message) log.warn({ level: guard.state.level, freeMb: guard.state.freeMb }, guard.state.message);
  guard.start();
  teardown.push('stop the disk guard', () => guard.stop());
  registerDiskMetrics(runtime.metrics, guard);
  startRetention(runtime, log, teardown);
  return guard;
}

/**
 * Retention (storage.retention, src/service/retention.ts): pixels of signed exams every target acknowledged go
 * dropPixelsAfterDays after closing, audited. Settings are read at each pass, so a config reload applies.
 */
export function startRetention(runtime: Pick<Runtime, 'db' | 'access' | 'config'>, log: Logger, teardown: Teardown): RetentionJob {
  const job = new RetentionJob({
    db: runtime.db,
    audit: runtime.access.services.audit,
    settings: () => ({ retention: runtime.config.storage.retention, targets: runtime.config.sync.targets.map((t) => t.name) }),
    onRun(run) {
      const bytes = run.dropped.reduce((n, d) => n + d.bytes, 0);
      if (run.dropped.length)
        log.info({ exams: run.dropped.length, bytes, cutoff: run.cutoff }, `Retention: dropped the pixels of ${run.dropped.length} exams closed before ${run.cutoff} (records and SR kept)`);
    },
    onError(err) {
      log.warn({ err }, 'Retention pass failed; nothing was changed, it is tried again at the next interval');
    },
  });
  if (runtime.config.storage.retention.dropPixelsAfterDays > 0 && runtime.config.sync.targets.length === 0) {
    log.warn('storage.retention.dropPixelsAfterDays is set but no sync target is configured: nothing is dropped while this device holds the only copy');
  }
  job.start();
  teardown.push('stop retention', () => job.stop());
  return job;
}
