import type { PixelSpacing } from './frame.js';

/** What the last frame of the current source declared and went on with (written by the admission, read by the status). */
export interface SpacingSeen {
  width: number;
  height: number;
  /** The spacing the source itself gave the frame (a scanner's IMAGE header, a DICOM file, a configured one). */
  own: PixelSpacing | undefined;
  /** The spacing the frame went on with, and where it came from. */
  used: PixelSpacing | undefined;
  from: 'calibration' | 'depth-scale' | 'source' | 'none';
  /** Why the stored calibration was not put on it: made on another frame size (or none), or the source declares its own. */
  held: 'frame-size' | 'source-declares' | undefined;
}

/**
 * A source's calibration: the spacing, and the frame size it was made on (other sizes keep their own; one
 * with no size applies to none). Frames that declare their own spacing keep it unless `override` (the
 * clinician asked to replace it). Without `pixelSpacing`, the source has none and the object only carries `seen`.
 */
export interface SpacingOverride {
  pixelSpacing?: PixelSpacing | undefined;
  frame?: { width: number; height: number } | undefined;
  override?: boolean | undefined;
  seen?: SpacingSeen | undefined;
}
