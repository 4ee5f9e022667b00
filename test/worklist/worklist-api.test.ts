import { createServer, type Server, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import errors from '../../src/server/plugins/errors.js';
import worklist from '../../src/server/plugins/worklist.js';
import type { Runtime } from '../../src/server/runtime.js';
import { findWorklist } from '../../src/worklist/find-scu.js';
import { localDate } from '../../src/worklist/identifier.js';
import { freePort } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';
import { type ScheduledStep, WorklistScp, wlmscpfsAvailable } from './wlmscpfs.js';

const today = localDate();
const tomorrow = localDate(new Date(Date.now() + 86_400_000));
const STEPS: ScheduledStep[] = [
  {
    name: 'MÜLLER^Zoë',
    id: 'PID-1001',
    birthDate: '19900214',
    sex: 'F',
    accession: 'ACC-1',
    date: today,
    time: '093000',
    modality: 'US',
    stepDescription: 'Second trimester growth scan',
    stationAe: 'SONOEDGE',
  },
  { name: 'DUPONT^Marie^Claire', id: 'PID-1002', accession: 'ACC-2', date: today, time: '1415', modality: 'US', stepDescription: 'Breast lump', stationAe: 'US_ROOM_2' },
  { name: 'MARTIN^Paul', id: 'PID-2001', birthDate: '19751103', sex: 'M', accession: 'ACC-3', date: today, time: '100000', modality: 'MR', stepDescription: 'Knee MRI' },
  { name: 'LEROY^Anne', id: 'PID-1003', birthDate: '19880630', sex: 'F', accession: 'ACC-4', date: tomorrow, time: '080000', modality: 'US', stepDescription: 'Dating scan' },
];

/** The app as the daemon builds it for these routes: the one error handler around the feature. */
async function appWith(settings: Partial<Config['worklist']> | undefined): Promise<FastifyInstance> {
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
  const routes: Array<{ url: string; access: unknown }> = [];
  app.addHook('onRoute', (r) => {
    routes.push({ url: r.url, access: (r.config as { access?: unknown } | undefined)?.access });
  });
  app.decorate('sono', { config: { worklist: settings === undefined ? undefined : { callingAeTitle: 'SONOEDGE', timeoutMs: 5000, ...settings } } } as unknown as Runtime);
  app.decorate('routesSeen', routes);
  await app.register(errors, { features: [worklist] });
  await app.ready();
  return app;
}

async function get(app: FastifyInstance, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() };
}

const accessions = (body: Record<string, unknown>): string[] => (body.items as Array<{ accessionNumber: string }>).map((i) => i.accessionNumber).sort();

describe.skipIf(!wlmscpfsAvailable)('GET /api/worklist against a real dcmtk wlmscpfs', () => {
  let scp: WorklistScp;
  let app: FastifyInstance;
  beforeAll(async () => {
    scp = await WorklistScp.start(tempDir('sonoedge-wl-'), 'RIS_WL', STEPS);
    app = await appWith({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'RIS_WL' });
  });
  afterAll(async () => {
    await app?.close();
    scp?.stop();
  });

  it("answers today's ultrasound steps by default, with what the worklist files hold", async () => {
    const r = await get(app, '/api/worklist');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ date: today, modality: 'US', truncated: false });
    expect(accessions(r.body)).toEqual(['ACC-1', 'ACC-2']);
    const items = r.body.items as Array<Record<string, unknown>>;
    expect(items.find((i) => i.accessionNumber === 'ACC-1')).toEqual({
      patient: { name: 'MÜLLER^Zoë', id: 'PID-1001', birthDate: '19900214', sex: 'F' },
      accessionNumber: 'ACC-1',
      scheduledDate: today,
      scheduledTime: '093000',
      modality: 'US',
      procedureDescription: 'Second trimester growth scan',
      scheduledStationAeTitle: 'SONOEDGE',
      scheduledProcedureStepId: 'SPS-ACC-1',
      requestedProcedureId: 'RP-ACC-1',
      studyInstanceUid: '1.2.826.0.1.3680043.2.1143.1',
      referringPhysician: null,
    });
    // absent birth date and sex stay absent, not empty strings the exam form would refuse
    expect(items.find((i) => i.accessionNumber === 'ACC-2')).toMatchObject({
      patient: { name: 'DUPONT^Marie^Claire', id: 'PID-1002' },
      scheduledTime: '1415',
      procedureDescription: 'Breast lump',
    });
    expect((items.find((i) => i.accessionNumber === 'ACC-2')!.patient as Record<string, unknown>).birthDate).toBeUndefined();
  });

  it('filters by date, date range and modality', async () => {
    expect(accessions((await get(app, `/api/worklist?date=${tomorrow}`)).body)).toEqual(['ACC-4']);
    expect(accessions((await get(app, `/api/worklist?date=${today}-${tomorrow}`)).body)).toEqual(['ACC-1', 'ACC-2', 'ACC-4']);
    const mr = await get(app, '/api/worklist?modality=MR');
    expect(mr.body).toMatchObject({ modality: 'MR' });
    expect(accessions(mr.body)).toEqual(['ACC-3']);
    expect((mr.body.items as Array<{ patient: unknown }>)[0]!.patient).toEqual({ name: 'MARTIN^Paul', id: 'PID-2001', birthDate: '19751103', sex: 'M' });
    const any = await get(app, '/api/worklist?modality=any');
    expect(any.body).toMatchObject({ modality: null });
    expect(accessions(any.body)).toEqual(['ACC-1', 'ACC-2', 'ACC-3']);
    expect(accessions((await get(app, '/api/worklist?date=20000101')).body)).toEqual([]);
  });

  it('answers over a real HTTP connection too (the query is abandoned only when the client goes away)', async () => {
    const served = await appWith({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'RIS_WL' });
    const url = await served.listen({ port: 0, host: '127.0.0.1' });
    try {
      const r = await fetch(`${url}/api/worklist?modality=any`);
      expect(r.status).toBe(200);
      expect(accessions((await r.json()) as Record<string, unknown>)).toEqual(['ACC-1', 'ACC-2', 'ACC-3']);
    } finally {
      await served.close();
    }
  });

  it('stops at maxItems: the query is cancelled (C-CANCEL) and the answer says it was truncated', async () => {
    const settings = { host: '127.0.0.1', port: scp.port, calledAeTitle: 'RIS_WL', callingAeTitle: 'SONOEDGE', timeoutMs: 5000 };
    const r = await findWorklist(settings, { date: today, modality: undefined }, { maxItems: 1 });
    expect(r.truncated).toBe(true);
    expect(r.items).toHaveLength(1);
    // the association was ended cleanly: the SCP answers the next query in full
    expect((await findWorklist(settings, { date: today, modality: undefined })).items).toHaveLength(3);
  });

  it('refuses a malformed filter with a coded 400', async () => {
    // not calendar days, or a range that runs backwards: the client's mistake, said as such (not a RIS failure, not an empty list)
    for (const q of ['date=2026-12-06', 'date=today', 'modality=us', 'extra=1', 'date=20261399', 'date=00000000', 'date=20260230', 'date=20261231-20260101', 'date=20260101-20261340']) {
      const r = await get(app, `/api/worklist?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.code, q).toBe('SONO_REQUEST_INVALID');
    }
  });

  it('a wrong called AE title is a coded rejection that names the setting to check', async () => {
    const wrong = await appWith({ host: '127.0.0.1', port: scp.port, calledAeTitle: 'NOT_THE_RIS' });
    const r = await get(wrong, '/api/worklist');
    await wrong.close();
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('SONO_WORKLIST_REJECTED');
    expect(r.body.message).toMatch(/called AE title is not recognised.*worklist\.calledAeTitle \("NOT_THE_RIS"\)/);
  });

  it('declares the route for clinicians', () => {
    const seen = (app as unknown as { routesSeen: Array<{ url: string; access: unknown }> }).routesSeen;
    expect(seen.filter((r) => r.url === '/api/worklist').map((r) => r.access)).toContain('clinician');
  });
});

describe('GET /api/worklist when the RIS is not there', () => {
  it('no worklist configured: a coded 409 that says what to add', async () => {
    const app = await appWith(undefined);
    const r = await get(app, '/api/worklist');
    await app.close();
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'SONO_WORKLIST_NOT_CONFIGURED', statusCode: 409 });
    expect(r.body.message).toMatch(/"worklist" section/);
  });

  it('a RIS that is down: unreachable at once (refused), not a wait for the timeout', async () => {
    const port = await freePort();
    // a long timeout: answering "unreachable" rather than "timeout" shows the refusal was not waited out
    const app = await appWith({ host: '127.0.0.1', port, calledAeTitle: 'RIS', timeoutMs: 60_000 });
    const r = await get(app, '/api/worklist');
    await app.close();
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('SONO_WORKLIST_UNREACHABLE');
    expect(r.body.message).toContain(`127.0.0.1:${port}`);
    expect(r.body.message).toMatch(/ECONNREFUSED/);
  });

  it('a RIS that accepts the connection but never answers: a coded timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const app = await appWith({ host: '127.0.0.1', port, calledAeTitle: 'RIS', timeoutMs: 300 });
    const r = await get(app, '/api/worklist');
    await app.close();
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
    expect(sockets.length).toBeGreaterThan(0);
    expect(r.status).toBe(504);
    expect(r.body.code).toBe('SONO_WORKLIST_TIMEOUT');
    expect(r.body.message).toMatch(/did not answer within 300 ms/);
  });
});
