import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram } from 'prom-client';

const STAGES = ['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs', 'totalMs'] as const;

/** GET /metrics in Prometheus text format: fps, drops, stage latency histograms, provider in use. */
const metrics: FastifyPluginAsync = async (app) => {
  const rt = app.sono;
  const reg = rt.metrics;
  const stage = new Histogram({
    name: 'sonoedge_stage_seconds',
    help: 'Per-stage latency of each model run',
    labelNames: ['model', 'stage'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.033, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [reg],
  });
  const results = new Counter({ name: 'sonoedge_results_total', help: 'Results published', labelNames: ['model'], registers: [reg] });
  new Gauge({
    name: 'sonoedge_source_fps',
    help: 'Frames per second delivered by the source',
    registers: [reg],
    collect() {
      this.set(rt.pipeline?.source?.health().fps ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_frames_in_total',
    help: 'Frames received from the source',
    registers: [reg],
    collect() {
      this.set(rt.pipeline?.stats().framesIn ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_frames_dropped_total',
    help: 'Frames replaced before inference took them (latest-frame-wins)',
    registers: [reg],
    collect() {
      this.set(rt.pipeline?.stats().framesDropped ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_model_frames_skipped_total',
    help: 'Frames that arrived while a model could not take them (busy with an earlier frame), per model',
    labelNames: ['model'],
    registers: [reg],
    collect() {
      this.reset();
      for (const [model, m] of Object.entries(rt.pipeline?.stats().models ?? {})) this.set({ model }, m.framesSkipped);
    },
  });
  new Gauge({
    name: 'sonoedge_source_errors_total',
    help: 'Errors reported by the source',
    registers: [reg],
    collect() {
      this.set(rt.pipeline?.source?.health().errors ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_execution_provider',
    help: 'Execution provider in use per model (value 1)',
    labelNames: ['model', 'provider'],
    registers: [reg],
    collect() {
      this.reset();
      for (const s of rt.sessions) this.set({ model: s.id, provider: s.provider }, 1);
    },
  });
  new Gauge({
    name: 'sonoedge_frames_rejected_total',
    help: 'Malformed frames refused at the pipeline entrance',
    registers: [reg],
    collect() {
      this.set(rt.pipeline?.stats().framesRejected ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_source_faults_total',
    help: 'Sources stopped because their driver failed while running',
    registers: [reg],
    collect() {
      this.set(rt.pipeline?.stats().sourceFaults ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_uncaught_errors_total',
    help: 'Errors nobody caught, by owner: a capture source, or the daemon itself (a bug)',
    labelNames: ['owner'],
    registers: [reg],
    collect() {
      this.set({ owner: 'source' }, rt.faults?.attributed ?? 0);
      this.set({ owner: 'daemon' }, rt.faults?.unattributed ?? 0);
    },
  });
  new Gauge({
    name: 'sonoedge_ready',
    help: '1 when sessions are warm and the source runs',
    registers: [reg],
    collect() {
      this.set(rt.state.ready ? 1 : 0);
    },
  });

  // a stall shows here before the watchdog (systemd WatchdogSec) kills the daemon: max and p99 since the last scrape
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  new Gauge({
    name: 'sonoedge_event_loop_delay_seconds',
    help: 'Event loop delay since the previous scrape (stat max or p99): how long the daemon could not answer',
    labelNames: ['stat'],
    registers: [reg],
    collect() {
      // no sample yet (the first scrape right after start): 0, never the histogram's empty-state values
      const has = loop.count > 0;
      this.set({ stat: 'max' }, has ? loop.max / 1e9 : 0);
      this.set({ stat: 'p99' }, has ? loop.percentile(99) / 1e9 : 0);
      loop.reset();
    },
  });

  const off = rt.bus.on('result', (e) => {
    results.inc({ model: e.modelId });
    for (const s of STAGES) stage.observe({ model: e.modelId, stage: s.replace('Ms', '') }, e.timings[s] / 1000);
  });
  app.addHook('onClose', async () => {
    off();
    loop.disable();
  });

  app.get('/metrics', { config: { access: 'technician' }, schema: { tags: ['system'], summary: 'Prometheus metrics', hide: true } }, async (_req, reply) => {
    reply.type(reg.contentType);
    return reg.metrics();
  });
};

export default fp(metrics, { name: 'sonoedge-metrics' });
