/**
 * Waiting for the source's next frame on the bus, bounded: a calibration or region sent right after a source
 * switch is made on the new source's first frame (src/server/plugins/source.ts, source-region.ts).
 */
import type { Bus } from '../pipeline/bus.js';

/** Resolves on the first frame on `bus` for which `ready()` holds (any frame without it), or after `ms`. */
export function frameOnBus(bus: Bus, ms: number, ready: () => unknown = () => true): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = bus.on('frame', () => {
      if (ready()) done();
    });
  });
}
