/**
 * Session-15 clinic review MEDIUM-7: a breast exam confirmed on the live page can be signed. The page decides
 * the diameters, orientation and margin and leaves the AI class and malignancy probability unverified (AI
 * output shown as such, never the clinician's finding: web-ui/src/exam-types/breast.ts). Signing does not wait
 * for a decision on those two (src/records/signatures.ts AI_ONLY_KINDS); the VERIFIED SR still says each is an
 * AI proposal not verified by a clinician. An undecided diameter still blocks the signature. Real encrypted
 * SQLite, the real app (access plugin, fastify inject), the real report service and outbox.
 */
import { describe, expect, it } from 'vitest';
import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import type { Db } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { softEllipse } from '../helpers/soft-ellipse.js';

/** A closed breast exam decided as the live page's Confirm decides it; `skip`: a kind left undecided besides class and probability. */
function pageConfirmedBreastExam(db: Db, skip?: string): string {
  const store = new ExamStore(db);
  const w = 320;
  const h = 240;
  const region = { x: 40, y: 30, width: 240, height: 200 };
  const px = new Uint8Array(w * h).fill(90);
  const grid = { width: 120, height: 100, toFrame: (x: number, y: number): [number, number] => [region.x + (x + 0.5) * 2 - 0.5, region.y + (y + 0.5) * 2 - 0.5] };
  const map = softEllipse(120, 100, { cx: 60, cy: 50, a: 22, b: 14, angle: 0 });
  const lesion = new BreastLesionAnalyzer(120, 100).analyze(map, Float32Array.from([0.1, 0.85, 0.05]), grid, { width: w, height: h, region, pixelSpacing: { x: 0.1, y: 0.1 }, signal: { mean: 100, std: 40 } });
  const exam = store.createExam({ examType: 'breast', patient: { name: 'ROE^ANNA', id: 'PID-BR-7', sex: 'F' }, operator: 'Ada Byron' });
  const cap = store.addCapture(exam.id, { frameSeq: 3, width: w, height: h, channels: 1, pixels: px, pixelSpacing: { x: 0.1, y: 0.1 }, region, results: [{ modelId: 'breast-lesion', modelVersion: '1.2.0', provider: 'cpu', result: lesion }] }, 'Ada Byron');
  for (const m of cap.measurements) if (m.kind !== 'lesion_class' && m.kind !== 'malignancy_probability' && m.kind !== skip) store.decide(m.id, { decision: 'confirmed', by: 'Ada Byron' });
  store.closeExam(exam.id, 'Ada Byron');
  return exam.id;
}

describe('signing a breast exam confirmed on the page', async () => {
  const t = await buildTestApp();
  const outbox = new Outbox(t.db);
  const store = new ExamStore(t.db);
  t.runtime.reports = makeReportService({
    exportOptions: { secret: 'breast-sign-secret', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }, targets: ['pacs'], outbox,
    geometryOf: (id) => store.capturePixels(id), poke: () => {}, organization: 'Breast clinic',
  });
  const ada = await addTokenUser(t.runtime.access.services, 'clinician', 'Ada Byron');
  const sign = (id: string) => t.app.inject({ method: 'POST', url: `/api/exams/${id}/sign`, headers: { ...ada.headers, 'content-type': 'application/json' }, payload: {} });

  it('signs with the AI class and malignancy probability left unverified; the VERIFIED SR still labels them AI proposals', async () => {
    const id = pageConfirmedBreastExam(t.db);
    const r = await sign(id);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ revision: 1, by: 'Ada Byron', kind: 'signature', verificationFlag: 'VERIFIED' });
    const srs = (t.db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? ORDER BY id').all(id, COMPREHENSIVE_SR) as Array<{ payload: Buffer }>).map((x) => readPart10(x.payload));
    const signed = srs.at(-1)!;
    expect(signed.VerificationFlag).toBe('VERIFIED');
    const text = JSON.stringify(signed.ContentSequence);
    // the class (99SONO SONO003) and the probability of cancer (DCM 111047) each carry the AI-proposal finding
    const findingOf = (code: string): string => {
      const at = text.indexOf(`"CodeValue":"${code}"`);
      expect(at).toBeGreaterThan(0);
      return /"TextValue":"([^"]*)"/.exec(text.slice(at))![1]!;
    };
    expect(findingOf('SONO003')).toMatch(/^AI proposal, not verified by a clinician/);
    expect(findingOf('111047')).toMatch(/^AI proposal, not verified by a clinician/);
    expect(store.getExam(id).captures[0]!.measurements.filter((m) => m.state === 'unverified').map((m) => m.kind).sort()).toEqual(['lesion_class', 'malignancy_probability']);
  });

  it('an undecided diameter still blocks the signature, naming only it', async () => {
    const id = pageConfirmedBreastExam(t.db, 'lesion_perpendicular_diameter');
    const r = await sign(id);
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'SONO_REPORT_UNDECIDED', details: { kinds: ['lesion_perpendicular_diameter'] } });
  });
});
