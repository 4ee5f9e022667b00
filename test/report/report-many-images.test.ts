/**
 * GET /api/exams/:id/report.pdf of a 64-capture exam, every capture reviewed (real encrypted SQLite, the real
 * report plugin, the PDF laid out on its worker thread and read back by poppler): the report shows the first
 * 24 images and says how many more the record holds, in English and French; every capture's values are
 * still listed. Before, it embedded all 64 images.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { MAX_REPORT_IMAGES } from '../../src/report/build-report.js';
import errors from '../../src/server/plugins/errors.js';
import report from '../../src/server/plugins/report.js';
import type { Runtime } from '../../src/server/runtime.js';
import { tempDir } from '../helpers/tmp.js';

const N = 64;
const popplerAvailable = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfimages');

describe.skipIf(!popplerAvailable)('the report of a long exam', async () => {
  const dir = tempDir('sonoedge-report-many-');
  const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
  const store = new ExamStore(db);
  const w = 320;
  const h = 240;
  const px = new Uint8Array(w * h);
  for (let i = 0; i < px.length; i++) px[i] = (i * 13) % 251;
  const exam = store.createExam({ patient: { name: 'ROE^MARY', id: 'MANY-1', birthDate: '19910305', sex: 'F' }, datingGaWeeks: 21 });
  for (let i = 0; i < N; i++) {
    const cap = store.addCapture(
      exam.id,
      {
        frameSeq: i,
        width: w,
        height: h,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.3, y: 0.3 },
        region: { x: 40, y: 30, width: 240, height: 200 },
        results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 170 + i / 10, gaWeeks: 20.1 } as never }],
      },
      null,
    );
    store.decide(cap.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
  }
  store.closeExam(exam.id, null);
  const app = Fastify();
  app.decorate('sono', { db } as unknown as Runtime);
  await app.register(errors, { features: [report] });
  await app.ready();
  afterAll(async () => {
    await app.close();
    db.close();
  });

  const read = async (lang: string): Promise<{ text: string; images: number }> => {
    const r = await app.inject({ method: 'GET', url: `/api/exams/${exam.id}/report.pdf?lang=${lang}` });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    const file = join(dir, `r-${lang}.pdf`);
    writeFileSync(file, r.rawPayload);
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').length - 2;
    return { text: execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }), images };
  };

  it(`shows ${MAX_REPORT_IMAGES} of the ${N} reviewed images and says how many more; every capture is listed`, async () => {
    expect(MAX_REPORT_IMAGES).toBe(24);
    const en = await read('en');
    expect(en.images).toBe(MAX_REPORT_IMAGES);
    expect(en.text).toContain(`+${N - MAX_REPORT_IMAGES} more images in the exam record`);
    for (let i = 1; i <= N; i++) expect(en.text).toContain(`Capture ${i} ·`);
    const fr = await read('fr');
    expect(fr.images).toBe(MAX_REPORT_IMAGES);
    expect(fr.text).toContain(`+${N - MAX_REPORT_IMAGES} autres images dans le dossier de l'examen`);
  });
});
