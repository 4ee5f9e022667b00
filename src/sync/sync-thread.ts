/**
 * Worker-thread side of SyncService: its own connection to the records database, the outbox reader and
 * the STOW-RS loops. Reading and decrypting payloads and building request bodies costs ~50–100 ms per
 * batch of 640×480 images; here it never stalls the live view.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../records/database.js';
import { Outbox } from './outbox.js';
import type { StowTarget } from './stow-client.js';
import { type SyncSettings, SyncWorker } from './sync-worker.js';

const { dbFile, key, targets, settings } = workerData as { dbFile: string; key: string; targets: StowTarget[]; settings: SyncSettings };
const port = parentPort!;
const db = openDatabase(dbFile, key);
const log = {
  warn: (o: object, m?: string) => port.postMessage({ type: 'log', level: 'warn', o, m }),
  info: (o: object, m?: string) => port.postMessage({ type: 'log', level: 'info', o, m }),
};
const worker = new SyncWorker(new Outbox(db), targets, settings, log, (status) => port.postMessage({ type: 'status', status }));
worker.start();
port.postMessage({ type: 'status', status: worker.status() });
port.on('message', (m: { type: string }) => {
  if (m.type === 'poke') worker.poke();
  else if (m.type === 'stop') {
    void worker.stop().then(() => {
      db.close();
      port.postMessage({ type: 'stopped' });
      port.close();
    });
  }
});
