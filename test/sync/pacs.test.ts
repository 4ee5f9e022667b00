/**
 * Sync against a real Orthanc (DICOMweb plugin) on loopback: de-identified exams arrive once; a PACS killed
 * mid-batch loses and duplicates nothing; wrong credentials, a 5xx storm and a permanent rejection each end
 * in the right state; a daemon killed with SIGKILL mid-sync resumes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { readPart10, writePart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { SyncWorker } from '../../src/sync/sync-worker.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { packageRoot } from '../../src/util/package-root.js';
import { addTokenUserIn, authorizeRequestsTo } from '../helpers/auth.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { OrthancServer, freePort, orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const PATIENT = { name: 'ZYXWV^QUENTINA', id: 'MRN-99317', birthDate: '19880711' };
const fast = { retryInitialMs: 50, retryMaxMs: 400, pollMs: 50, batchSize: 20 };

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function smallInstances(n: number): Array<{ sopInstanceUid: string; sopClassUid: string; bytes: Buffer }> {
  const study = { studyInstanceUid: newUid(), studyDate: '20260101', studyTime: '120000', studyId: '', accessionNumber: '', patient: { name: 'SE1', id: 'SE1', birthDate: '', sex: '' }, deviceSerial: 'x', softwareVersion: '0' };
  const series = newUid();
  return Array.from({ length: n }, (_, i) => {
    const uid = newUid();
    const ds = buildUsImage(study, { seriesInstanceUid: series, seriesNumber: 1, sopInstanceUid: uid, instanceNumber: i + 1, contentDate: '20260101', contentTime: '120000', width: 32, height: 32, pixels: new Uint8Array(1024).fill(i % 255), region: { x: 0, y: 0, width: 32, height: 32 }, pixelSpacingMm: { x: 0.2, y: 0.2 }, derived: false, seriesDescription: 't', burnedInAnnotation: 'NO' });
    return { sopInstanceUid: uid, sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', bytes: writePart10(ds) };
  });
}

describe.skipIf(!orthancAvailable)('sync to a real Orthanc', () => {
  const shared = inject('orthanc');

  it('a closed exam arrives once, de-identified in tags and pixels', async () => {
    const dir = tempDir();
    // a replayed frame with the patient's name and id burned into the top margin, outside the imaging region
    const probe = new SimulatedProbe('p', {});
    probe.prepare();
    const px = new Uint8Array(640 * 480);
    probe.render(0, px);
    px.fill(0, 0, 640 * 40);
    px.set(Buffer.from(`${PATIENT.name} ${PATIENT.id} ${PATIENT.birthDate}`), 10 * 640 + 20);
    for (let y = 20; y < 34; y++) px.fill(255, y * 640 + 20, y * 640 + 200);
    mkdirSync(join(dir, 'frames'));
    await sharp(Buffer.from(px), { raw: { width: 640, height: 480, channels: 1 } }).png().toFile(join(dir, 'frames', 'f.png'));
    const d = await startTestDaemon(dir, {
      source: { driver: 'replay', id: 'r' },
      drivers: { replay: { path: join(dir, 'frames'), fps: 5, pixelSpacingMm: probe.pixelSpacingMm, region: { x: 0, y: 40, width: 640, height: 440 } } },
      sync: { targets: [{ name: 'orthanc', url: shared!.dicomWeb, username: shared!.user, password: shared!.password }], ...fast },
    });
    try {
      await waitForHealth(d.url, 200);
      await until('a result', async () => (await fetch(d.url + '/api/live/best')).ok || undefined);
      const post = async (url: string, body: unknown): Promise<Record<string, unknown>> => (await (await fetch(d.url + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
      const exam = await post('/api/exams', { patient: { ...PATIENT, sex: 'F' }, datingGaWeeks: 20 });
      await post(`/api/exams/${exam.id as string}/captures`, {});
      await post(`/api/exams/${exam.id as string}/close`, {});
      const sync = await until('delivery', async () => {
        const s = (await (await fetch(d.url + '/api/sync')).json()) as { items: Array<{ examId: string; state: string; sopInstanceUid: string }> };
        const mine = s.items.filter((i) => i.examId === exam.id);
        return mine.length === 4 && mine.every((i) => i.state === 'sent') ? mine : undefined;
      });
      const exams = (await (await fetch(d.url + '/api/exams')).json()) as Array<{ id: string; sync: string }>;
      expect(exams.find((e) => e.id === exam.id)!.sync).toBe('sent');
      // delivery ran in its own process at the lowest CPU priority, not in the daemon's
      const syncPid = d.runtime.sync!.worker.pid!;
      expect(syncPid).not.toBe(process.pid);
      const stat = readFileSync(`/proc/${syncPid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(19); // field 19: nice
      // every byte that reached the PACS
      const orthanc = new OrthancServer(shared!);
      let found = 0;
      for (const id of await orthanc.instances()) {
        const bytes = await orthanc.file(id);
        const ds = readPart10(bytes);
        if (!sync.some((s) => s.sopInstanceUid === ds.SOPInstanceUID)) continue;
        found++;
        for (const needle of [PATIENT.name, 'ZYXWV', 'QUENTINA', PATIENT.id, PATIENT.birthDate]) expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
        expect(ds.PatientIdentityRemoved).toBe('YES');
      }
      expect(found).toBe(4); // once each: two images, the TID 1500 and the TID 5000 report
      // the records database holds no plaintext either
      d.db.pragma('wal_checkpoint(TRUNCATE)');
      const raw = readFileSync(join(dir, 'data', 'records.db'));
      expect(raw.includes(Buffer.from(PATIENT.name))).toBe(false);
    } finally {
      await d.close();
    }
  });

  it('Orthanc killed in the middle of a batch of 300 and restarted: nothing lost, nothing duplicated', async () => {
    const dir = tempDir();
    const pacs = await OrthancServer.create(join(dir, 'pacs'));
    const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
    db.prepare("INSERT INTO exams (id, created_at) VALUES ('e', 'now')").run();
    const outbox = new Outbox(db);
    const items = smallInstances(300);
    outbox.enqueue('pacs', 'e', items);
    const worker = new SyncWorker(outbox, [{ name: 'pacs', url: pacs.info.dicomWeb, username: pacs.info.user, password: pacs.info.password }], { ...fast, batchSize: 10 });
    worker.start();
    try {
      await until('some sent', () => (outbox.counts().find((c) => c.state === 'sent')?.n ?? 0) >= 30 || undefined);
      pacs.kill();
      await until('an error seen', () => worker.status()[0]!.state === 'unreachable' || undefined, 20000);
      await pacs.start();
      await until('all sent', () => (outbox.counts().find((c) => c.state === 'sent')?.n ?? 0) === 300 || undefined, 120000);
      expect((await pacs.instances()).length).toBe(300);
      expect(outbox.counts().filter((c) => c.state !== 'sent')).toEqual([]);
    } finally {
      await worker.stop();
      pacs.kill();
      db.close();
    }
  });

  it('a wrong password ends in auth-failed, with the data kept and pending', async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
    db.prepare("INSERT INTO exams (id, created_at) VALUES ('e', 'now')").run();
    const outbox = new Outbox(db);
    outbox.enqueue('o', 'e', smallInstances(2));
    const worker = new SyncWorker(outbox, [{ name: 'o', url: shared!.dicomWeb, username: shared!.user, password: 'wrong' }], fast);
    worker.start();
    try {
      const st = await until('auth failure', () => (worker.status()[0]!.state === 'auth-failed' ? worker.status()[0] : undefined));
      expect(st.lastError).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(outbox.items().every((i) => i.state === 'pending' && i.attempts >= 1)).toBe(true);
    } finally {
      await worker.stop();
      db.close();
    }
  });
});

describe('sync outcomes against a scripted DICOMweb peer', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function peer(handler: (n: number, uids: string[]) => { status: number; body: unknown }): Promise<string> {
    let n = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const uids = [...body.toString('latin1').matchAll(/2\.25\.\d+/g)].map((m) => m[0]);
        const r = handler(++n, [...new Set(uids)]);
        res.writeHead(r.status, { 'content-type': 'application/dicom+json' });
        res.end(JSON.stringify(r.body));
      });
    });
    servers.push(server);
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return `http://127.0.0.1:${port}/dicom-web`;
  }
  const ref = (uids: string[]): unknown => ({ '00081199': { vr: 'SQ', Value: uids.map((u) => ({ '00081155': { vr: 'UI', Value: [u] } })) } });

  function setup(url: string): { outbox: Outbox; worker: SyncWorker; db: ReturnType<typeof openDatabase>; items: ReturnType<typeof smallInstances> } {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
    db.prepare("INSERT INTO exams (id, created_at) VALUES ('e', 'now')").run();
    const outbox = new Outbox(db);
    const items = smallInstances(3);
    outbox.enqueue('t', 'e', items);
    return { outbox, worker: new SyncWorker(outbox, [{ name: 't', url }], fast), db, items };
  }

  it('a 5xx storm is retried with backoff until delivered', async () => {
    let requests = 0;
    const url = await peer((n, uids) => {
      requests = n;
      return n <= 4 ? { status: 503, body: {} } : { status: 200, body: ref(uids) };
    });
    const { outbox, worker, db } = setup(url);
    worker.start();
    try {
      await until('delivered', () => outbox.items().every((i) => i.state === 'sent') || undefined);
      // jitter spreads the retries, so items may travel in different batches; each was retried
      expect(requests).toBeGreaterThanOrEqual(5);
      expect(outbox.items().every((i) => i.attempts >= 2 && i.lastError === null)).toBe(true);
    } finally {
      await worker.stop();
      db.close();
    }
  });

  it('a permanent rejection stops retrying, is shown, and keeps the data', async () => {
    const url = await peer((_n, uids) => ({ status: 409, body: { '00081198': { vr: 'SQ', Value: uids.map((u) => ({ '00081155': { vr: 'UI', Value: [u] }, '00081197': { vr: 'US', Value: [0xa900] } })) } } }));
    const { outbox, worker, db } = setup(url);
    worker.start();
    try {
      await until('rejected', () => outbox.items().every((i) => i.state === 'rejected') || undefined);
      await new Promise((r) => setTimeout(r, 300));
      expect(outbox.items().every((i) => i.attempts === 1)).toBe(true);
      expect(outbox.items()[0]!.lastError).toMatch(/rejected the request \(HTTP 409\)/);
      expect((db.prepare('SELECT count(*) n FROM outbox WHERE length(payload) > 100').get() as { n: number }).n).toBe(3);
      expect(worker.status()[0]!.lastError).toMatch(/409/);
    } finally {
      await worker.stop();
      db.close();
    }
  });

  it('a partial success is not a success: instances missing from the answer are retried', async () => {
    const url = await peer((n, uids) => ({ status: 200, body: ref(n === 1 ? uids.slice(0, 1) : uids) }));
    const { outbox, worker, db } = setup(url);
    worker.start();
    try {
      await until('delivered', () => outbox.items().every((i) => i.state === 'sent') || undefined);
      expect(outbox.items().filter((i) => i.attempts === 2).length).toBe(2);
    } finally {
      await worker.stop();
      db.close();
    }
  });
});

describe.skipIf(!orthancAvailable)('a daemon killed with SIGKILL mid-sync', () => {
  // two daemon start-ups through tsx and a PACS restart: well over the default 60 s on a loaded 2-core machine
  it('resumes delivery after restart', async () => {
    const dir = tempDir();
    const pacsDir = join(dir, 'pacs');
    const pacs = await OrthancServer.create(pacsDir);
    pacs.kill(); // the PACS is down while the exam is closed
    const port = await freePort();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      server: { port }, dataDir: join(dir, 'data'), log: { level: 'warn' },
      sync: { targets: [{ name: 'pacs', url: pacs.info.dicomWeb, username: pacs.info.user, password: pacs.info.password }], ...fast },
    }));
    const url = `http://127.0.0.1:${port}`;
    // every route but health needs a signed-in user (issue 17): an admin's token (exams are a clinician's, /api/sync a technician's), made as `sonoedge tokens create` would
    authorizeRequestsTo(url, await addTokenUserIn(join(dir, 'data'), 'admin'));
    const serve = (): ChildProcess => spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), 'serve', '--config', join(dir, 'config.json')], { cwd: packageRoot(), stdio: 'ignore' });
    let child = serve();
    try {
      await until('daemon up', async () => (await fetch(url + '/api/health').catch(() => undefined))?.status === 200 || undefined);
      await until('a result', async () => (await fetch(url + '/api/live/best')).ok || undefined);
      const post = async (u: string, body: unknown): Promise<Record<string, unknown>> => (await (await fetch(url + u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
      const exam = await post('/api/exams', {});
      await post(`/api/exams/${exam.id as string}/captures`, {});
      await post(`/api/exams/${exam.id as string}/close`, {});
      await until('queued and failing', async () => {
        const s = (await (await fetch(url + '/api/sync')).json()) as { items: Array<{ attempts: number }> };
        return s.items.length === 4 && s.items.every((i) => i.attempts >= 1) ? true : undefined;
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await pacs.start();
      child = serve();
      await until('delivered after restart', async () => {
        const r = await fetch(url + '/api/sync').catch(() => undefined);
        if (!r?.ok) return undefined;
        const s = (await r.json()) as { items: Array<{ state: string }> };
        return s.items.length === 4 && s.items.every((i) => i.state === 'sent') ? true : undefined;
      }, 90000);
      expect((await pacs.instances()).length).toBe(4);
    } finally {
      child.kill('SIGKILL');
      pacs.kill();
    }
  }, 180_000);
});
