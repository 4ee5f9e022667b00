import type { Pipeline } from '../pipeline/pipeline.js';
import { pipelineHeartbeat } from '../service/heartbeat.js';
import { type LifecycleLog, ServiceLifecycle } from '../service/lifecycle.js';
import { SystemdNotifier } from '../service/notify.js';

/**
 * systemd's side of `serve` (Type=notify, WatchdogSec): READY=1 after the first result, WATCHDOG=1 while the
 * pipeline's own heartbeat is fresh, STOPPING=1 on shutdown (src/service/). Without NOTIFY_SOCKET (not
 * under systemd) nothing is sent.
 */
export function startServiceLifecycle(pipeline: Pipeline, url: string, log: LifecycleLog): ServiceLifecycle {
  const notifier = new SystemdNotifier({ onError: (message) => log.warn({ err: message }, `systemd notification failed: ${message}`) });
  const lifecycle = new ServiceLifecycle({ notifier, heartbeat: pipelineHeartbeat(() => pipeline.heartbeat()), log });
  lifecycle.startupComplete(`serving on ${url}`);
  return lifecycle;
}
