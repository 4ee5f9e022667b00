import { type Static, Type as T } from '@sinclair/typebox';
import type { Calibration } from './calibration.js';
import { PerSourceJsonStore } from './per-source-store.js';

const Spacing = T.Object({ x: T.Number({ exclusiveMinimum: 0 }), y: T.Number({ exclusiveMinimum: 0 }) });
const Entry = T.Object({
  /** What the clinician gave (two points and a distance, or a spacing), kept to show and audit it. */
  calibration: T.Record(T.String(), T.Number()),
  pixelSpacing: Spacing,
  /** Size of the frames it was made on: a calibration in pixels means nothing at another size. */
  frame: T.Optional(T.Object({ width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) })),
  savedAt: T.String(),
});
export type StoredCalibration = Static<typeof Entry>;

/** Calibrations made in the UI, one per source (driver + id), in `<dataDir>/calibration.json` (per-source-store.ts). */
export class CalibrationStore extends PerSourceJsonStore<typeof Entry> {
  constructor(file: string) {
    super(file, { entry: Entry, what: 'Calibration', fields: 'pixelSpacing, …' });
  }

  /** Saves (or, with `undefined`, clears) the calibration of one source; throws when the file cannot be written. */
  set(key: string, entry: { calibration: Calibration; pixelSpacing: { x: number; y: number }; frame?: { width: number; height: number } | undefined } | undefined): void {
    this.put(
      key,
      entry && { calibration: { ...entry.calibration }, pixelSpacing: { ...entry.pixelSpacing }, ...(entry.frame ? { frame: { ...entry.frame } } : {}), savedAt: new Date().toISOString() },
    );
  }
}
