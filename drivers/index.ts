import { SourceRegistry } from '../src/capture/registry.js';
import { createReplaySource } from './replay/replay.js';
import { createSimulatedSource } from './simulated/probe.js';

/** Every driver shipped with sonoedge, by the name config uses. */
export function builtinDrivers(): SourceRegistry {
  return new SourceRegistry().register('simulated', createSimulatedSource).register('replay', createReplaySource);
}
