import { Gauge } from 'prom-client';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Runtime } from '../server/runtime.js';
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

/** Shows the lifecycle in /api/health (`service`) and /metrics (sonoedge_systemd_ready, sonoedge_watchdog_pings_total, sonoedge_watchdog_healthy). */
export function exposeServiceLifecycle(runtime: Runtime, lifecycle: ServiceLifecycle): void {
  runtime.service = lifecycle;
  const registers = [runtime.metrics];
  new Gauge({
    name: 'sonoedge_systemd_ready',
    help: '1 once READY=1 was sent (or would be, outside systemd)',
    registers,
    collect() {
      this.set(lifecycle.snapshot().state === 'ready' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sonoedge_watchdog_pings_total',
    help: 'WATCHDOG=1 messages sent to systemd',
    registers,
    collect() {
      this.set(lifecycle.snapshot().pings);
    },
  });
  new Gauge({
    name: 'sonoedge_watchdog_healthy',
    help: "1 while the pipeline heartbeat's verdict is healthy (pings continue), 0 when stuck",
    registers,
    collect() {
      this.set(lifecycle.snapshot().healthy ? 1 : 0);
    },
  });
}
