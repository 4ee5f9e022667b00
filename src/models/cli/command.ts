import type { LoadedConfig } from '../../config/load.js';
import type { ModelPackage } from '../package.js';
import type { ModelAudit } from '../updates/installer.js';
import type { TrialEngine } from '../updates/test-vectors.js';

/**
 * The `models …` subcommands have the shape of the CLI's `Command` (src/util/cli-command.ts) without
 * importing it: src/models/ sits below the composition root, which hands in what only it can build.
 */
export interface ModelCommand {
  name: string;
  usage: string;
  run(argv: string[]): Promise<number | void>;
}

/** What the composition root provides: paths, the session opener of the provider in use, the runtime's tasks, the audit trail. */
export interface ModelCommandDeps {
  dataDirOf(loaded: LoadedConfig): string;
  modelsDirOf(loaded: LoadedConfig): string;
  open(loaded: LoadedConfig, pkg: ModelPackage): Promise<TrialEngine>;
  knownTasks: readonly string[];
  /** The audit trail for this config's device, if it has one; called once per command. */
  audit?(loaded: LoadedConfig): ModelAudit | undefined;
}

/** Bad arguments: printed with the command's usage, exit status 2 (see `withUsage`). */
export class CommandUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function print(line: string): void {
  process.stdout.write(line + '\n');
}

/** Answers a CommandUsageError with the message and the command's usage on stderr and exit status 2. */
export function withUsage(command: ModelCommand): ModelCommand {
  return {
    ...command,
    async run(argv) {
      try {
        return await command.run(argv);
      } catch (err) {
        if (!(err instanceof CommandUsageError)) throw err;
        process.stderr.write(`sonoedge: ${err.message}\nUsage:\n  ${command.usage}\n`);
        return 2;
      }
    },
  };
}
