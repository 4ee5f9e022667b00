import type { ProbeControl } from '../src/capture/probe-control.js';
import { SourceRegistry } from '../src/capture/registry.js';
import { SerialProbe } from './serial/serial-probe.js';
import { createDicomSource, dicomNetworkPolicy } from './dicom/dicom.js';
import { createIgtlSource, igtlNetworkPolicy } from './igtl/igtl.js';
import { createUsbBulkSource, usbNetworkPolicy } from './usb/usb-bulk.js';
import { createReplaySource, replayNetworkPolicy } from './replay/replay.js';
import { createSimulatedSource, simulatedNetworkPolicy } from './simulated/probe.js';
import { createV4l2Source, v4l2NetworkPolicy } from './v4l2/v4l2.js';

/** Every driver shipped with sonoedge, by the name config uses, with what a network client may set for it. */
export function builtinDrivers(): SourceRegistry {
  return new SourceRegistry()
    .register('simulated', createSimulatedSource, simulatedNetworkPolicy)
    .register('replay', createReplaySource, replayNetworkPolicy)
    .register('v4l2', createV4l2Source, v4l2NetworkPolicy)
    .register('dicom', createDicomSource, dicomNetworkPolicy)
    .register('igtl', createIgtlSource, igtlNetworkPolicy)
    .register('usb', createUsbBulkSource, usbNetworkPolicy);
}

/** Probe-control drivers (buttons and settings beside the image stream), by config name. */
export function builtinProbeControls(): Record<string, (settings: Record<string, unknown>) => ProbeControl> {
  return { serial: (settings) => new SerialProbe(settings) };
}
