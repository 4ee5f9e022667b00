import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intergrowthHcAtCentile } from '../../src/analysis/biometry.js';
import { type Db, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import type { Exam } from '../../src/records/types.js';
import errors from '../../src/server/plugins/errors.js';
import report from '../../src/server/plugins/report.js';
import type { Runtime } from '../../src/server/runtime.js';
import { makeClosedBreastExam } from '../helpers/breast-exam-fixture.js';
import { makeClosedExam, PLANTED } from '../helpers/exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const popplerAvailable = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdffonts');

describe.skipIf(!popplerAvailable)('GET /api/exams/:id/report.pdf (real encrypted SQLite, PDF read back by poppler)', () => {
  const dir = tempDir('sonoedge-report-');
  let db: Db;
  let app: FastifyInstance;
  let obstetric: Exam;
  let breast: Exam;
  let earlierHc: number;

  beforeAll(async () => {
    db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
    // an earlier visit of the same patient at 16 weeks on the 90th centile: the fixture's 178.4 mm at
    // 21 weeks (z -0.79) is then a fall of the z-score by more than 1, which the report must flag
    const store = new ExamStore(db);
    earlierHc = intergrowthHcAtCentile(16, 90);
    const earlier = store.createExam({ patient: { name: PLANTED.name, id: PLANTED.id, birthDate: PLANTED.birthDate, sex: 'F' }, datingGaWeeks: 16, operator: 'midwife-a' });
    const cap = store.addCapture(earlier.id, {
      frameSeq: 3, width: 8, height: 8, channels: 1, pixels: new Uint8Array(64), pixelSpacing: { x: 0.3, y: 0.3 }, region: { x: 0, y: 0, width: 8, height: 8 },
      results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: earlierHc } as never }],
    }, 'midwife-a');
    store.decide(cap.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
    obstetric = makeClosedExam(db).exam;
    breast = makeClosedBreastExam(db).exam;
    app = Fastify();
    app.decorate('sono', { db } as unknown as Runtime);
    await app.register(errors, { features: [report] });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    db?.close();
  });

  /** Fetches the report, writes it to a file, and answers what poppler reads from it. */
  async function pdf(url: string, headers: Record<string, string> = {}): Promise<{ text: string; fonts: string; pages: number; images: number; contentType: string }> {
    const r = await app.inject({ method: 'GET', url, headers });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    const file = join(dir, `r-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(file, r.rawPayload);
    const run = (cmd: string, ...args: string[]): string => execFileSync(cmd, [...args, file, ...(cmd === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo'))![1]);
    const images = run('pdfimages', '-list').trim().split('\n').length - 2;
    return { text: run('pdftotext', '-layout', '-enc', 'UTF-8'), fonts: run('pdffonts'), pages, images, contentType: String(r.headers['content-type']) };
  }

  it('prints the obstetric exam in English: patient, exam, each value with its decision said plainly, GA, growth flag, footer', async () => {
    const r = await pdf(`/api/exams/${obstetric.id}/report.pdf`);
    expect(r.contentType).toBe('application/pdf');
    expect(r.pages).toBe(1);
    const t = r.text;
    expect(t).toContain('Ultrasound examination report');
    expect(t).toContain('DOE, JANE');
    expect(t).toContain(PLANTED.id);
    expect(t).toContain('14 Feb 1990');
    expect(t).toMatch(/Exam type: Obstetric/);
    expect(t).toMatch(/Operator: midwife-a/);
    expect(t).toMatch(/Dating GA: 21 w 0 d/);
    // each row holds its own AI value, final value and decision
    expect(t).toMatch(/HC\s+175\.2 mm\s+178\.4 mm\s+corrected by Dr Alice Martin/);
    expect(t).toMatch(/BPD\s+48\.1 mm\s+—\s+UNVERIFIED \(AI only, not reviewed\)/);
    expect(t).toMatch(/OFD\s+61\.3 mm\s+—\s+UNVERIFIED/);
    expect(t).toMatch(/GA \(Hadlock, from HC\)\s+20 w 1 d\s+—\s+UNVERIFIED/);
    expect(t).toMatch(/Head growth slowed: the HC z-score fell by 2\.1 between/);
    expect(t).toContain('HC centile (INTERGROWTH-21st, dating GA): 21 (z -0.79)');
    expect(t).toContain('AI values are decision support, not a diagnosis, until a clinician confirms them');
    expect(t).toContain('Page 1/1');
    // the reviewed capture's image, and only fonts carried inside the file
    expect(r.images).toBe(1);
    const fontRows = r.fonts.trim().split('\n').slice(2);
    expect(fontRows.length).toBeGreaterThan(0);
    for (const row of fontRows) expect(row, r.fonts).toMatch(/DejaVuSans.*\byes\s+yes\b/);
  });

  it('prints in French with ?lang=fr or Accept-Language: words, dates, decimals and GA by locale', async () => {
    for (const [url, headers] of [[`/api/exams/${obstetric.id}/report.pdf?lang=fr`, {}], [`/api/exams/${obstetric.id}/report.pdf`, { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' }]] as const) {
      const t = (await pdf(url, headers)).text;
      expect(t).toContain("Compte rendu d'échographie");
      expect(t).toContain('14 févr. 1990');
      expect(t).toMatch(/AG de datation : |AG de datation: /);
      expect(t).toContain('21 SA 0 j');
      expect(t).toMatch(/PC\s+175,2 mm\s+178,4 mm\s+corrigé par Dr Alice Martin/);
      expect(t).toMatch(/BIP\s+48,1 mm\s+—\s+NON VÉRIFIÉ/);
      expect(t).toContain('La croissance de la tête ralentit');
      expect(t).toContain('Centile PC (INTERGROWTH-21st, AG de datation) : 21 (z -0,79)');
      expect(t).toContain("Les valeurs de l'IA sont une aide à la décision");
    }
    // English stays the default, and an explicit ?lang wins over the header
    expect((await pdf(`/api/exams/${obstetric.id}/report.pdf?lang=en`, { 'accept-language': 'fr' })).text).toContain('Ultrasound examination report');
    expect((await pdf(`/api/exams/${obstetric.id}/report.pdf`, { 'accept-language': 'de-DE' })).text).toContain('Ultrasound examination report');
  });

  it('prints a breast exam: categories and probabilities with who decided, the undecided one unverified, no growth section', async () => {
    const r = await pdf(`/api/exams/${breast.id}/report.pdf`);
    const t = r.text;
    const m = (k: string) => breast.captures[0]!.measurements.find((x) => x.kind === k)!;
    expect(t).toContain('ROE, ANNA');
    expect(t).toMatch(/Exam type: Breast/);
    expect(t).toMatch(new RegExp(`Lesion, max diameter\\s+${m('lesion_max_diameter').aiValue!.toFixed(1)} mm\\s+9\\.5 mm\\s+corrected by Dr Rita Osei`));
    expect(t).toMatch(new RegExp(`Margin\\s+${m('lesion_margin').aiText}\\s+irregular\\s+corrected by Dr Rita Osei`));
    expect(t).toMatch(new RegExp(`Class \\(AI\\)\\s+${m('lesion_class').aiText} \\(${m('lesion_class').aiValue!.toFixed(1)} %\\)\\s+${m('lesion_class').finalText}\\s+confirmed by Dr Rita Osei`));
    expect(t).toMatch(new RegExp(`Malignancy probability \\(AI\\)\\s+${m('malignancy_probability').aiValue!.toFixed(1)} %\\s+—\\s+UNVERIFIED`));
    expect(t).not.toContain('Growth');
    expect(t).not.toContain('175.2');
    expect(r.pages).toBe(1);
  });

  it('an unknown exam is a coded 404; a bad language a coded 400', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/exams/no-such-exam/report.pdf' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'SONO_EXAM_NOT_FOUND', statusCode: 404 });
    const bad = await app.inject({ method: 'GET', url: `/api/exams/${obstetric.id}/report.pdf?lang=de` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'SONO_REQUEST_INVALID' });
  });
});
