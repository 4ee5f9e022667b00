import { type Static, Type as T } from '@sinclair/typebox';
import type { Calibration } from './calibration.js';
import { PerSourceJsonStore } from './per-source-store.js';
import type { SpacingOverride, SpacingSeen } from './spacing.js';

const Spacing = T.Object({ x: T.Number({ exclusiveMinimum: 0 }), y: T.Number({ exclusiveMinimum: 0 }) });
const Entry = T.Object({
  /** What the clinician gave (two points and a distance, or a spacing), kept to show and audit it. */
  calibration: T.Record(T.String(), T.Number()),
  pixelSpacing: Spacing,
  /** Size of the frames it was made on: a calibration in pixels means nothing at another size (one without applies to none). */
  frame: T.Optional(T.Object({ width: T.Integer({ minimum: 1 }), height: T.Integer({ minimum: 1 }) })),
  /** The device or input it was made on (source-identity.ts); absent on entries of earlier versions (legacy). */
  identity: T.Optional(T.String()),
  /** The clinician asked to replace the spacing the source declares with every frame. */
  override: T.Optional(T.Boolean()),
  /** The legacy `driver:id` key it was adopted from, when it was (src/app/sources.ts). */
  migratedFrom: T.Optional(T.String()),
  savedAt: T.String(),
});
export type StoredCalibration = Static<typeof Entry>;

export interface CalibrationInput {
  calibration: Calibration;
  pixelSpacing: { x: number; y: number };
  frame: { width: number; height: number };
  override?: boolean | undefined;
}

/** A fresh record of what the frames saw, before the first frame. */
export const noneSeen = (): SpacingSeen => ({ width: 0, height: 0, own: undefined, used: undefined, from: 'none', held: undefined });

/** Calibrations made in the UI, one per device or input (source-identity.ts), in `<dataDir>/calibration.json` (per-source-store.ts). */
export class CalibrationStore extends PerSourceJsonStore<typeof Entry> {
  constructor(file: string) {
    super(file, { entry: Entry, what: 'Calibration', fields: 'pixelSpacing, …' });
  }

  /**
   * Saves (or, with `undefined`, clears) the calibration of one device (`identityKey`); a legacy entry under
   * `legacyKey` goes in the same write. Throws when the file cannot be written, and then nothing changed.
   */
  set(identityKey: string, entry: CalibrationInput | undefined, legacyKey?: string): void {
    this.put(
      identityKey,
      entry && {
        calibration: { ...entry.calibration },
        pixelSpacing: { ...entry.pixelSpacing },
        frame: { ...entry.frame },
        identity: identityKey,
        ...(entry.override ? { override: true } : {}),
        savedAt: new Date().toISOString(),
      },
      legacyKey,
    );
  }

  /** What the admission applies for a device: its calibration, if any, and a record of what its frames saw. */
  spacingFor(identityKey: string, seen: SpacingSeen = noneSeen()): SpacingOverride {
    const e = this.get(identityKey);
    return e ? { pixelSpacing: { ...e.pixelSpacing }, frame: e.frame && { ...e.frame }, override: e.override === true, seen } : { seen };
  }
}
