/**
 * The printed report lists the clinician's own calipers with the capture's measurements (issue 18): GET
 * /api/exams/:id/report.pdf over a real encrypted SQLite file, read back by poppler, in English and French.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import errors from '../../src/server/plugins/errors.js';
import report from '../../src/server/plugins/report.js';
import type { Runtime } from '../../src/server/runtime.js';
import { tempDir } from '../helpers/tmp.js';

const popplerAvailable = existsSync('/usr/bin/pdftotext');

describe.skipIf(!popplerAvailable)("the report PDF lists the clinician's calipers", async () => {
  const dir = tempDir('sonoedge-report-cal-');
  const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
  const store = new ExamStore(db);
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'CAL-PDF' }, datingGaWeeks: 20, operator: 'midwife-a' });
  store.addCapture(
    exam.id,
    {
      frameSeq: 7, width: 64, height: 48, channels: 1, pixels: new Uint8Array(64 * 48), pixelSpacing: { x: 0.5, y: 0.5 }, region: { x: 0, y: 0, width: 64, height: 48 },
      results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 170 } as never }],
      clinicianMeasurements: [
        { kind: 'distance', points: [[0, 0], [30, 40]] }, // 50 px × 0.5 = 25 mm
        { kind: 'area', points: [[10, 10], [30, 10], [30, 20], [10, 20]] }, // 200 px² × 0.25 = 50 mm²
      ],
    },
    'dr-lea',
  );
  store.closeExam(exam.id, null);
  const app = Fastify();
  app.decorate('sono', { db } as unknown as Runtime);
  await app.register(errors, { features: [report] });
  await app.ready();
  afterAll(async () => {
    await app.close();
    db.close();
  });

  const text = async (lang: string): Promise<string> => {
    const r = await app.inject({ method: 'GET', url: `/api/exams/${exam.id}/report.pdf?lang=${lang}` });
    expect(r.statusCode).toBe(200);
    const file = join(dir, `${lang}.pdf`);
    writeFileSync(file, r.rawPayload);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  };

  it('in English: each distance and area with its value, unit and who measured it', async () => {
    const t = await text('en');
    expect(t).toMatch(/Distance \(clinician\) D1\s+—\s+25\.0 mm\s+measured by dr-lea/);
    expect(t).toMatch(/Area \(clinician\) A1\s+—\s+50\.0 mm²\s+measured by dr-lea/);
  });

  it('in French', async () => {
    const t = await text('fr');
    expect(t).toMatch(/Distance \(clinicien\) D1\s+—\s+25,0 mm\s+mesurée par dr-lea/);
    expect(t).toMatch(/Surface \(clinicien\) A1/);
  });
});
