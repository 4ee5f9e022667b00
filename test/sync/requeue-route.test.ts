/**
 * POST /api/sync/requeue through the real app (access plugin, real encrypted SQLite, fastify inject), with the
 * real SyncWorker delivering the same database to a real HTTP STOW-RS peer: a PACS refuses two exams' instances
 * (Failed SOP Sequence, 0x0122 SOP Class not supported) until its administrator fixes it. A clinician may not
 * requeue (403, nothing changes, nothing audited); a technician requeues one exam of one target (pending,
 * attempts reset, audited with who and what) and it is delivered while the other stays rejected; then the rest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/sync/outbox.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { SyncWorker } from '../../src/sync/sync-worker.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { dicomAnswer, instances, stowPeer, until } from './stow-peer.js';

describe('re-queuing rejected outgoing items', async () => {
  const t = await buildTestApp();
  const tech = await addTokenUser(t.runtime.access.services, 'technician', 'tech-tom');
  const dr = await addTokenUser(t.runtime.access.services, 'clinician', 'dr-clara');
  let fixed = false;
  const peer = await stowPeer((_n, uids) =>
    fixed
      ? { status: 200, body: dicomAnswer(uids, []) }
      : {
          status: 409,
          body: dicomAnswer(
            [],
            uids.map((u) => [u, 0x0122]),
          ),
        },
  );
  const outbox = new Outbox(t.db);
  const quiet = { warn() {}, info() {} };
  // the route reads and writes the outbox in the daemon; its sync process is not started: the worker below delivers
  t.runtime.sync = { outbox, worker: new SyncService({ dbFile: '', key: '', targets: [{ name: 'pacs', url: peer.url }], settings: t.runtime.config.sync }, quiet) };
  for (const id of ['e1', 'e2']) {
    t.db.prepare('INSERT INTO exams (id, created_at) VALUES (?, ?)').run(id, new Date().toISOString());
    outbox.enqueue('pacs', id, instances(2));
  }
  const worker = new SyncWorker(outbox, [{ name: 'pacs', url: peer.url }], { retryInitialMs: 30, retryMaxMs: 200, pollMs: 30, batchSize: 20 });
  worker.start();
  // after-hooks run last-registered first: the worker stops before the app closes the database
  afterAll(async () => {
    await worker.stop();
    await peer.close();
  });
  await until('all rejected', () => outbox.items().every((i) => i.state === 'rejected'));

  const requeue = (headers: { authorization: string }, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/sync/requeue', headers: { ...headers, 'content-type': 'application/json' }, payload });
  const states = (examId: string) =>
    outbox
      .items()
      .filter((i) => i.examId === examId)
      .map((i) => i.state);

  it('a clinician may not requeue: 403 with a code, nothing changes, nothing audited', async () => {
    const r = await requeue(dr.headers, {});
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'SONO_ACCESS_FORBIDDEN' });
    expect(outbox.items().every((i) => i.state === 'rejected' && i.attempts === 1)).toBe(true);
    expect(t.runtime.access.services.audit.list({ action: 'sync.requeue' })).toEqual([]);
  });

  it('a technician requeues one exam of one target: pending, attempts reset, audited; delivered, the other exam stays rejected', async () => {
    fixed = true;
    const before = peer.requests();
    const r = await requeue(tech.headers, { target: 'pacs', examId: 'e1' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ requeued: 2 });
    const rows = t.runtime.access.services.audit.list({ action: 'sync.requeue' });
    expect(rows.map((a) => [a.user, a.role, a.target, a.outcome])).toEqual([['tech-tom', 'technician', 'pacs', 'ok']]);
    expect(rows[0]!.details).toEqual({ target: 'pacs', examId: 'e1', requeued: 2 });
    await until('e1 delivered', () => states('e1').every((s) => s === 'sent'));
    expect(
      outbox
        .items()
        .filter((i) => i.examId === 'e1')
        .map((i) => i.attempts),
    ).toEqual([1, 1]);
    expect(states('e2')).toEqual(['rejected', 'rejected']);
    expect(peer.requests()).toBe(before + 1);
  });

  it('another target or a bad body requeues nothing; an empty body requeues the rest', async () => {
    expect((await requeue(tech.headers, { target: 'other' })).json()).toEqual({ requeued: 0 });
    const bad = await requeue(tech.headers, { exam: 'e2' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'SONO_REQUEST_INVALID' });
    expect(states('e2')).toEqual(['rejected', 'rejected']);
    expect((await requeue(tech.headers, {})).json()).toEqual({ requeued: 2 });
    await until('e2 delivered', () => states('e2').every((s) => s === 'sent'));
  });
});
