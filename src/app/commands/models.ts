import pino from 'pino';
import { supportedTasks } from '../../analysis/tasks.js';
import { modelCommands } from '../../models/cli/install-commands.js';
import { dataDirOf, modelsDirOf } from '../../config/paths.js';
import { openSession } from '../sessions.js';
import type { Command } from '../../util/cli-command.js';

/**
 * `models list|keygen|pack|sign|verify|install|activate|rollback` (src/models/cli/), given what only the
 * composition root has: paths, the session opener of the provider in use (with its warm-up), the tasks.
 * The audit trail is not wired yet: `audit` stays undefined until the CLI opens the device's trail.
 */
export const modelsCommands: Command[] = modelCommands({
  dataDirOf,
  modelsDirOf,
  open: (loaded, pkg) => openSession(loaded, pkg, pino({ level: 'warn' }, pino.destination(2))),
  knownTasks: supportedTasks(),
});
