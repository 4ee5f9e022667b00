/**
 * How many intra-op threads each onnxruntime session gets when the config says `auto`.
 *
 * Live, the JS thread needs a core of its own (capture, preprocessing, analysis, WebSocket): an intra-op
 * pool that spans every core is preempted by it, and a parallel operator waits for its slowest thread,
 * so inference's tail grows with every millisecond of JS work. `auto` leaves one core to the JS thread
 * and shares the rest between the live models (at least one thread each; at most 4, where this small
 * model stops scaling). Offline (`analyze`), nothing runs beside inference: every core, up to 4.
 */
export function resolveIntraOpThreads(setting: number | 'auto', opts: { cores: number; models: number; live: boolean }): number {
  if (setting !== 'auto') return setting;
  const cores = Math.max(1, opts.cores);
  const share = opts.live ? Math.floor((cores - 1) / Math.max(1, opts.models)) : cores;
  return Math.min(4, Math.max(1, share));
}
