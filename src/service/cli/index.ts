/** The service commands (backup, restore), registered with one line in src/app/commands/index.ts. */
import { BACKUP_USAGE, type DataDirOf, runBackup } from './backup.js';
import { RESTORE_USAGE, runRestore } from './restore.js';

export interface ServiceCommand {
  name: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** `dataDirOf`: the composition root's rule for where a config's data folder is (src/app/paths.ts). */
export function serviceCommands(dataDirOf: DataDirOf): ServiceCommand[] {
  return [
    { name: 'backup', usage: BACKUP_USAGE, run: (argv) => runBackup(argv, dataDirOf) },
    { name: 'restore', usage: RESTORE_USAGE, run: (argv) => runRestore(argv, dataDirOf) },
  ];
}
