/** Test inputs for DICOM reading: a real Part 10 Ultrasound Multi-frame Image written by sonoedge's own US writer. */
import { writeFileSync } from 'node:fs';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';

/** `n` frames of `w`×`h` gray (each a different pattern), 33 ms apart, 0.2 mm pixels; returns the pixel bytes written. */
export function writeCine(file: string, n: number, w = 160, h = 120): number {
  const all = new Uint8Array(w * h * n).map((_, i) => ((i % w) + Math.floor(i / w) * 3 + Math.floor(i / (w * h)) * 40) % 251);
  const study = {
    studyInstanceUid: newUid(),
    studyDate: '20260101',
    studyTime: '120000',
    studyId: '',
    accessionNumber: '',
    patient: { name: 'X', id: 'X', birthDate: '', sex: '' },
    deviceSerial: 'x',
    softwareVersion: '0',
  };
  const ds = buildUsImage(study, {
    seriesInstanceUid: newUid(),
    seriesNumber: 1,
    sopInstanceUid: newUid(),
    instanceNumber: 1,
    contentDate: '20260101',
    contentTime: '120000',
    width: w,
    height: h,
    pixels: all,
    region: { x: 0, y: 0, width: w, height: h },
    pixelSpacingMm: { x: 0.2, y: 0.2 },
    derived: false,
    seriesDescription: 'cine',
    burnedInAnnotation: 'NO',
  });
  Object.assign(ds, { SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1', NumberOfFrames: n, FrameTime: 33, FrameIncrementPointer: 0x00181063 });
  writeFileSync(file, writePart10(ds));
  return all.length;
}
