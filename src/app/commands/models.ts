import { join } from 'node:path';
import pino from 'pino';
import { supportedTasks } from '../../analysis/tasks.js';
import { restrictNewFiles } from '../../access/private-files.js';
import { AuditTrail } from '../../audit/audit-trail.js';
import type { LoadedConfig } from '../../config/load.js';
import type { ModelAudit } from '../../models/updates/installer.js';
import { loadOrCreateKey, openDatabase } from '../../records/database.js';
import { modelCommands } from '../../models/cli/install-commands.js';
import { dataDirOf, modelsDirOf } from '../../config/paths.js';
import { modelAuditRow } from '../model-updates-wiring.js';
import { openSession } from '../sessions.js';
import type { Command } from '../../util/cli-command.js';

/**
 * `models list|keygen|pack|sign|verify|install|activate|rollback` (src/models/cli/), given what only the
 * composition root has: paths, the session opener of the provider in use (with its warm-up), the tasks.
 * Installs, activations and rollbacks go into the device's chained audit trail, the one the daemon writes
 * (same records database and device secret), opened for each event and closed at once.
 */
export const modelsCommands: Command[] = modelCommands({
  dataDirOf,
  modelsDirOf,
  open: (loaded, pkg) => openSession(loaded, pkg, pino({ level: 'warn' }, pino.destination(2))),
  knownTasks: supportedTasks(),
  audit: cliAudit,
});

function cliAudit(loaded: LoadedConfig): ModelAudit {
  const dataDir = dataDirOf(loaded);
  return (event) => {
    restrictNewFiles(); // the key files it may create hold secrets
    const db = openDatabase(join(dataDir, 'records.db'), loadOrCreateKey(join(dataDir, 'keys', 'records.key')));
    try {
      new AuditTrail(db, loadOrCreateKey(join(dataDir, 'keys', 'device.secret'), process.env, 'sonoedge-device-secret')).record(modelAuditRow(event, 'cli'));
    } finally {
      db.close();
    }
  };
}
