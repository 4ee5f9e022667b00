import { closeSync, openSync, readSync } from 'node:fs';
import { colourFraction } from '../../analysis/signal.js';
import type { Flag } from '../../analysis/flags.js';
import type { Frame, PixelSpacing } from '../../capture/frame.js';
import { readDicomInput } from '../../../drivers/dicom/read-input.js';

/** True when the file is DICOM Part 10 ("DICM" after the 128-byte preamble), whatever its name. */
export function isDicomFile(file: string): boolean {
  const b = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return readSync(fd, b, 0, 4, 128) === 4 && b.toString('latin1') === 'DICM';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface DicomFrameInput {
  frame: Frame;
  flags: Flag[];
  colourFraction: number;
  index: number;
  frames: number;
}

/**
 * The frames of an ultrasound DICOM file for offline analysis, with the pixel size the file declares (the
 * Sequence of Ultrasound Regions, else Pixel Spacing: read as the dicom driver reads it); `fallback` (the
 * command line's pixel size) only when the file declares none. Colour frames are converted to gray here.
 * Read as the driver reads it (drivers/dicom/read-input.ts): without blocking, dcmdjpeg time-limited, a file
 * cut short refused, and every refusal a coded SONO_DICOM_* error that says what to do.
 */
export async function readDicomFrames(file: string, fallback: PixelSpacing | undefined, seq: number): Promise<DicomFrameInput[]> {
  const clip = await readDicomInput(file, { path: file });
  // a file with neither gets no spacing: the task's analysis then flags no-pixel-spacing and stays in pixels
  const spacing = clip.spacing ?? fallback;
  return clip.frames.map((data, index) => {
    const colour = clip.channels === 3 ? colourFraction(data, clip.width, 3, clip.region, 4) : 0;
    const gray = clip.channels === 1 ? data : toGray(data);
    const frame: Frame = {
      seq: seq + index,
      timestampMs: performance.now(),
      width: clip.width,
      height: clip.height,
      channels: 1,
      data: gray,
      pixelSpacing: spacing,
      sourceId: 'file',
      region: clip.region,
    };
    return { frame, flags: [], colourFraction: colour, index, frames: clip.frames.length };
  });
}

function toGray(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!);
  return out;
}
