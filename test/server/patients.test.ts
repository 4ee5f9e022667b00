/**
 * The patient picker and a patient's growth (issue 18) through buildApp + inject on a real encrypted SQLite
 * file: GET /api/patients?q= over earlier patients (clinicians only), GET /api/patients/:id/growth plotting
 * the decided HC of each visit.
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { addTokenUser } from '../helpers/auth.js';
import { buildTestApp } from '../helpers/app.js';

describe('patients routes', async () => {
  const t = await buildTestApp();
  const store = new ExamStore(t.db);
  const visit = (id: string, ga: number, hcs: number[], decide?: { index: number; value?: number }) => {
    const e = store.createExam({ patient: { name: 'BERNARD^LEA', id, birthDate: '19920101', sex: 'F' }, datingGaWeeks: ga });
    const caps = hcs.map((hcMm, i) =>
      store.addCapture(e.id, { frameSeq: i, width: 8, height: 8, channels: 1, pixels: new Uint8Array(64), pixelSpacing: undefined, region: { x: 0, y: 0, width: 8, height: 8 }, results: [{ modelId: 'fetal-head', modelVersion: '1', provider: 'cpu', result: { task: 'fetal-head', hcMm } as never }] }, null),
    );
    if (decide) {
      const m = caps[decide.index]!.measurements.find((x) => x.kind === 'hc')!;
      store.decide(m.id, decide.value === undefined ? { decision: 'confirmed', by: 'dr-a' } : { decision: 'corrected', value: decide.value, by: 'dr-a' });
    }
    return e;
  };

  it('finds earlier patients by ID or name; a technician is refused', async () => {
    visit('IPP-77', 20, [170], { index: 0 });
    store.createExam({ patient: { name: 'AUTRE^PERSONNE', id: 'IPP-88' } });
    const byName = await t.app.inject({ method: 'GET', url: '/api/patients?q=bernard%20lea' });
    expect(byName.statusCode).toBe(200);
    expect(byName.json()).toEqual([{ id: 'IPP-77', name: 'BERNARD^LEA', birthDate: '19920101', sex: 'F', examCount: 1, lastExamAt: expect.any(String) }]);
    expect((await t.app.inject({ method: 'GET', url: '/api/patients?q=IPP' })).json<unknown[]>()).toHaveLength(2);
    expect((await t.app.inject({ method: 'GET', url: '/api/patients?q=IPP&limit=1' })).json<unknown[]>()).toHaveLength(1);
    expect((await t.app.inject({ method: 'GET', url: '/api/patients?limit=0' })).json()).toMatchObject({ code: 'SONO_REQUEST_INVALID' });
    const tech = await addTokenUser(t.runtime.access.services, 'technician');
    expect((await t.app.inject({ method: 'GET', url: '/api/patients?q=IPP', headers: tech.headers })).statusCode).toBe(403);
    const audit = t.runtime.access.services.audit.list({ action: 'patient.search' });
    expect(audit[0]?.details).toMatchObject({ queryLength: 3 });
    expect(JSON.stringify(audit)).not.toContain('bernard'); // the typed name is not kept in the audit
  });

  it('growth per patient: one row per visit, the decided HC plotted (not the last capture), the patient named', async () => {
    visit('IPP-77', 24, [215, 260], { index: 0, value: 218.5 }); // the second capture came after the correction
    visit('IPP-77', 28, [262]); // nothing confirmed: listed, not plotted
    const r = await t.app.inject({ method: 'GET', url: '/api/patients/IPP-77/growth' });
    expect(r.statusCode).toBe(200);
    const g = r.json<{ patient: { id: string; name: string }; visits: Array<{ gaWeeks: number; hcMm: number | null; aiHcMm: number; state: string }>; points: Array<{ gaWeeks: number; hcMm: number; centile?: number }> }>();
    expect(g.patient).toMatchObject({ id: 'IPP-77', name: 'BERNARD^LEA', examCount: 3 });
    expect(g.visits.map((v) => [v.gaWeeks, v.hcMm, v.state])).toEqual([
      [20, 170, 'confirmed'],
      [24, 218.5, 'corrected'],
      [28, null, 'unverified'],
    ]);
    expect(g.points.map((p) => [p.gaWeeks, p.hcMm])).toEqual([
      [20, 170],
      [24, 218.5],
    ]);
    expect(g.points[0]!.centile).toBeGreaterThan(0);
    const missing = await t.app.inject({ method: 'GET', url: '/api/patients/NOBODY/growth' });
    expect(missing.json()).toMatchObject({ statusCode: 404, code: 'SONO_EXAM_NOT_FOUND' });
  });
});
