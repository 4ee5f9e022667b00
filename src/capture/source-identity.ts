/**
 * What identifies the device or input behind a source, so that a calibration or an imaging region made on
 * one scanner, file or folder is never put in force on another (stored per identity: calibration-store.ts,
 * region-store.ts). `config.source.id` names the configured source, not a device: every source the daemon
 * switches to carries the same id, so it cannot be the key.
 *
 * Per driver, the settings that say which device or input it is (not how it is read: fps, loop, reconnect
 * times are not identity). Defaults are those of the drivers' settings schemas
 * (test/capture/source-identity.test.ts checks them against the schemas); a driver not listed here is
 * identified by all of its settings, so no two different configurations share a calibration.
 */
import { resolve } from 'node:path';

export interface SourceIdentity {
  driver: string;
  /** `<driver>@<what identifies it>`, e.g. `igtl@127.0.0.1:18944/US_Probe`, `dicom@/media/usb/case1`. */
  key: string;
}

type Settings = Record<string, unknown>;
const text = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const hex4 = (v: unknown): string => int(v, -1).toString(16).padStart(4, '0');

/** Same settings, same text, whatever the order of their keys. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Settings;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const crop = (v: unknown): string => {
  const c = v as { x?: unknown; y?: unknown; width?: unknown; height?: unknown } | undefined;
  return c && typeof c === 'object' ? `#crop=${int(c.x, 0)},${int(c.y, 0)},${int(c.width, 0)}x${int(c.height, 0)}` : '';
};

const IDENTITY: Readonly<Record<string, (s: Settings, baseDir: string) => string>> = {
  // a scanner on the network: its address, and the device name when only one of its streams is taken
  igtl: (s) => `${text(s.host, '127.0.0.1').toLowerCase()}:${int(s.port, 18944)}/${text(s.device, '*')}`,
  // a file or folder: its absolute path (relative ones are resolved against the config file's folder, as the driver does)
  dicom: (s, base) => resolve(base, text(s.path, '')),
  replay: (s, base) => resolve(base, text(s.path, '')),
  // a capture card: its device node (or the ffmpeg input that replaces it) and the part of the picture taken
  v4l2: (s) => (Array.isArray(s.ffmpegInput) ? `ffmpeg:${canonicalJson(s.ffmpegInput)}` : text(s.device, '/dev/video0')) + crop(s.crop),
  usb: (s) => `${hex4(s.vendorId)}:${hex4(s.productId)}/if${int(s.interface, 0)}/ep${int(s.endpoint, 1)}`,
  // one generated probe; its settings change the picture (and the spacing it declares), not the device
  simulated: () => 'simulated',
};

export function identityOf(driver: string, settings: Settings, baseDir: string): SourceIdentity {
  const of = IDENTITY[driver];
  return { driver, key: `${driver}@${of ? of(settings, baseDir) : canonicalJson(settings)}` };
}

const known = new WeakMap<object, SourceIdentity>();

/** Records the identity of a source built from its settings (the daemon's createSource does it for every source). */
export function rememberIdentity<S extends object>(source: S, identity: SourceIdentity): S {
  known.set(source, identity);
  return source;
}

/**
 * The identity of a source. One the daemon did not build (a test's or an embedder's own source object) is
 * known only by driver and id, the key of earlier versions (`<driver>:<id>`); what is saved for it records
 * that key as its identity, so it is never taken for a legacy entry (per-source-store.ts).
 */
export function identityOfSource(source: { driver: string; id: string }): SourceIdentity {
  return known.get(source) ?? { driver: source.driver, key: `${source.driver}:${source.id}` };
}
