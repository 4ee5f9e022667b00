/**
 * One DICOM input file read for playing (the dicom driver) or measuring (`sonoedge analyze`): the frames,
 * or the coded SONO_DICOM_* error that says what to do (input-errors.ts). A file cut short is refused here
 * (truncation.ts), never read with its missing pixels as black.
 */
import { type DicomClip, readDicomClipAsync } from '../../src/capture/dicom-image.js';
import type { SonoError } from '../../src/errors.js';
import { cutShort, dicomInputError } from './input-errors.js';
import { pixelDataCut } from './truncation.js';

/**
 * `file`'s frames, refused when they would take more than `leftBytes` (what is left of the `budgetBytes`
 * of the file or folder `path` being played: both named in the message); no limit when not given.
 */
export async function readDicomInput(file: string, play: { path: string; budgetBytes?: number; leftBytes?: number }): Promise<DicomClip> {
  try {
    const clip = await readDicomClipAsync(file, play.leftBytes);
    const px = clip.width * clip.height * clip.channels * clip.frames.length; // 8 bits a sample; 16-bit files hold twice
    const cut = await pixelDataCut(file, [px, 2 * px]);
    if (cut) throw cutShort(file, cut);
    return clip;
  } catch (err) {
    throw dicomInputError(file, err, { path: play.path, budgetBytes: play.budgetBytes ?? Number.POSITIVE_INFINITY }) satisfies SonoError;
  }
}
