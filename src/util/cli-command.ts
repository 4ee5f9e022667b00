/** One `sonoedge` subcommand: its own file beside the code it drives, one line in the table (src/app/commands/index.ts). Any part may import this contract. */
export interface Command {
  /** What the user types, one or more words: "serve", "models list". */
  name: string;
  /** Its usage lines, shown by `sonoedge --help` (the first starts with "sonoedge <name>"). */
  usage: string;
  /**
   * Runs with the arguments after its name. Resolves with the exit status (undefined: 0). A long-running
   * command (serve) resolves once it is up and keeps the process alive itself. Throw UsageError for bad
   * arguments (exit 2), any other error for a failure (exit 1); both are printed as "sonoedge: message".
   */
  run(argv: string[]): Promise<number | void>;
}

/** Bad arguments: printed with the usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Writes a result line to stdout (logs go to stderr). */
export function out(line: string): void {
  process.stdout.write(line + '\n');
}
