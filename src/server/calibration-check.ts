import { spacingFromCalibration } from '../capture/calibration.js';
import { CalibrationStore, type StoredCalibration } from '../capture/calibration-store.js';
import type { PixelSpacing } from '../capture/frame.js';
import { identityOfSource } from '../capture/source-identity.js';
import type { SpacingOverride, SpacingSeen } from '../capture/spacing.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { CalibrationBody, SpacingDto } from '../protocol/rest/system.js';
import { checkPoint, checkSpacing } from '../records/checks.js';

/** Two calibration points closer than this (pixels) measure nothing reliably. */
export const MIN_CALIBRATION_PIXELS = 4;

/**
 * The spacing a calibration sets, range-checked against the frame it was made on: a frame there (its size is
 * what the calibration holds for), points inside it, far enough apart, and a spacing a scanner can have.
 * Refused (coded, nothing stored) otherwise.
 */
export function spacingOfCalibration(c: Exclude<CalibrationBody, { clear: true }>, frame: { width: number; height: number } | undefined): PixelSpacing {
  try {
    // a calibration holds for frames of the size it was made on: with no frame yet there is none to name
    if (!frame)
      throw new SonoError(
        ErrorCodes.CALIBRATION_INVALID,
        'No frame has arrived yet from this source: a calibration is made on its live image and holds for frames of that size; wait for the live image and calibrate again',
      );
    if ('x1' in c) {
      checkPoint(c.x1, c.y1, frame, 'The first calibration point');
      checkPoint(c.x2, c.y2, frame, 'The second calibration point');
      const px = Math.hypot(c.x2 - c.x1, c.y2 - c.y1);
      if (!(px >= MIN_CALIBRATION_PIXELS)) {
        throw new SonoError(
          ErrorCodes.CALIBRATION_INVALID,
          `Two-point calibration needs two different points at least ${MIN_CALIBRATION_PIXELS} pixels apart; these are ${px} pixels apart. Mark both ends of a known distance`,
          { details: { pixels: px } },
        );
      }
    }
    const sp = spacingFromCalibration(c)!;
    checkSpacing(sp, 'The calibrated spacing');
    return sp;
  } catch (err) {
    if (err instanceof SonoError) throw new SonoError(ErrorCodes.CALIBRATION_INVALID, err.message, { cause: err, ...(err.details ? { details: err.details } : {}) });
    throw new SonoError(ErrorCodes.CALIBRATION_INVALID, errorMessage(err), { cause: err });
  }
}

/** A spacing in words (three significant digits: a scanner's float32 0.2 is 0.20000000298…). */
export const mm = (s: PixelSpacing): string => (s.x === s.y ? `${s.x.toPrecision(3)} mm/px` : `${s.x.toPrecision(3)} × ${s.y.toPrecision(3)} mm/px`);

/** Why the stored calibration is not in force for the source's frames, in words, or null. */
function notApplied(src: { driver: string; id: string }, e: StoredCalibration | undefined, legacy: StoredCalibration | undefined, seen: SpacingSeen | undefined): SpacingDto['notApplied'] {
  const key = identityOfSource(src).key;
  if (!e && legacy) {
    return {
      reason: 'legacy-unbound',
      message: `A calibration saved by an earlier version under "${CalibrationStore.keyOf(src)}" (${mm(legacy.pixelSpacing)}) is not applied to ${key}: that version did not record which device it was made on, and it was not the configured source's. Calibrate this source again, or clear it`,
    };
  }
  if (!e) return null;
  if (!e.frame)
    return {
      reason: 'no-frame-size',
      message: `The stored calibration (${mm(e.pixelSpacing)}) was saved before any frame had arrived, so it applies to no frame size; calibrate again on the live image`,
    };
  if (seen?.held === 'source-declares' && seen.own) {
    return {
      reason: 'source-declares-spacing',
      message: `The stored calibration (${mm(e.pixelSpacing)}) is not in force: ${key} declares its own spacing (${mm(seen.own)}) with every frame. Save the calibration again with override: true to replace it on purpose`,
    };
  }
  if (seen?.held === 'frame-size') {
    return {
      reason: 'other-frame-size',
      message: `The stored calibration was made on ${e.frame.width}×${e.frame.height} frames; these are ${seen.width}×${seen.height} and keep the source's own spacing`,
    };
  }
  return null;
}

/** GET /api/source/calibration: the calibration of the current source, what the frames go on with, and why. */
export function calibrationStatus(src: { driver: string; id: string } | undefined, o: SpacingOverride | undefined, store: CalibrationStore | undefined): SpacingDto {
  if (!src) return { pixelSpacing: null };
  const key = identityOfSource(src).key;
  const e = store?.get(key);
  const seen = o?.seen;
  const inForce = o?.pixelSpacing && o.frame && seen?.held !== 'source-declares' ? o : undefined;
  return {
    pixelSpacing: inForce?.pixelSpacing ?? null,
    ...(inForce?.frame ? { frame: inForce.frame } : {}),
    source: key,
    inUse: seen && seen.width > 0 ? { pixelSpacing: seen.used ?? null, from: seen.from, frame: { width: seen.width, height: seen.height } } : null,
    sourceDeclares: (seen && seen.width > 0 && seen.own) || null,
    stored: e ? { pixelSpacing: e.pixelSpacing, frame: e.frame ?? null, override: e.override === true, savedAt: e.savedAt, migratedFrom: e.migratedFrom ?? null } : null,
    notApplied: notApplied(src, e, store?.legacy(src), seen),
  };
}

/**
 * The spacing the source declared on the newest frame, seen on the bus, for a pipeline whose admission keeps
 * no record of it (no `seen`: one built without the daemon's calibrationFor). With no calibration and no
 * depth-scale taps in force for its size, the bus carries the source's own spacing.
 */
export function ownSpacingOnBus(
  f: { width: number; height: number; pixelSpacing: PixelSpacing | undefined } | undefined,
  p: { spacingOverride: SpacingOverride | undefined; regionOverride: { frame: { width: number; height: number }; pixelSpacing?: PixelSpacing | undefined } | undefined },
): PixelSpacing | undefined {
  if (!f) return undefined;
  const same = (s: { width: number; height: number } | undefined): boolean => s?.width === f.width && s.height === f.height;
  const o = p.spacingOverride;
  if ((o?.pixelSpacing && same(o.frame)) || (p.regionOverride?.pixelSpacing && same(p.regionOverride.frame))) return undefined; // cannot tell

  return f.pixelSpacing;
}

/**
 * The spacing the current source declares on its frames of size `f` (undefined: none, or it cannot be told): what
 * the admission recorded of this source's newest frame, else the newest frame on the bus (ownSpacingOnBus).
 * Depth-scale taps or a calibration would replace it: the person is asked first, and the routes want it said.
 */
export function declaredSpacingOf(f: { width: number; height: number; pixelSpacing: PixelSpacing | undefined } | undefined, p: Parameters<typeof ownSpacingOnBus>[1]): PixelSpacing | undefined {
  const seen = p.spacingOverride?.seen;
  if (seen && seen.width > 0) return f && (seen.width !== f.width || seen.height !== f.height) ? undefined : seen.own;
  return ownSpacingOnBus(f, p);
}
