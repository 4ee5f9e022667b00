/**
 * How the SR names an image the gate holds (issue 21): the report references every image its measurements
 * came from under the one SOP Instance UID that image keeps whether it is held, released as it is or masked
 * and released, so a released image completes the reference; the evidence lists it, and a comment says how
 * many images the PACS will not get until a technician releases them (held at once: no imaging region).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImagingRegion } from '../../src/capture/frame.js';
import { imageOf, rewritePayload } from '../../src/ocr/payload-pixels.js';
import { openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { US_IMAGE_STORAGE } from '../../src/sync/us-image.js';
import { tempDir } from '../helpers/tmp.js';

type Item = { ValueType?: string; ConceptNameCodeSequence?: Array<{ CodeValue: string }>; ContentSequence?: Item[]; ReferencedSOPSequence?: Array<{ ReferencedSOPInstanceUID: string }>; TextValue?: string };
const walk = (items: Item[] | undefined, fn: (i: Item) => void): void => items?.forEach((i) => (fn(i), walk(i.ContentSequence, fn)));

describe('held images in the SR', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'r.db'), 'c'.repeat(64));
  const store = new ExamStore(db);
  const w = 160;
  const h = 120;
  const result = { modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1 } as never };
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'MRN-1' } });
  const set: ImagingRegion = { x: 10, y: 10, width: 140, height: 100, origin: 'set' };
  const unset: ImagingRegion = { x: 0, y: 0, width: w, height: h, origin: 'unset' };
  store.addCapture(exam.id, { frameSeq: 1, width: w, height: h, channels: 1, pixels: new Uint8Array(w * h).fill(60), pixelSpacing: { x: 0.3, y: 0.3 }, region: set, results: [result] }, null);
  store.addCapture(exam.id, { frameSeq: 2, width: w, height: h, channels: 1, pixels: new Uint8Array(w * h).fill(70), pixelSpacing: { x: 0.3, y: 0.3 }, region: unset, results: [result] }, null);
  const closed = store.closeExam(exam.id, null);
  const instances = buildExamInstances(closed, (id) => store.capturePixels(id), { secret: 's', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0', deidentified: true });
  const rawImages = instances.filter((i) => i.sopClassUid === US_IMAGE_STORAGE && i.dataset.SeriesNumber === 1);
  const held = rawImages.find((i) => i.gate && 'hold' in i.gate)!;
  const sent = rawImages.find((i) => i.gate && 'check' in i.gate)!;
  const srs = instances.filter((i) => i.sopClassUid === COMPREHENSIVE_SR);

  it('every SR references the held image by the UID it is held under, and lists it in the evidence', () => {
    expect(held.gate).toMatchObject({ hold: { code: 'SONO_REGION_NOT_SET' } });
    expect(srs.length).toBe(2); // TID 1500 and TID 5000
    for (const sr of srs) {
      const refs = new Set<string>();
      walk(sr.dataset.ContentSequence as Item[], (i) => i.ValueType === 'IMAGE' && i.ReferencedSOPSequence?.forEach((r) => refs.add(r.ReferencedSOPInstanceUID)));
      expect([...refs].sort()).toEqual([held.sopInstanceUid, sent.sopInstanceUid].sort());
      const evidence = JSON.stringify(sr.dataset.CurrentRequestedProcedureEvidenceSequence);
      expect(evidence).toContain(held.sopInstanceUid);
    }
  });

  it('the TID 1500 report says one image is withheld until a technician releases it', () => {
    const comments: string[] = [];
    walk(srs.find((s) => JSON.stringify(s.dataset.ContentTemplateSequence).includes('1500'))!.dataset.ContentSequence as Item[], (i) => {
      if (i.ConceptNameCodeSequence?.[0]?.CodeValue === '121106' && i.TextValue) comments.push(i.TextValue);
    });
    expect(comments.some((c) => c.startsWith('1 image(s) withheld'))).toBe(true);
  });

  it('a release, as it is or masked, keeps the UID the SR names', () => {
    const img = imageOf(held.bytes);
    for (const payload of [rewritePayload(img, [], 'YES'), rewritePayload(img, [{ x: 0, y: 0, width: w, height: 10 }], 'NO')]) {
      expect(imageOf(payload).dataset.SOPInstanceUID).toBe(held.sopInstanceUid);
    }
  });
});
