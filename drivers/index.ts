import type { ProbeControl } from '../src/capture/probe-control.js';
import { SourceRegistry } from '../src/capture/registry.js';
import { SerialProbe } from './serial/serial-probe.js';
import { createDicomSource } from './dicom/dicom.js';
import { createIgtlSource } from './igtl/igtl.js';
import { createUsbBulkSource } from './usb/usb-bulk.js';
import { createReplaySource } from './replay/replay.js';
import { createSimulatedSource } from './simulated/probe.js';
import { createV4l2Source } from './v4l2/v4l2.js';

/** Every driver shipped with sonoedge, by the name config uses. */
export function builtinDrivers(): SourceRegistry {
  return new SourceRegistry().register('simulated', createSimulatedSource).register('replay', createReplaySource).register('v4l2', createV4l2Source).register('dicom', createDicomSource).register('igtl', createIgtlSource).register('usb', createUsbBulkSource);
}

/** Probe-control drivers (buttons and settings beside the image stream), by config name. */
export function builtinProbeControls(): Record<string, (settings: Record<string, unknown>) => ProbeControl> {
  return { serial: (settings) => new SerialProbe(settings) };
}
