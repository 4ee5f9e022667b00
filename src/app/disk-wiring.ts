import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DiskGuard } from '../service/disk-guard.js';
import { registerDiskMetrics } from '../service/disk-metrics.js';
import type { Runtime } from '../server/runtime.js';
import type { Teardown } from './teardown.js';

/**
 * The disk guard of the data folder (src/service/disk-guard.ts): read now and every checkIntervalMs, shown in
 * /api/health and /metrics, asked before every new exam and capture (src/server/disk-guarded.ts). A change
 * of level is logged once, at warn when it got worse, so a full disk is in the journal before a refusal.
 */
export function startDiskGuard(dataDir: string, config: Config, runtime: Pick<Runtime, 'metrics'>, log: Logger, teardown: Teardown): DiskGuard {
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
  return guard;
}
