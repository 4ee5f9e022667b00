#!/usr/bin/env node
/**
 * The `sonoedge` command line (package.json "bin"). Commands live in src/app/commands/, listed in one table
 * (src/app/commands/index.ts). Results go to stdout, logs to stderr.
 */
import { restrictNewFiles } from './access/private-files.js';
import { runCli } from './app/commands/index.js';

// Everything the CLI and the daemon create (records, WAL, calibration, keys, backups) is owner-only: umask 077.
restrictNewFiles();

const status = await runCli(process.argv.slice(2));
// A failure exits at once: a start-up that failed halfway may leave a handle behind (a step abandoned past its deadline).
if (status !== 0) process.exit(status);
