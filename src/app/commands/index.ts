import { ACCESS_COMMANDS } from '../../access/cli/index.js';
import { errorMessage } from '../../errors.js';
import { analyze } from './analyze.js';
import { type Command, UsageError, out } from '../../util/cli-command.js';
import { doctor } from './doctor.js';
import { modelsCommands } from './models.js';
import { qaExport } from './qa-export.js';
import { serve } from './serve.js';
import { serviceCommands } from '../../service/cli/index.js';
import { dataDirOf } from '../../config/paths.js';

/**
 * Every `sonoedge` subcommand, in the order `--help` lists them.
 *
 * To add one (`users add`, `tokens create`, `audit verify`, `models install`, `backup`, `restore`…): write
 * a file exporting a `Command` (src/util/cli-command.ts, importable from any part) beside the code it
 * drives, import it here and add one line to this table. A name may have several words ("models install");
 * the longest name matching the start of the arguments wins, so "models" commands live side by side
 * without a dispatcher of their own.
 */
export const COMMANDS: readonly Command[] = [serve, analyze, ...modelsCommands, doctor, ...ACCESS_COMMANDS, ...serviceCommands(dataDirOf), qaExport];

export function usage(commands: readonly Command[] = COMMANDS): string {
  return `Usage:\n${commands.map((c) => `  ${c.usage}`).join('\n')}`;
}

/** The command named by the start of `argv`, and the arguments after its name. */
export function findCommand(argv: string[], commands: readonly Command[] = COMMANDS): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length)) best = { command, rest: argv.slice(words.length) };
  }
  return best;
}

/** Runs the command line; resolves with the exit status (a long-running command keeps the process alive itself). */
export async function runCli(argv: string[], commands: readonly Command[] = COMMANDS): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === 'help') {
    out(usage(commands));
    return 0;
  }
  const found = findCommand(argv, commands);
  // `sonoedge users --help`, `sonoedge serve -h`: the usage of the commands named so far, exit 0
  const helpAt = argv.findIndex((a) => a === '--help' || a === '-h');
  if (helpAt > 0) {
    const named = argv.slice(0, helpAt).filter((a) => !a.startsWith('-'));
    const matching = commands.filter((c) => named.every((w, i) => c.name.split(' ')[i] === w));
    if (matching.length > 0) {
      out(usage(matching));
      return 0;
    }
  }
  try {
    if (!found) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"`);
    return (await found.command.run(found.rest)) ?? 0;
  } catch (err) {
    // by name too: a part may throw its own usage error class (src/models/cli/command.ts); node:util parseArgs
    // throws a TypeError coded ERR_PARSE_ARGS_* for an unknown option or a missing value: bad arguments too
    const parseArgs = err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
    if (err instanceof UsageError || (err instanceof Error && err.name === 'UsageError') || parseArgs) {
      process.stderr.write(`sonoedge: ${(err as Error).message}\n${usage(commands)}\n`);
      return 2;
    }
    process.stderr.write(`sonoedge: ${errorMessage(err)}\n`);
    return 1;
  }
}
