/**
 * Runs backupRecords (VACUUM INTO, integrity check, fsync) on a worker thread for the System page's backup:
 * the copy takes as long as the database is big, and the event loop must keep answering health and frames
 * meanwhile. Posts { ok: true, result } or { ok: false, code, message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { backupRecords } from './backup.js';

const input = workerData as { dataDir: string; key: string; toDir: string; software: string };
try {
  const result = backupRecords(input);
  parentPort!.postMessage({ ok: true, result });
} catch (err) {
  parentPort!.postMessage({ ok: false, code: (err as { code?: unknown }).code, message: errorMessage(err) });
}
