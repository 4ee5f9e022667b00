import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Forks the module `name` that sits beside `from` (an import.meta.url) as a child process with an IPC
 * channel: the compiled .js in production, or the .ts source through tsx when running from sources.
 */
export function forkModule(from: string, name: string): ChildProcess {
  const ts = from.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${name}.${ts ? 'ts' : 'js'}`, from));
  return fork(file, [], { execArgv: ts ? ['--import', 'tsx'] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
}
