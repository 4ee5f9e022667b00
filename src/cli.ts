#!/usr/bin/env node
/**
 * The `sonoedge` command line (package.json "bin"). Commands live in src/app/commands/, listed in one table
 * (src/app/commands/index.ts). Results go to stdout, logs to stderr.
 */
import { main } from './app/commands/entry.js';

const status = await main(process.argv.slice(2));
// A failure exits at once: a start-up that failed halfway may leave a handle behind (a step abandoned past its deadline).
if (status !== 0) process.exit(status);
