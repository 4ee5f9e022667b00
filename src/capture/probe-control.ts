/**
 * Probe control: buttons and settings that come from the probe or scanner beside the image stream
 * (freeze/unfreeze, depth, gain, identity, temperature). Drivers that provide it (drivers/serial) know
 * nothing of the pipeline or UI; the daemon publishes their events on the bus.
 */
export type ProbeEvent =
  | { kind: 'freeze'; frozen: boolean }
  | { kind: 'capture' }
  | { kind: 'depth'; mm: number }
  | { kind: 'gain'; db: number }
  | { kind: 'identity'; model: string; serial: string }
  | { kind: 'temperature'; celsius: number }
  | { kind: 'heartbeat' };

export interface ProbeControlHealth {
  driver: string;
  connected: boolean;
  framesOk: number;
  crcErrors: number;
  unknownTypes: number;
  garbageBytes: number;
  lastError: string | undefined;
}

export interface ProbeControl {
  readonly driver: string;
  start(listener: (e: ProbeEvent) => void): Promise<void>;
  stop(): Promise<void>;
  health(): ProbeControlHealth;
}
