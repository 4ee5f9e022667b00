import type { SourceScope } from '../capture/source-scope.js';
import { errorMessage } from '../errors.js';
import type { Pipeline } from './pipeline.js';

/** What the last-resort guard has seen; shown in /api/health and /metrics. */
export interface FaultCounts {
  /** Uncaught errors blamed on a source through its async context (that source was stopped). */
  attributed: number;
  /** Uncaught errors no source owns: a bug in the daemon itself. */
  unattributed: number;
  lastUnattributed: string | undefined;
}

export interface FaultGuardOptions {
  scope: SourceScope;
  pipeline: () => Pipeline | undefined;
  log: { error(obj: object, msg?: string): void; fatal(obj: object, msg?: string): void };
  counts: FaultCounts;
  /** More unattributed errors than this within `windowMs` means the process is broken: it exits (70). */
  maxUnattributed?: number;
  windowMs?: number;
  exit?: (code: number) => void;
}

/**
 * The daemon's last resort against an error nobody caught (`uncaughtException`, `unhandledRejection`).
 *
 * - Inside a source's async context (a driver callback that did not use SourceGuard): the source is
 *   stopped and shown failed with the reason, exactly as if its driver had reported the fault; the daemon
 *   keeps serving records, UI and sync, and another source can be switched in.
 * - Outside any source, the daemon's own code failed and its state may be wrong. It is logged at fatal
 *   level with its stack and counted in /api/health and /metrics, and the daemon keeps serving: an
 *   exam in progress (in SQLite, committed per request) is worth more than a clean restart, and whoever
 *   watches the counter sees it. A burst of them (more than `maxUnattributed` in `windowMs`) is a broken
 *   process, not a one-off: it exits with status 70 so systemd (Restart=on-failure) starts a fresh one.
 */
export function installFaultGuard(o: FaultGuardOptions, proc: NodeJS.Process = process): () => void {
  const max = o.maxUnattributed ?? 5;
  const windowMs = o.windowMs ?? 60_000;
  const recent: number[] = [];
  const handle = (err: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void => {
    const source = o.scope.current();
    const pipeline = o.pipeline();
    const what = origin === 'uncaughtException' ? 'Uncaught exception' : 'Unhandled promise rejection';
    if (source && pipeline) {
      o.counts.attributed++;
      pipeline.sourceFailed(source, `${what} in the ${source.driver} driver: ${errorMessage(err)}`);
      return;
    }
    o.counts.unattributed++;
    o.counts.lastUnattributed = `${what}: ${errorMessage(err)}`;
    o.log.fatal(
      { origin, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined },
      `${what} outside any capture source — a bug in sonoedge; it keeps serving, please report this log`,
    );
    const now = Date.now();
    recent.push(now);
    while (recent.length > 0 && recent[0]! < now - windowMs) recent.shift();
    if (recent.length > max) {
      o.log.fatal({ count: recent.length, windowMs }, `More than ${max} uncaught errors in ${windowMs / 1000} s: exiting so the service manager restarts a fresh process`);
      (o.exit ?? ((code) => proc.exit(code)))(70);
    }
  };
  const onException = (err: unknown): void => handle(err, 'uncaughtException');
  const onRejection = (reason: unknown): void => handle(reason, 'unhandledRejection');
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}
