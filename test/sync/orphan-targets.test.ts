/**
 * Items queued for a sync target that was renamed or removed from sync.targets (src/sync/orphans.ts), through
 * the real app (access plugin, real encrypted SQLite, fastify inject) and a real SyncWorker delivering to a real
 * HTTP STOW-RS peer. The clinic renamed its PACS target `pacs` to `pacs-new`: the exam queued before the rename
 * was never sent, GET /api/sync did not show it, and its unsent rows kept it from retention. Now:
 *  - GET /api/sync lists `pacs` as a target in state `orphaned`, with SONO_SYNC_TARGET_REMOVED and what to do;
 *  - a clinician may not act (403); a configured or unknown `from`, an unknown `to`, are refused with a code;
 *  - a technician requeues them to `pacs-new` (audited): delivered, and the exam becomes due for retention;
 *  - another removed target's items are discarded (audited), nothing else touched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { examsDueForPixelDrop } from '../../src/service/retention.js';
import { Outbox } from '../../src/sync/outbox.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { SyncWorker } from '../../src/sync/sync-worker.js';
import { makeClosedExam } from '../helpers/exam-fixture.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { dicomAnswer, instances, stowPeer, until } from './stow-peer.js';

interface TargetDto {
  name: string;
  state: string;
  lastError?: string;
  counts: Record<string, number>;
}

describe('items of a removed sync target', async () => {
  const t = await buildTestApp();
  const tech = await addTokenUser(t.runtime.access.services, 'technician', 'tech-tom');
  const dr = await addTokenUser(t.runtime.access.services, 'clinician', 'dr-clara');
  const received: string[] = [];
  const peer = await stowPeer((_n, uids) => {
    received.push(...uids);
    return { status: 200, body: dicomAnswer(uids, []) };
  });
  const outbox = new Outbox(t.db);
  const quiet = { warn() {}, info() {} };
  const configured = [{ name: 'pacs-new', url: peer.url }];
  t.runtime.sync = { outbox, worker: new SyncService({ dbFile: '', key: '', targets: configured, settings: t.runtime.config.sync }, quiet) };
  // a closed, signed exam with pixels, queued for `pacs` before the rename: 3 images, never sent
  const { exam } = makeClosedExam(t.db);
  t.db.prepare("INSERT INTO report_revisions (exam_id, revision, kind, by_user, at) VALUES (?, 1, 'signature', 'Dr Ada', ?)").run(exam.id, new Date().toISOString());
  const queued = instances(3);
  outbox.enqueue('pacs', exam.id, queued);
  // the one of them queued for pacs-new too (a revision after the rename, say): not sent twice
  outbox.enqueue('pacs-new', exam.id, queued.slice(0, 1));
  // another removed target, with one exam's items
  t.db.prepare('INSERT INTO exams (id, created_at) VALUES (?, ?)').run('e-old', new Date().toISOString());
  outbox.enqueue('old-cloud', 'e-old', instances(2));
  const worker = new SyncWorker(outbox, configured, { retryInitialMs: 30, retryMaxMs: 200, pollMs: 30, batchSize: 20 });
  worker.start();
  afterAll(async () => {
    await worker.stop();
    await peer.close();
  });
  const later = new Date(Date.now() + 86_400_000).toISOString();
  const dueForRetention = (): string[] => examsDueForPixelDrop(t.db, { cutoff: later, targets: ['pacs-new'] }).map((e) => e.id);
  const targets = async (): Promise<TargetDto[]> => ((await t.app.inject({ url: '/api/sync', headers: tech.headers })).json() as { targets: TargetDto[] }).targets;
  const post = (headers: { authorization: string }, action: string, payload: object) =>
    t.app.inject({ method: 'POST', url: `/api/sync/orphans/${action}`, headers: { ...headers, 'content-type': 'application/json' }, payload });
  const rowsOf = (target: string) => t.db.prepare('SELECT state FROM outbox WHERE target = ?').pluck().all(target) as string[];

  it('GET /api/sync shows each removed target with unsent items as orphaned, coded, saying what to do', async () => {
    await until('pacs-new sent its one', () => rowsOf('pacs-new').every((s) => s === 'sent'));
    const list = await targets();
    expect(list.map((x) => [x.name, x.state])).toEqual([
      ['pacs-new', expect.any(String)],
      ['old-cloud', 'orphaned'],
      ['pacs', 'orphaned'],
    ]);
    const pacs = list.find((x) => x.name === 'pacs')!;
    expect(pacs.counts).toMatchObject({ pending: 3, sent: 0, rejected: 0 });
    expect(pacs.lastError).toMatch(/^SONO_SYNC_TARGET_REMOVED: no sync target is named "pacs" in sync.targets .*3 unsent item\(s\) of 1 exam\(s\).*retention.*configured target, or discard/);
    // what the rows did before: unsent, so the exam is not due for retention
    expect(dueForRetention()).toEqual([]);
  });

  it('a clinician may not act; a configured or unknown `from`, or an unknown `to`, are refused with a code; nothing changes', async () => {
    expect((await post(dr.headers, 'requeue', { from: 'pacs', to: 'pacs-new' })).statusCode).toBe(403);
    expect((await post(dr.headers, 'discard', { from: 'pacs' })).statusCode).toBe(403);
    const configuredFrom = await post(tech.headers, 'discard', { from: 'pacs-new' });
    expect([configuredFrom.statusCode, configuredFrom.json().code]).toEqual([400, 'SONO_REQUEST_INVALID']);
    const unknownFrom = await post(tech.headers, 'requeue', { from: 'nope', to: 'pacs-new' });
    expect([unknownFrom.statusCode, unknownFrom.json().code]).toEqual([404, 'SONO_SYNC_ITEM_NOT_FOUND']);
    const unknownTo = await post(tech.headers, 'requeue', { from: 'pacs', to: 'old-cloud' });
    expect([unknownTo.statusCode, unknownTo.json().code]).toEqual([400, 'SONO_REQUEST_INVALID']);
    expect(rowsOf('pacs')).toEqual(['pending', 'pending', 'pending']);
    expect(rowsOf('old-cloud')).toEqual(['pending', 'pending']);
    expect(t.runtime.access.services.audit.list({ action: 'sync.orphans.requeue' })).toEqual([]);
  });

  it('a technician requeues them to the renamed target: audited, delivered once each, and the exam becomes due for retention', async () => {
    const before = peer.requests();
    const r = await post(tech.headers, 'requeue', { from: 'pacs', to: 'pacs-new' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ requeued: 2, alreadyQueued: 1, discarded: 0, exams: [exam.id] });
    const audit = t.runtime.access.services.audit.list({ action: 'sync.orphans.requeue' });
    expect(audit.map((a) => [a.user, a.role, a.target, a.outcome])).toEqual([['tech-tom', 'technician', 'pacs', 'ok']]);
    expect(audit[0]!.details).toEqual({ from: 'pacs', to: 'pacs-new', requeued: 2, alreadyQueued: 1, exams: 1 });
    await until('delivered', () => rowsOf('pacs-new').length === 3 && rowsOf('pacs-new').every((s) => s === 'sent'));
    expect(rowsOf('pacs')).toEqual([]);
    expect(peer.requests()).toBeGreaterThan(before);
    expect(received.filter((u) => u === queued[0]!.sopInstanceUid)).toHaveLength(1);
    expect((await targets()).map((x) => x.name)).toEqual(['pacs-new', 'old-cloud']);
    expect(dueForRetention()).toEqual([exam.id]);
  });

  it("a technician discards another removed target's items: audited with the exams, nothing else touched", async () => {
    const r = await post(tech.headers, 'discard', { from: 'old-cloud' });
    expect(r.json()).toEqual({ requeued: 0, alreadyQueued: 0, discarded: 2, exams: ['e-old'] });
    const audit = t.runtime.access.services.audit.list({ action: 'sync.orphans.discard' });
    expect(audit.map((a) => [a.user, a.target, a.details])).toEqual([['tech-tom', 'old-cloud', { from: 'old-cloud', discarded: 2, exams: ['e-old'] }]]);
    expect(rowsOf('old-cloud')).toEqual([]);
    expect(rowsOf('pacs-new')).toEqual(['sent', 'sent', 'sent']);
    expect((await targets()).map((x) => [x.name, x.state])).toEqual([['pacs-new', expect.any(String)]]);
    expect(t.db.prepare('SELECT count(*) FROM exams WHERE id = ?').pluck().get('e-old')).toBe(1);
  });
});
