/**
 * The head ellipse as the clinician left it is kept with the correction (issue 21: the QA export carries "the
 * clinicians' final outlines, ellipses and values"): POST /api/measurements/:id/decision takes
 * `geometry: { ellipse }` through the real app, checks it against the captured frame (coded 400 off the frame
 * or degenerate), stores it, and the QA export then writes that ellipse as the final mask (source "clinician").
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportQa } from '../../src/qa-export/export.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { AI_ELLIPSE, H, REGION, W, headPicture } from '../qa-export/fixture.js';

describe('a corrected head ellipse', async () => {
  const t = await buildTestApp();
  const dr = await addTokenUser(t.runtime.access.services, 'clinician', 'dr-clara');
  const store = new ExamStore(t.db);
  const exam = store.createExam({ patient: { id: 'P-1' } });
  const cap = store.addCapture(exam.id, {
    frameSeq: 1, width: W, height: H, channels: 1, pixels: headPicture(), pixelSpacing: { x: 0.3, y: 0.3 }, region: REGION,
    results: [{ modelId: 'fetal-head', modelVersion: '1.2.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: AI_ELLIPSE } as never }],
  }, null);
  const byKind = (k: string) => cap.measurements.find((m) => m.kind === k)!;
  const edited = { cx: 162, cy: 131, semiMajor: 66, semiMinor: 50, angleDeg: 12 };
  const decide = (id: string, body: object) =>
    t.app.inject({ method: 'POST', url: `/api/measurements/${id}/decision`, headers: { ...dr.headers, 'content-type': 'application/json' }, payload: body });

  it('refuses an ellipse off the frame or without size, with a code, storing nothing', async () => {
    for (const ellipse of [{ ...edited, cx: W + 5 }, { ...edited, semiMajor: 10_000 }]) {
      const r = await decide(byKind('hc').id, { decision: 'corrected', value: 180, geometry: { ellipse } });
      expect([r.statusCode, r.json().code]).toEqual([400, 'SONO_GEOMETRY_OUT_OF_RANGE']);
    }
    const flat = await decide(byKind('hc').id, { decision: 'corrected', value: 180, geometry: { ellipse: { ...edited, semiMinor: 0 } } });
    expect(flat.statusCode).toBe(400);
    expect(store.decisionHistory(byKind('hc').id)).toEqual([]);
  });

  it('keeps the edited ellipse with the correction, and the QA export writes it as the final outline', async () => {
    const r = await decide(byKind('hc').id, { decision: 'corrected', value: 184.1, geometry: { ellipse: edited } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ finalValue: 184.1, finalGeometry: { ellipse: edited } });
    for (const k of ['bpd', 'ofd', 'ga']) expect((await decide(byKind(k).id, { decision: 'confirmed' })).statusCode).toBe(200);
    store.closeExam(exam.id, null);
    const s = await exportQa(t.db, { outDir: join(t.dir, 'qa'), secret: 'k', dates: 'remove', ocr: { minChars: 3, minConfidence: 80, timeoutMs: 30_000 }, software: 'test' });
    expect(s.items).toBe(1);
    const manifest = (await import('node:fs')).readFileSync(join(t.dir, 'qa', 'manifest.json'), 'utf8');
    const item = (JSON.parse(manifest) as { items: Array<{ final: unknown; examDate: unknown }> }).items[0]!;
    expect(item.final).toEqual({ source: 'clinician', ellipse: edited, outline: null });
    expect(item.examDate).toBeNull(); // dates removed
  });
});
