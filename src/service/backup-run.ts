import { ErrorCodes, type ErrorCode, SonoError } from '../errors.js';
import { startWorker } from '../util/worker.js';
import type { BackupResult } from './backup.js';

/** backupRecords on a worker thread (src/service/backup-worker.ts): the caller's event loop stays free. */
export function backupInWorker(options: { dataDir: string; key: string; toDir: string; software: string }): Promise<BackupResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'backup-worker', options);
    let settled = false;
    worker.once('message', (m: { ok: true; result: BackupResult } | { ok: false; code?: ErrorCode; message: string }) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new SonoError(m.code ?? ErrorCodes.BACKUP_FAILED, m.message));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(new SonoError(ErrorCodes.BACKUP_FAILED, `The backup worker failed: ${err.message}; nothing was written to ${options.toDir}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new SonoError(ErrorCodes.BACKUP_FAILED, `The backup worker stopped (exit ${code}) before it finished; try again`));
    });
  });
}
