import { builtinProbeControls } from '../../drivers/index.js';
import { UsbHotplug, busEvents } from '../../drivers/usb/hotplug.js';
import { FailedSource } from '../capture/failed-source.js';
import type { PerSourceJsonStore } from '../capture/per-source-store.js';
import type { ProbeControl } from '../capture/probe-control.js';
import { identityOf } from '../capture/source-identity.js';
import type { FrameSource } from '../capture/source.js';
import type { Config } from '../config/schema.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Teardown } from './teardown.js';

type CreateSource = (driver: string, settings: Record<string, unknown>, id?: string) => FrameSource;

interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Starts the configured source. A missing device or unreadable file must not take the daemon down: it
 * serves its records, UI and sync, health names the problem, and PUT /api/source (or USB hotplug, or a
 * config reload) can bring a source in.
 */
export async function startConfiguredSource(pipeline: Pipeline, createSource: CreateSource, config: Config, log: Log): Promise<void> {
  const { driver, id } = config.source;
  const source = createSource(driver, config.drivers[driver] ?? {}); // an unknown driver or bad settings: refuse to start
  try {
    await pipeline.start(source);
  } catch (err) {
    const reason = `Source "${driver}" failed to start: ${errorMessage(err)}`;
    log.error({ code: err instanceof SonoError ? err.code : ErrorCodes.SOURCE_FAILED, err: errorMessage(err) }, reason);
    pipeline.setFailedSource(new FailedSource(id, driver, reason));
  }
}

/** The probe-control driver (buttons, freeze), when configured; built before the server listens, started later. */
export function makeProbeControl(config: Config): ProbeControl | undefined {
  if (!config.probeControl) return undefined;
  const make = builtinProbeControls()[config.probeControl.driver];
  if (!make) throw new SonoError(ErrorCodes.SOURCE_UNKNOWN, `Unknown probe-control driver "${config.probeControl.driver}"; supported: ${Object.keys(builtinProbeControls()).join(', ')}`);
  return make(config.probeControl.settings);
}

/**
 * USB hotplug: a known device plugged in becomes the source; unplugged, the configured source comes back.
 * `config` is read at each event, so an edited config file's source is the one brought back.
 */
export async function startUsbHotplug(pipeline: Pipeline, createSource: CreateSource, config: () => Config, log: Log, teardown: Teardown): Promise<void> {
  const devices = config().usbHotplug?.devices ?? [];
  if (devices.length === 0) return;
  const switchTo = (make: () => FrameSource, why: string): void => {
    let next: FrameSource;
    try {
      next = make();
    } catch (err) {
      return log.warn({ why, err: errorMessage(err) }, 'USB hotplug could not build the source');
    }
    void pipeline.switchSource(next).then(
      () => log.info({ why }, 'source switched by USB hotplug'),
      (err: unknown) => log.warn({ why, err: errorMessage(err) }, 'USB hotplug could not switch the source'),
    );
  };
  const configured = (): FrameSource => {
    const c = config();
    return createSource(c.source.driver, c.drivers[c.source.driver] ?? {}, c.source.id);
  };
  const hotplug = new UsbHotplug(
    await busEvents(),
    devices,
    (k) => switchTo(() => createSource(k.driver, k.settings), `${k.name} plugged in`),
    (k) => switchTo(configured, `${k.name} unplugged`),
  );
  hotplug.start();
  teardown.push('USB hotplug', () => hotplug.stop());
}

/**
 * Calibrations and regions an earlier version stored under `<driver>:<config.source.id>` recorded no device:
 * that key was shared by every source of the driver. The one of the configured source's driver is bound, once,
 * to the configured source's device (it was that source's key; the config file is what the earlier version
 * started with) and kept for it alone; a legacy entry of another driver is never applied (the status says so).
 */
export function adoptLegacyEntries(config: Config, baseDir: string, stores: ReadonlyArray<Pick<PerSourceJsonStore<never>, 'adoptLegacy' | 'file'>>, log: Log): void {
  const { driver, id } = config.source;
  const to = identityOf(driver, config.drivers[driver] ?? {}, baseDir).key;
  for (const store of stores) {
    try {
      if (store.adoptLegacy({ driver, id }, to)) log.info({ file: store.file, from: `${driver}:${id}`, to }, 'a setting saved by an earlier version is now kept for the configured device only');
    } catch (err) {
      log.warn({ file: store.file, err: errorMessage(err) }, `a setting saved by an earlier version under ${driver}:${id} could not be bound to ${to}; it is not applied`);
    }
  }
}
