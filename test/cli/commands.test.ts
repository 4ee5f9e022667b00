import { describe, expect, it } from 'vitest';
import { COMMANDS, findCommand, runCli, usage } from '../../src/app/commands/index.js';
import type { Command } from '../../src/util/cli-command.js';
import { UsageError } from '../../src/util/cli-command.js';
import { runCli as runRealCli } from '../helpers/cli.js';

describe('the command table', () => {
  it('sonoedge --help lists every command of the table, in order', () => {
    const r = runRealCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(usage());
    for (const c of COMMANDS) expect(r.stdout).toContain(`  sonoedge ${c.name}`);
    for (const name of ['serve', 'analyze', 'doctor']) expect(COMMANDS.map((c) => c.name)).toContain(name);
  });

  it('an unknown command exits 2 with the usage', () => {
    const r = runRealCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sonoedge: unknown command "frobnicate"\nUsage:\n/);
  });

  it('the longest name wins, so several-word commands sit side by side; usage errors exit 2, failures 1', async () => {
    const ran: string[][] = [];
    const table: Command[] = [
      { name: 'models', usage: 'sonoedge models', run: async (argv) => void ran.push(['models', ...argv]) },
      { name: 'models install', usage: 'sonoedge models install FILE', run: async (argv) => void ran.push(['models install', ...argv]) },
      {
        name: 'backup',
        usage: 'sonoedge backup --to DIR',
        run: async () => {
          throw new UsageError('backup needs --to DIR');
        },
      },
      {
        name: 'restore',
        usage: 'sonoedge restore FILE',
        run: async () => {
          throw new Error('The backup file x is not a sonoedge backup');
        },
      },
      { name: 'audit verify', usage: 'sonoedge audit verify', run: async () => 1 },
    ];
    expect(findCommand(['models', 'install', 'a.pkg'], table)).toMatchObject({ command: { name: 'models install' }, rest: ['a.pkg'] });
    expect(await runCli(['models', 'install', 'a.pkg'], table)).toBe(0);
    expect(await runCli(['models', 'other'], table)).toBe(0);
    expect(ran).toEqual([
      ['models install', 'a.pkg'],
      ['models', 'other'],
    ]);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => stderr.push(s) > 0) as typeof process.stderr.write;
    try {
      expect(await runCli(['backup'], table)).toBe(2);
      expect(await runCli(['restore', 'x'], table)).toBe(1);
      expect(await runCli(['audit', 'verify'], table)).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toEqual([`sonoedge: backup needs --to DIR\n${usage(table)}\n`, 'sonoedge: The backup file x is not a sonoedge backup\n']);
  });
});

describe('help and bad arguments of a command', () => {
  it('COMMAND --help prints the usage of the commands so named and exits 0; an unknown option or a bad --port exits 2 with the usage', () => {
    const serveHelp = runRealCli(['serve', '--help']);
    expect(serveHelp).toMatchObject({ status: 0 });
    expect(serveHelp.stdout).toMatch(/^Usage:\n {2}sonoedge serve /);
    const usersHelp = runRealCli(['users', '--help']);
    expect(usersHelp.status).toBe(0);
    expect(usersHelp.stdout.split('\n').filter((l) => l.startsWith('  sonoedge users ')).length).toBeGreaterThanOrEqual(3);
    expect(usersHelp.stdout).not.toMatch(/sonoedge serve/);
    const unknown = runRealCli(['doctor', '--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^sonoedge: Unknown option '--frobnicate'.*\nUsage:\n/s);
    const port = runRealCli(['serve', '--port', 'abc']);
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/^sonoedge: --port needs a port number \(0 to 65535\), got "abc"\n/);
  });
});
