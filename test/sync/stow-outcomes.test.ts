/**
 * What a STOW-RS answer does to the outbox, against a real HTTP peer on loopback (real encrypted SQLite, the
 * real SyncWorker and StowClient): a proxy's HTML 400 (plain HTTP sent to an HTTPS port, as nginx answers it)
 * rejects nothing and is reported as a coded misconfiguration, and delivery resumes once the target answers
 * in DICOM; a 409 whose Failed SOP Sequence names one of two instances rejects that one only; a duplicate
 * after an answer lost once the PACS had stored the instances (Azure 45070 = 0xB00E, PS3.7 0x0111) counts
 * as stored, with a note.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { Outbox } from '../../src/sync/outbox.js';
import { SyncWorker } from '../../src/sync/sync-worker.js';
import { tempDir } from '../helpers/tmp.js';
import { type Answer, type Peer, dicomAnswer, instances, stowPeer, until } from './stow-peer.js';

const fast = { retryInitialMs: 30, retryMaxMs: 200, pollMs: 30, batchSize: 20 };
const NGINX_400 =
  '<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

describe('STOW-RS answers against a real HTTP peer', () => {
  const peers: Peer[] = [];
  afterAll(() => Promise.all(peers.map((p) => p.close())));
  const peer = async (answer: (n: number, uids: string[]) => Answer): Promise<Peer> => {
    const p = await stowPeer(answer);
    peers.push(p);
    return p;
  };

  async function run(url: string, count: number, body: (o: { outbox: Outbox; worker: SyncWorker; uids: string[] }) => Promise<void>): Promise<void> {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
    db.prepare("INSERT INTO exams (id, created_at) VALUES ('e', 'now')").run();
    const outbox = new Outbox(db);
    const items = instances(count);
    outbox.enqueue('t', 'e', items);
    const worker = new SyncWorker(outbox, [{ name: 't', url }], fast);
    worker.start();
    try {
      await body({ outbox, worker, uids: items.map((i) => i.sopInstanceUid) });
    } finally {
      await worker.stop();
      db.close();
    }
  }

  it("a proxy's HTML 400 rejects nothing, is reported as a coded misconfiguration, and delivery resumes once fixed", async () => {
    let fixed = false;
    const p = await peer((_n, uids) => (fixed ? { status: 200, body: dicomAnswer(uids, []) } : { status: 400, type: 'text/html', body: NGINX_400 }));
    await run(p.url, 2, async ({ outbox, worker }) => {
      await until('three tries or a rejection', () => p.requests() >= 3 || outbox.items().some((i) => i.state === 'rejected'));
      expect(outbox.items().map((i) => i.state)).toEqual(['pending', 'pending']);
      const st = await until('the status', () => worker.status()[0]!.state === 'misconfigured' && worker.status()[0]!);
      expect(st.lastError).toMatch(/answered HTTP 400 without a DICOM response \("400 The plain HTTP request was sent to HTTPS port"\)/);
      expect(st.lastError).toMatch(/check the target's URL, scheme \(http\/https\) and any proxy; retrying \(SONO_SYNC_TARGET_NOT_DICOM\)$/);
      expect(outbox.items()[0]!.lastError).toMatch(/SONO_SYNC_TARGET_NOT_DICOM/);
      fixed = true;
      await until('delivered', () => outbox.items().every((i) => i.state === 'sent'));
      expect(outbox.items().every((i) => i.lastError === null)).toBe(true);
    });
  });

  it('a 409 whose Failed SOP Sequence names one of two instances rejects that one only; the other is retried and stored', async () => {
    let refused = '';
    const p = await peer((n, uids) => {
      if (n === 1) refused = uids[0]!;
      return n === 1 ? { status: 409, body: dicomAnswer([], [[refused, 0xa900]]) } : { status: 200, body: dicomAnswer(uids, []) };
    });
    await run(p.url, 2, async ({ outbox, uids }) => {
      await until('settled', () => outbox.items().every((i) => i.state !== 'pending'));
      const byUid = new Map(outbox.items().map((i) => [i.sopInstanceUid, i]));
      expect(refused).toBe(uids[0]);
      expect(byUid.get(uids[1]!)).toMatchObject({ state: 'sent', attempts: 2, lastError: null });
      expect(byUid.get(uids[0]!)).toMatchObject({ state: 'rejected', attempts: 1 });
      expect(byUid.get(uids[0]!)!.lastError).toMatch(/rejected 1 of 2 instances \(HTTP 409\).*failure reason 0xA900/);
      expect(p.requests()).toBe(2);
    });
  });

  // the first POST is stored and its answer lost (connection dropped); the re-send is refused as a duplicate
  it.each([
    ['45070 (0xB00E, Azure DICOM service: already stored)', 45070, '0xB00E'],
    ['0x0111 (PS3.7 Duplicate SOP Instance)', 0x0111, '0x0111'],
  ])('a duplicate after a lost answer, failure reason %s, counts as sent with a note', async (_name, reason, shown) => {
    const stored = new Set<string>();
    const posts = new Map<string, number>();
    const p = await peer((n, uids) => {
      const dup = uids.filter((u) => stored.has(u));
      for (const u of uids) {
        stored.add(u);
        posts.set(u, (posts.get(u) ?? 0) + 1);
      }
      if (n === 1) return 'drop';
      const fresh = uids.filter((u) => !dup.includes(u));
      return {
        status: fresh.length ? 202 : 409,
        body: dicomAnswer(
          fresh,
          dup.map((u) => [u, reason]),
        ),
      };
    });
    await run(p.url, 2, async ({ outbox, uids }) => {
      await until('settled or five tries', () => outbox.items().every((i) => i.state !== 'pending') || p.requests() >= 5);
      expect(outbox.items().map((i) => i.state)).toEqual(['sent', 'sent']);
      for (const i of outbox.items()) expect(i.lastError).toBe(`already stored at t (failure reason ${shown}, duplicate SOP Instance): counted as sent`);
      // each sent twice: stored with its answer lost, then the duplicate (one or two batches, by the retry jitter)
      expect(uids.map((u) => posts.get(u))).toEqual([2, 2]);
    });
  });
});
