import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { DicomSource, readDicomClip } from '../../drivers/dicom/dicom.js';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { tempDir } from '../helpers/tmp.js';

/** An Ultrasound Multi-frame Image of `n` simulated frames, 50 ms apart, spacing in the US regions. */
function writeCine(file: string, n: number): { spacingMm: number; frames: Uint8Array[] } {
  const p = new SimulatedProbe('p', { width: 160, height: 120, depthMm: 60 });
  p.prepare();
  const frames = Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(160 * 120);
    p.render(i * 3, b);
    return b;
  });
  const all = new Uint8Array(160 * 120 * n);
  frames.forEach((f, i) => all.set(f, i * 160 * 120));
  const study = { studyInstanceUid: newUid(), studyDate: '20260101', studyTime: '120000', studyId: '', accessionNumber: '', patient: { name: 'X', id: 'X', birthDate: '', sex: '' }, deviceSerial: 'x', softwareVersion: '0' };
  const ds = buildUsImage(study, { seriesInstanceUid: newUid(), seriesNumber: 1, sopInstanceUid: newUid(), instanceNumber: 1, contentDate: '20260101', contentTime: '120000', width: 160, height: 120, pixels: all, region: p.region, pixelSpacingMm: { x: p.pixelSpacingMm, y: p.pixelSpacingMm }, derived: false, seriesDescription: 'cine', burnedInAnnotation: 'NO' });
  Object.assign(ds, { SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1', NumberOfFrames: n, FrameTime: 50, FrameIncrementPointer: 0x00181063 });
  writeFileSync(file, writePart10(ds));
  return { spacingMm: p.pixelSpacingMm, frames };
}

describe('dicom driver', () => {
  const dir = tempDir();

  it('reads a multi-frame ultrasound file: frames, spacing from the ultrasound regions, frame time', () => {
    const { spacingMm, frames } = writeCine(join(dir, 'cine.dcm'), 6);
    const clip = readDicomClip(join(dir, 'cine.dcm'));
    expect(clip.frames.length).toBe(6);
    expect(clip.frames[3]).toEqual(frames[3]);
    expect(clip.spacing!.x).toBeCloseTo(spacingMm, 6);
    expect(clip.frameTimeMs).toBe(50);
  });

  it('plays it at its frame time, looping', async () => {
    writeCine(join(dir, 'loop.dcm'), 4);
    const src = new DicomSource('d', { path: join(dir, 'loop.dcm') });
    const got: Frame[] = [];
    const t0 = performance.now();
    await new Promise<void>((resolve) => void src.start((f) => {
      got.push({ ...f, data: f.data.slice() });
      if (got.length === 9) void src.stop().then(resolve);
    }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(8 * 50 - 20);
    expect(got[4]!.data).toEqual(got[0]!.data); // looped
    expect(got[0]!.pixelSpacing).toBeDefined();
  });

  it('names an unreadable file and refuses a folder with nothing playable', async () => {
    writeFileSync(join(dir, 'junk.dcm'), 'not dicom');
    expect(() => readDicomClip(join(dir, 'junk.dcm'))).toThrow(/junk\.dcm is not a readable DICOM file/);
    const only = tempDir();
    writeFileSync(join(only, 'junk.dcm'), 'nope');
    await expect(new DicomSource('d', { path: only }).start(() => {})).rejects.toThrow(/No playable DICOM .*junk\.dcm/);
  });
});
