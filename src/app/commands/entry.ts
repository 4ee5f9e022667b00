/**
 * What the `sonoedge` process does before any command: everything the CLI and the daemon create (records, WAL,
 * calibration, keys, backups) is owner-only (umask 077), then the command table runs. Kept apart from
 * `runCli` so tests can run commands in their own process without changing its umask.
 */
import { restrictNewFiles } from '../../access/private-files.js';
import { runCli } from './index.js';

export async function main(argv: string[]): Promise<number> {
  restrictNewFiles();
  return runCli(argv);
}
