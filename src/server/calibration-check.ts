import { spacingFromCalibration } from '../capture/calibration.js';
import type { PixelSpacing } from '../capture/frame.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { CalibrationBody } from '../protocol/rest/system.js';
import { checkPoint, checkSpacing } from '../records/checks.js';

/** Two calibration points closer than this (pixels) measure nothing reliably. */
export const MIN_CALIBRATION_PIXELS = 4;

/**
 * The spacing a calibration sets, range-checked against the frame it was made on: points inside the frame,
 * far enough apart, and a spacing a scanner can have. Refused (coded, nothing stored) otherwise.
 */
export function spacingOfCalibration(c: Exclude<CalibrationBody, { clear: true }>, frame: { width: number; height: number } | undefined): PixelSpacing {
  try {
    if ('x1' in c) {
      if (!frame) throw new SonoError(ErrorCodes.CALIBRATION_INVALID, 'No frame has arrived yet to place the two points on; wait for the live image and calibrate again');
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
