/**
 * A daemon killed right after acknowledging a close, and a sync process killed in the middle of building
 * that exam, lose nothing: a real child process closes a 24-capture exam (640×480) through the real wiring
 * into a real encrypted SQLite file and is killed with SIGKILL; the real sync process (SyncService) starts
 * building, is killed with SIGKILL while the build's commit is held back, is started again by the service
 * and builds and delivers to a STOW-RS peer every instance, each once, byte for byte what building at close
 * gave, and the amendment queued while the build waited after the images.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { wireSync } from '../../src/app/sync-wiring.js';
import { loadConfig } from '../../src/config/load.js';
import { ClipStore } from '../../src/records/clip-store.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { BUILD_CLASS } from '../../src/sync/outbox.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { packageRoot } from '../../src/util/package-root.js';
import { freePort } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'close-kill-secret'; // as close-then-killed.ts
const CAPTURES = 24;

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A STOW-RS peer that stores every part it is sent, in arrival order. */
async function stowPeer(): Promise<{ url: string; received: Array<{ uid: string; bytes: Buffer }>; close: () => void }> {
  const received: Array<{ uid: string; bytes: Buffer }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')![1]!;
      const uids: string[] = [];
      let at = body.indexOf(`--${boundary}\r\n`);
      while (at >= 0) {
        const start = body.indexOf('\r\n\r\n', at) + 4;
        const end = body.indexOf(`\r\n--${boundary}`, start);
        const bytes = Buffer.from(body.subarray(start, end));
        const uid = readPart10(bytes).SOPInstanceUID as string;
        received.push({ uid, bytes });
        uids.push(uid);
        at = body.indexOf(`--${boundary}\r\n`, end);
      }
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end(JSON.stringify({ '00081199': { vr: 'SQ', Value: uids.map((u) => ({ '00081155': { vr: 'UI', Value: [u] } })) } }));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/dicom-web`, received, close: () => server.close() };
}

/** The daemon's part: close the exam in a real process, which is then killed. */
async function closeInAChildThenKill(dir: string, url: string): Promise<string> {
  const fixture = fileURLToPath(new URL('./close-then-killed.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, String(CAPTURES), url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const examId = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /closed (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`the closing process ended (${code}) before closing: ${out}`)));
  });
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  return examId;
}

describe('a kill between close and build', () => {
  const peers: Array<() => void> = [];
  afterAll(() => peers.forEach((c) => c()));

  it('the restarted sync process builds and delivers every instance once, as closing built them', async () => {
    const dir = tempDir('sonoedge-close-kill-');
    const peer = await stowPeer();
    peers.push(peer.close);
    const examId = await closeInAChildThenKill(dir, peer.url);

    const dbFile = join(dir, 'records.db');
    const dbKey = loadOrCreateKey(join(dir, 'records.key'), {});
    const db = openDatabase(dbFile, dbKey);
    const store = new ExamStore(db);
    // the acknowledged close left its build row, and nothing built
    expect(db.prepare('SELECT sop_class_uid cls, state FROM outbox WHERE exam_id = ?').all(examId)).toEqual([{ cls: BUILD_CLASS, state: 'pending' }]);
    // a signature queued while the build waits (the daemon's own wiring, as after the restart)
    const loaded = loadConfig(undefined, {
      env: {},
      overrides: [
        [['dataDir'], dir],
        [['sync', 'targets'], [{ name: 'pacs', url: peer.url }]],
      ],
    });
    const sync = wireSync(loaded, db, store, { dbFile, dbKey, deviceSecret: SECRET }, pino({ level: 'silent' }));
    const signed = sync.reports.revise(store.getExam(examId), { revision: 1, at: new Date('2026-03-04T10:20:30Z'), notes: ['signed'] });
    // what building at close gave (the wiring's options, as close-build.test.ts spells them out)
    const softwareVersion = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    const deviceSerial = createHash('sha256')
      .update('serial:' + SECRET)
      .digest('hex')
      .slice(0, 12);
    const expected = buildExamInstances(store.getExam(examId), (id) => store.capturePixels(id), {
      secret: SECRET,
      dates: 'shift',
      deviceSerial,
      softwareVersion,
      deidentified: true,
      clips: new ClipStore(db).clipsForExport(examId),
    });

    // a tesseract stand-in that reads no words: the OCR gate is not under test here, the images pass it
    const ocrBin = join(dir, 'tesseract');
    writeFileSync(ocrBin, '#!/bin/sh\ncat > /dev/null\n');
    chmodSync(ocrBin, 0o755);
    const settings = { batchSize: 25, retryInitialMs: 50, retryMaxMs: 400, pollMs: 50, ocr: { minChars: 3, minConfidence: 80, timeoutMs: 60000, bin: ocrBin } };
    const svc = new SyncService({ dbFile, key: dbKey, targets: [{ name: 'pacs', url: peer.url }], settings, nice: 0, exportSecret: SECRET }, { warn() {}, info() {} });
    svc.start();
    try {
      // the build has started (it counts its starts first); its commit is held back by this connection's write lock
      await until('the build to start', () => (db.prepare(`SELECT attempts FROM outbox WHERE sop_class_uid = '${BUILD_CLASS}'`).pluck().get() as number) >= 1);
      db.exec('BEGIN IMMEDIATE');
      const atKill = db.prepare('SELECT sop_class_uid cls FROM outbox WHERE exam_id = ? ORDER BY id').pluck().all(examId);
      const first = svc.pid!;
      process.kill(first, 'SIGKILL');
      db.exec('ROLLBACK');
      // killed mid-build: the build row and the waiting signature, nothing else
      expect(atKill).toEqual([BUILD_CLASS, expected.at(-1)!.sopClassUid, expected.at(-1)!.sopClassUid]);
      await until('a new sync process', () => (svc.pid !== undefined && svc.pid !== first) || undefined);
      const all = [...expected.map((i) => i.sopInstanceUid), signed.srUid, signed.obSrUid!];
      await until('every instance delivered and marked sent', () => {
        const states = db.prepare('SELECT state FROM outbox WHERE exam_id = ?').pluck().all(examId);
        return states.length === all.length && states.every((s) => s === 'sent');
      });
      // each instance once, byte for byte what closing built
      expect(peer.received.map((r) => r.uid).sort()).toEqual([...all].sort());
      const got = new Map(peer.received.map((r) => [r.uid, r.bytes]));
      for (const i of expected) expect(got.get(i.sopInstanceUid)!.equals(i.bytes), i.sopInstanceUid).toBe(true);
      // queued in order: the images and revision 0, then the signature
      expect(db.prepare('SELECT sop_instance_uid FROM outbox WHERE exam_id = ? ORDER BY id').pluck().all(examId)).toEqual(all);
      expect(db.prepare(`SELECT count(*) FROM outbox WHERE sop_class_uid = '${BUILD_CLASS}'`).pluck().get()).toBe(0);
    } finally {
      await svc.stop();
      db.close();
    }
  }, 180_000);
});
