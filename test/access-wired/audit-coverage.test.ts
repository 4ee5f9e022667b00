/**
 * The audit trail covers what issue 17 lists, through the real routes of buildApp: sign-ins and failures,
 * patient-record reads, captures, decisions, exam close, source and calibration changes, account and token
 * changes, refusals by role and reading the trail itself; each row with its time, user, role, client address,
 * action, target and outcome, and the chain intact. (Lockouts: test/access/limits.test.ts; config reloads:
 * test/audit/audit-trail.test.ts; exports: test/qa-export; model installs: test/models.)
 */
import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../../src/audit/audit-trail.js';
import { SECRETS, addTokenUser } from '../helpers/auth.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const CLIENT = '10.20.30.40';

describe('the audit trail of a working day, through the real routes', async () => {
  const t = await buildTestApp({ anonymous: true });
  const services = t.runtime.access.services;
  const clinician = await addTokenUser(services, 'clinician', 'dr-lea');
  const technician = await addTokenUser(services, 'technician', 'tech-tom');
  const admin = await addTokenUser(services, 'admin', 'root');
  const call = async (headers: Record<string, string>, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await t.app.inject({ method, url, headers, remoteAddress: CLIENT, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.body ? (r.json() as Record<string, unknown>) : {} };
  };
  /** The newest row of `action` since the test began. */
  const row = (action: string): AuditRow | undefined => services.audit.list({ action, limit: 1 })[0];

  it('records who did what, from where, to what, and how it ended', async () => {
    // sign-in: a failure and a success, from the tablet's address
    expect((await call({}, 'POST', '/api/session', { user: 'dr-lea', secret: '000000' })).status).toBe(401);
    expect(row('session.sign-in')).toMatchObject({ user: null, client: CLIENT, target: 'dr-lea', outcome: 'failed' });
    expect((await call({}, 'POST', '/api/session', { user: 'dr-lea', secret: SECRETS.clinician })).status).toBe(200);
    expect(row('session.sign-in')).toMatchObject({ user: 'dr-lea', role: 'clinician', client: CLIENT, target: 'dr-lea', outcome: 'ok' });

    // the clinician's exam: create, read, capture, decide, close
    const exam = await call(clinician.headers, 'POST', '/api/exams', { patient: { name: 'DOE^JANE', id: 'P-1' } });
    expect(exam.status).toBe(201);
    const examId = exam.body.id as string;
    expect((await call(clinician.headers, 'GET', `/api/exams/${examId}`)).status).toBe(200);
    publishFrame(t.runtime, grayFrame(3, 64, 48, { x: 2, y: 2, width: 60, height: 44 }));
    const capture = await call(clinician.headers, 'POST', `/api/exams/${examId}/captures`, {});
    expect(capture.status).toBe(201);
    const hc = (capture.body.measurements as Array<{ id: string; kind: string }>).find((m) => m.kind === 'hc')!;
    expect((await call(clinician.headers, 'POST', `/api/measurements/${hc.id}/decision`, { decision: 'confirmed' })).status).toBe(200);
    expect((await call(clinician.headers, 'POST', `/api/exams/${examId}/close`, {})).status).toBe(200);
    const asClinician = { user: 'dr-lea', role: 'clinician', client: CLIENT, outcome: 'ok' };
    expect(row('exam.create')).toMatchObject({ ...asClinician, target: examId });
    expect(row('exam.read')).toMatchObject({ ...asClinician, target: examId });
    expect(row('capture.add')).toMatchObject({ ...asClinician, target: capture.body.id, details: { examId } });
    expect(row('measurement.confirmed')).toMatchObject({ ...asClinician, target: hc.id });
    expect(row('exam.close')).toMatchObject({ ...asClinician, target: examId });

    // a clinician may not manage accounts: refused, and the refusal is audited
    expect((await call(clinician.headers, 'GET', '/api/users')).status).toBe(403);
    expect(row('access.denied')).toMatchObject({ ...asClinician, target: 'GET /api/users', outcome: 'denied', details: { needs: 'admin' } });

    // the technician's source and calibration
    expect((await call(technician.headers, 'PUT', '/api/source', { driver: 'simulated' })).status).toBe(200);
    expect((await call(technician.headers, 'PUT', '/api/source/calibration', { pixelSpacingMm: 0.25 })).status).toBe(200);
    const asTechnician = { user: 'tech-tom', role: 'technician', client: CLIENT, outcome: 'ok' };
    expect(row('source.change')).toMatchObject({ ...asTechnician, target: 'simulated' });
    expect(row('source.calibration')).toMatchObject({ ...asTechnician, details: { pixelSpacing: { x: 0.25, y: 0.25 } } });

    // the admin's accounts, tokens and the trail itself
    expect((await call(admin.headers, 'POST', '/api/users', { name: 'dr-max', role: 'clinician', secret: '246810' })).status).toBe(201);
    expect((await call(admin.headers, 'PUT', '/api/users/dr-max/secret', { secret: '135791' })).status).toBe(200);
    const token = await call(admin.headers, 'POST', '/api/tokens', { user: 'dr-max', label: 'script' });
    expect(token.status).toBe(201);
    expect((await call(admin.headers, 'DELETE', `/api/tokens/${token.body.id as string}`)).status).toBe(200);
    expect((await call(admin.headers, 'POST', '/api/users/dr-max/disable')).status).toBe(200);
    expect((await call(admin.headers, 'GET', '/api/audit?action=user.')).status).toBe(200);
    const asAdmin = { user: 'root', role: 'admin', client: CLIENT, outcome: 'ok' };
    expect(row('user.create')).toMatchObject({ ...asAdmin, target: 'dr-max' });
    expect(row('user.set-secret')).toMatchObject({ ...asAdmin, target: 'dr-max' });
    expect(row('token.create')).toMatchObject({ ...asAdmin, target: 'dr-max' });
    expect(row('token.revoke')).toMatchObject({ ...asAdmin, target: token.body.id });
    expect(row('user.disable')).toMatchObject({ ...asAdmin, target: 'dr-max' });
    expect(row('audit.read')).toMatchObject({ ...asAdmin, target: null });

    // no secret in any row, every row timed, and the chain intact
    const all = services.audit.list({ limit: 1000 });
    const text = JSON.stringify(all);
    for (const secret of [SECRETS.clinician, '246810', '135791', clinician.token, token.body.token as string]) expect(text).not.toContain(secret);
    for (const r of all) expect(Number.isNaN(Date.parse(r.at))).toBe(false);
    expect(services.audit.verify()).toMatchObject({ ok: true, rows: all.length });
  });
});
