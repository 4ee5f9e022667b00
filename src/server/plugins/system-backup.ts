import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, SonoError } from '../../errors.js';
import { BackupBody, BackupDoneDto, BackupTargetsDto } from '../../protocol/rest/backup.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { backupInWorker } from '../../service/backup-run.js';
import { checkDeviceSecret } from '../../service/device-secret-check.js';
import { KEY_HINT, RECORDS_FILE, findRecordsKey } from '../../service/records-file.js';
import { removableTargets } from '../../service/removable.js';
import { packageRoot } from '../../util/package-root.js';
import { auditRequest } from '../access/audit-request.js';

const tags = ['system'];

/**
 * The System page's backup to a USB stick (issue 19): GET lists the removable filesystems mounted under
 * storage.backupRoots; POST { to } writes `sonoedge backup`'s encrypted, checked copy there (VACUUM INTO on a
 * worker thread, so live frames and health keep flowing). `to` must be one of the listed mount points: anything
 * else could fill the internal disk or write where the service should not. One backup at a time. The key is
 * not written: the stick alone cannot be read. Technician, audited (system.backup).
 */
const systemBackup: FastifyPluginAsync = async (app) => {
  let running = false;
  const software = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

  app.get(
    '/api/system/backup',
    { config: { access: 'technician' }, schema: { tags, summary: 'Removable filesystems (USB sticks) a backup can be written to', response: { 200: BackupTargetsDto } } },
    async () => {
      const rt = app.sono;
      let recordsBytes = 0;
      try {
        recordsBytes = statSync(join(rt.dataDir, RECORDS_FILE)).size;
      } catch {
        recordsBytes = 0;
      }
      return { targets: removableTargets(rt.config.storage.backupRoots, rt.dataDir), roots: rt.config.storage.backupRoots, recordsBytes };
    },
  );

  app.post<{ Body: BackupBody }>(
    '/api/system/backup',
    {
      config: { access: 'technician' },
      schema: { tags, summary: 'Write an encrypted backup of the records to a USB stick', body: BackupBody, response: { 201: BackupDoneDto, ...errorResponses(400, 409, 500, 507) } },
    },
    async (req, reply) => {
      const rt = app.sono;
      const roots = rt.config.storage.backupRoots;
      const target = removableTargets(roots, rt.dataDir).find((t) => t.path === req.body.to);
      try {
        if (!target) {
          throw new SonoError(
            ErrorCodes.BACKUP_TARGET_REFUSED,
            `${req.body.to} is not a USB stick or other filesystem mounted under ${roots.join(', ')}; plug the stick in, wait until it is listed, and choose it from the list`,
            { details: { to: req.body.to } },
          );
        }
        if (running) throw new SonoError(ErrorCodes.BACKUP_IN_PROGRESS, 'A backup is being written already; wait until it has finished');
        const found = findRecordsKey(rt.dataDir, { code: ErrorCodes.BACKUP_FAILED });
        if (!found) throw new SonoError(ErrorCodes.BACKUP_FAILED, `No records key found for ${rt.dataDir}: ${KEY_HINT}`);
        // the worker seals the secret it reads from disk: one replaced since start would be the wrong one
        const secret = checkDeviceSecret(rt.dataDir, (s) => app.access.isDeviceSecret(s));
        if (secret?.problem === 'replaced') {
          throw new SonoError(
            ErrorCodes.BACKUP_FAILED,
            `The device secret in ${secret.where} is not the one sonoedge runs with (it was replaced): a backup now would hold the wrong one, and once restored nobody could sign in. Put the original file back (the warning at the top of the System page goes then), and write the backup again. Nothing was written`,
            { details: { reason: 'device-secret-replaced' } },
          );
        }
        running = true;
        const { dir, manifest } = await backupInWorker({ dataDir: rt.dataDir, key: found.key, toDir: target.path, software }).finally(() => (running = false));
        const file = manifest.files[0]!;
        const warning = manifest.deviceSecretWarning;
        auditRequest(req, 'system.backup', target.path, 'ok', { dir, bytes: file.bytes, exams: manifest.counts.exams ?? 0, ...(warning ? { deviceSecret: 'left out: unreadable' } : {}) });
        return reply.code(201).send({ dir, createdAt: manifest.createdAt, bytes: file.bytes, sha256: file.sha256, counts: manifest.counts, ...(warning ? { deviceSecretWarning: warning } : {}) });
      } catch (err) {
        auditRequest(req, 'system.backup', req.body.to, 'failed', { code: (err as { code?: string }).code ?? null });
        throw err;
      }
    },
  );
};

export default fp(systemBackup, { name: 'sonoedge-system-backup' });
