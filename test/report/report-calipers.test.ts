/**
 * The printed report lists the clinician's own calipers with the capture's measurements (issue 18), and says
 * when a head value was corrected to the AI's own value (the clinician moved or turned the outline): GET
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
  const capture = store.addCapture(
    exam.id,
    {
      frameSeq: 7, width: 64, height: 48, channels: 1, pixels: new Uint8Array(64 * 48), pixelSpacing: { x: 0.5, y: 0.5 }, region: { x: 0, y: 0, width: 64, height: 48 },
      results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 170, bpdMm: 45, ofdMm: 60 } as never }],
      clinicianMeasurements: [
        { kind: 'distance', points: [[0, 0], [30, 40]] }, // 50 px × 0.5 = 25 mm
        { kind: 'area', points: [[10, 10], [30, 10], [30, 20], [10, 20]] }, // 200 px² × 0.25 = 50 mm²
      ],
    },
    'dr-lea',
  );
  // HC corrected to the AI's own value (the ellipse moved, as the live review records it: obstetric.ts decide)
  const hc = capture.measurements.find((m) => m.kind === 'hc')!;
  store.decide(hc.id, { decision: 'corrected', value: hc.aiValue!, geometry: { ellipse: { cx: 30, cy: 24, semiMajor: 20, semiMinor: 15, angleDeg: 10 } }, by: 'dr-lea' });
  store.decide(capture.measurements.find((m) => m.kind === 'bpd')!.id, { decision: 'corrected', value: 46.2, by: 'dr-lea' });
  // OFD "corrected" to its AI value with no ellipse (typed, or a script through the API): nothing moved, no note
  const ofd = capture.measurements.find((m) => m.kind === 'ofd')!;
  store.decide(ofd.id, { decision: 'corrected', value: ofd.aiValue!, by: 'dr-lea' });
  store.closeExam(exam.id, null);
  const app = Fastify();
  app.decorate('sono', { db } as unknown as Runtime);
  await app.register(errors, { features: [report] });
  await app.ready();
  afterAll(async () => {
    await app.close();
    db.close();
  });

  /** `phrase` as a pattern that lets the PDF's column wrap it between any two words. */
  const words = (phrase: string): RegExp => new RegExp(phrase.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));

  const text = async (lang: string): Promise<string> => {
    const r = await app.inject({ method: 'GET', url: `/api/exams/${exam.id}/report.pdf?lang=${lang}` });
    expect(r.statusCode).toBe(200);
    const file = join(dir, `${lang}.pdf`);
    writeFileSync(file, r.rawPayload);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  };

  it('in English: each distance and area with its value, unit and who measured it; a head value corrected to its AI value says the outline moved', async () => {
    const t = await text('en');
    expect(t).toMatch(/Distance \(clinician\) D1\s+—\s+25\.0 mm\s+measured by dr-lea/);
    expect(t).toMatch(/Area \(clinician\) A1\s+—\s+50\.0 mm²\s+measured by dr-lea/);
    // HC corrected to its AI value: the outline moved, said in the decision; BPD corrected to another value: no such note
    expect(t).toMatch(words('HC 170.0 mm 170.0 mm corrected by dr-lea (outline moved, value unchanged)'));
    expect(t).toMatch(/BPD\s+45\.0 mm\s+46\.2 mm\s+corrected by dr-lea\n/);
    expect(t).toMatch(/OFD\s+60\.0 mm\s+60\.0 mm\s+corrected by dr-lea\n/);
  });

  it('in French, the outline note too', async () => {
    const t = await text('fr');
    expect(t).toMatch(/Distance \(clinicien\) D1\s+—\s+25,0 mm\s+mesurée par dr-lea/);
    expect(t).toMatch(/Surface \(clinicien\) A1/);
    expect(t).toMatch(words('PC 170,0 mm 170,0 mm corrigé par dr-lea (contour déplacé, valeur inchangée)'));
  });
});
