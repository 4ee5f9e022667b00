/**
 * One patient ID, one woman (session-13 records review, finding 4): a new exam whose patient ID is kept for
 * someone with another birth date or family name was stored without a word, and search, growth chart and
 * reports then showed the second woman's details over the first's exams. Through buildApp + inject on a real
 * encrypted SQLite file: a coded 409 saying which differs (no patient data in it) and nothing stored; the same patient with a
 * corrected given name, accents or case passes; a confirmed same patient passes; a voided exam does not count.
 */
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';

describe('a new exam on a patient ID kept for someone else', async () => {
  const t = await buildTestApp();
  const post = (body: unknown) => t.app.inject({ method: 'POST', url: '/api/exams', payload: body as Record<string, unknown> });
  const kept = (id: string): number => (t.db.prepare('SELECT count(*) n FROM exams WHERE patient_id = ?').get(id) as { n: number }).n;

  it('another birth date or family name: 409 SONO_PATIENT_MISMATCH with what is stored, nothing stored; confirmed: started', async () => {
    expect((await post({ patient: { name: 'DOE^JANE', id: 'P001', birthDate: '19950101' }, datingGaWeeks: 22 })).statusCode).toBe(201);
    for (const [patient, differs] of [
      [{ name: 'SMITH^ANN', id: 'P001', birthDate: '20010505' }, ['birthDate', 'name']],
      [{ name: 'DOE^JANE', id: 'P001', birthDate: '19950102' }, ['birthDate']],
      [{ name: 'SMITH^JANE', id: 'P001' }, ['name']],
    ] as const) {
      const r = await post({ patient, datingGaWeeks: 30 });
      expect(r.statusCode, `${JSON.stringify(patient)}: ${r.body}`).toBe(409);
      const body = r.json() as { code: string; message: string; details: Record<string, unknown> };
      expect(body).toMatchObject({ code: 'SONO_PATIENT_MISMATCH', details: { field: 'patient.id', differs, keptExams: 1 } });
      // the message is logged and details never carry patient data: what is stored is read from GET /api/patients/:id
      for (const said of ['DOE', 'JANE', '1995', 'P001']) expect(r.body).not.toContain(said);
    }
    expect(kept('P001')).toBe(1);
    const confirmed = await post({ patient: { name: 'SMITH^JANE', id: 'P001', birthDate: '19950101' }, datingGaWeeks: 30, confirmSamePatient: true });
    expect(confirmed.statusCode).toBe(201);
    expect(kept('P001')).toBe(2);
    // the confirmed married name is now the newest: the next exam is checked against it
    expect((await post({ patient: { name: 'Smith^Jane', id: 'P001' } })).statusCode).toBe(201);
  });

  it('the same patient typed differently passes: given names, case and accents, a missing birth date', async () => {
    expect((await post({ patient: { name: 'MÜLLER^ZOË', id: 'P002', birthDate: '19900214' } })).statusCode).toBe(201);
    for (const patient of [{ name: 'MULLER^Zoe Anne', id: 'P002', birthDate: '19900214' }, { name: 'müller', id: 'P002' }, { id: 'P002' }]) {
      const r = await post({ patient });
      expect(r.statusCode, `${JSON.stringify(patient)}: ${r.body}`).toBe(201);
    }
  });

  it('a voided exam (started for the wrong patient) does not hold the ID', async () => {
    const wrong = (await post({ patient: { name: 'WRONG^PERSON', id: 'P003', birthDate: '19800101' } })).json() as { id: string };
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${wrong.id}/void`, payload: { reason: 'Started for the wrong patient' } })).statusCode).toBe(200);
    expect((await post({ patient: { name: 'RIGHT^PERSON', id: 'P003', birthDate: '19920303' } })).statusCode).toBe(201);
  });
});
