/**
 * An obstetric exam whose export holds every kind of instance and everything a writer can put in one: raw
 * and overlay US images, a US multi-frame clip, the TID 1500 and TID 5000 reports in a signed later revision
 * (a decision made after closing, with its comment), a corrected HC, a clinician's own caliper, a verifier
 * with an organization. The de-identification tests build it with each option.
 */
import { join } from 'node:path';
import type { StoredClip } from '../../src/records/clip-store.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { decideMeasurement } from '../../src/records/late-decision.js';
import type { Exam } from '../../src/records/types.js';
import { type DicomInstance, type ExportOptions, buildExamInstances } from '../../src/sync/export-exam.js';

export const W = 320;
export const H = 240;
export const REGION = { x: 40, y: 30, width: 240, height: 200 };
/** Who and what the exam names: none of it may leave de-identified. */
export const NAMES = { patient: 'DOE^JANE', patientId: 'DATES-1', decider: 'Dr Alice Martin', late: 'Dr Bob Stone', signer: 'Dr Ada Byron', organization: 'Maternity unit St Olaf', serial: 'SN-1' };

export interface EveryKindExam {
  store: ExamStore;
  exam: Exam;
  clip: StoredClip;
  late: { revision: number; at: Date; notes: string[] };
  signedAt: Date;
  build: (o: Pick<ExportOptions, 'dates' | 'deidentified'> & { secret?: string }) => DicomInstance[];
}

export function everyKindExam(dir: string): EveryKindExam {
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const store = new ExamStore(db);
  const px = new Uint8Array(W * H);
  for (let y = REGION.y; y < REGION.y + REGION.height; y++) for (let x = REGION.x; x < REGION.x + REGION.width; x++) px[y * W + x] = ((x * 7 + y * 3) % 200) + 20;
  const open = store.createExam({ patient: { name: NAMES.patient, id: NAMES.patientId, birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
  const cap = store.addCapture(
    open.id,
    {
      frameSeq: 1,
      width: W,
      height: H,
      channels: 1,
      pixels: px,
      pixelSpacing: { x: 0.3, y: 0.3 },
      region: REGION,
      results: [
        {
          modelId: 'fetal-head',
          modelVersion: '1.0.0',
          provider: 'cpu',
          result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 } } as never,
        },
      ],
      clinicianMeasurements: [
        {
          kind: 'distance',
          points: [
            [60, 60],
            [120, 140],
          ],
        },
      ],
    },
    NAMES.decider,
  );
  store.decide(cap.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'corrected', value: 178.4, by: NAMES.decider });
  store.closeExam(open.id, null);
  let late: EveryKindExam['late'] | undefined;
  decideMeasurement(db, store, cap.measurements.find((m) => m.kind === 'bpd')!.id, { decision: 'confirmed', by: NAMES.late }, (_exam, revision, at, notes) => {
    late = { revision, at, notes };
    return undefined;
  });
  const exam = store.getExam(open.id);
  const clip: StoredClip = {
    id: 'clip-1',
    createdAt: new Date(Date.parse(exam.createdAt) + 5_000).toISOString(),
    width: 64,
    height: 48,
    channels: 1,
    frameCount: 3,
    timestampsMs: [1000, 1033.3, 1066.6],
    region: { x: 8, y: 4, width: 48, height: 40, origin: 'set' },
    pixelSpacing: { x: 0.3, y: 0.3 },
    pixels: new Uint8Array(64 * 48 * 3).fill(90),
  };
  const signedAt = new Date('2026-03-04T10:20:30Z');
  const build: EveryKindExam['build'] = (o) =>
    buildExamInstances(exam, (id) => store.capturePixels(id), {
      secret: o.secret ?? 'dates-secret',
      deviceSerial: NAMES.serial,
      softwareVersion: '0.1.0',
      clips: [clip],
      report: { revision: late!.revision, at: late!.at, notes: late!.notes, verification: { observerName: NAMES.signer, organization: NAMES.organization, at: signedAt } },
      dates: o.dates,
      deidentified: o.deidentified,
    });
  return { store, exam, clip, late: late!, signedAt, build };
}
