import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { listModelPackages } from '../package.js';
import { activateVersion, describeModels, rollbackModel } from '../updates/activation.js';
import { installPackage } from '../updates/installer.js';
import { trustStoreOf } from '../updates/keys.js';
import { refuseRootOnForeignDataDir } from '../../util/data-owner.js';
import { ModelStore } from '../updates/store.js';
import { type ModelCommand, type ModelCommandDeps, CommandUsageError, print, withUsage } from './command.js';
import { keygen, pack, sign, verify } from './package-commands.js';

/** `models install`, `models activate`, `models rollback`, `models list`: the device's side. */

const STORE_OPTIONS = { config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;

/** The config with --data-dir in force: the store and the audit trail (records database) both live there. */
function loadWithDataDir(values: { config?: string; 'data-dir'?: string }): LoadedConfig {
  return loadConfig(values.config, values['data-dir'] !== undefined ? { overrides: [[['dataDir'], resolve(values['data-dir'])]] } : {});
}

function storeOf(deps: ModelCommandDeps, loaded: LoadedConfig, dataDir: string | undefined): ModelStore {
  return new ModelStore(dataDir ? resolve(dataDir) : deps.dataDirOf(loaded), deps.modelsDirOf(loaded));
}

/** For a command that writes the store (and the audit trail): refused as root on a data folder the service user owns. */
function refuseRoot(deps: ModelCommandDeps, loaded: LoadedConfig, dataDir: string | undefined): void {
  refuseRootOnForeignDataDir(dataDir ? resolve(dataDir) : deps.dataDirOf(loaded));
}

/**
 * Test hook: with SONOEDGE_TEST_INSTALL_PAUSE_AT=<point> the install stops at that crash point, says so on
 * stderr and waits, so a test can SIGKILL it exactly there. Unset, it costs nothing.
 */
function pauseHook(): ((point: string) => Promise<void>) | undefined {
  const at = process.env.SONOEDGE_TEST_INSTALL_PAUSE_AT;
  if (!at) return undefined;
  return async (point) => {
    if (point !== at) return;
    process.stderr.write(`paused at ${point}\n`);
    await new Promise<void>(() => setInterval(() => {}, 60_000));
  };
}

function install(deps: ModelCommandDeps): ModelCommand {
  return {
    name: 'models install',
    usage: 'sonoedge models install FILE [--config FILE] [--data-dir DIR] [--no-activate] [--allow-downgrade]',
    async run(argv) {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...STORE_OPTIONS, 'no-activate': { type: 'boolean' }, 'allow-downgrade': { type: 'boolean' } } });
      if (positionals.length !== 1) throw new CommandUsageError('models install needs one FILE');
      const loaded = loadWithDataDir(values);
      refuseRoot(deps, loaded, values['data-dir']);
      const updates = loaded.config.modelUpdates;
      const report = await installPackage(readFileSync(positionals[0]!), {
        store: storeOf(deps, loaded, values['data-dir']),
        trust: trustStoreOf(updates, loaded.baseDir),
        updates,
        open: (pkg) => deps.open(loaded, pkg),
        knownTasks: deps.knownTasks,
        activate: values['no-activate'] !== true,
        allowDowngrade: values['allow-downgrade'] === true,
        by: `cli:${process.env.USER ?? 'unknown'}`,
        audit: deps.audit?.(loaded),
        onStep: (s) => print(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(13)} ${s.ms} ms${s.detail ? `  ${s.detail.split('\n')[0]}` : ''}${s.code ? `  [${s.code}]` : ''}`),
        pause: pauseHook(),
      });
      if (!report.ok) {
        process.stderr.write(`sonoedge: ${report.failed!.message} [${report.failed!.code}, step ${report.failed!.step}]\n`);
        return 1;
      }
      print(`${report.id} ${report.version} ${report.activated ? 'installed and active (a running daemon picks it up on restart)' : 'installed, not active'}`);
    },
  };
}

function activate(deps: ModelCommandDeps): ModelCommand {
  return {
    name: 'models activate',
    usage: 'sonoedge models activate ID VERSION [--config FILE] [--data-dir DIR]   (VERSION "bundled": the factory package)',
    async run(argv) {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: STORE_OPTIONS });
      if (positionals.length !== 2) throw new CommandUsageError('models activate needs ID and VERSION');
      const [id, version] = positionals as [string, string];
      const loaded = loadWithDataDir(values);
      refuseRoot(deps, loaded, values['data-dir']);
      const by = `cli:${process.env.USER ?? 'unknown'}`;
      const audit = deps.audit?.(loaded);
      try {
        await activateVersion(storeOf(deps, loaded, values['data-dir']), id, version === 'bundled' ? null : version, { by, reason: 'activated by hand' });
      } catch (err) {
        await audit?.({ action: 'model.activate', outcome: 'failed', target: id, details: { version, by } });
        throw err;
      }
      await audit?.({ action: 'model.activate', outcome: 'ok', target: id, details: { version, by } });
      print(`${id} ${version} is active (a running daemon picks it up on restart)`);
    },
  };
}

function rollback(deps: ModelCommandDeps): ModelCommand {
  return {
    name: 'models rollback',
    usage: 'sonoedge models rollback ID [--config FILE] [--data-dir DIR]',
    async run(argv) {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: STORE_OPTIONS });
      if (positionals.length !== 1) throw new CommandUsageError('models rollback needs one ID');
      const loaded = loadWithDataDir(values);
      refuseRoot(deps, loaded, values['data-dir']);
      const by = `cli:${process.env.USER ?? 'unknown'}`;
      const audit = deps.audit?.(loaded);
      try {
        const r = await rollbackModel(storeOf(deps, loaded, values['data-dir']), positionals[0]!, { by, reason: 'rolled back by hand' });
        await audit?.({ action: 'model.rollback', outcome: 'ok', target: positionals[0]!, details: { from: r.from, to: r.to, by } });
        print(`${positionals[0]} rolled back from ${r.from} to ${r.to} (a running daemon picks it up on restart)`);
      } catch (err) {
        await audit?.({ action: 'model.rollback', outcome: 'failed', target: positionals[0]!, details: { by } });
        throw err;
      }
    },
  };
}

function list(deps: ModelCommandDeps): ModelCommand {
  return {
    name: 'models list',
    usage: 'sonoedge models list [--config FILE] [--data-dir DIR]',
    async run(argv) {
      const { values } = parseArgs({ args: argv, options: STORE_OPTIONS });
      const loaded = loadWithDataDir(values);
      const dir = deps.modelsDirOf(loaded);
      const bundled = listModelPackages(dir);
      for (const p of bundled) if (!('manifest' in p)) print(`${p.dir}\tINVALID\t${p.error.replace(/\n/g, ' ')}`);
      const views = describeModels(storeOf(deps, loaded, values['data-dir']), bundled.flatMap((p) => ('manifest' in p ? [p.manifest.id] : [])));
      if (views.length === 0) print(`no model packages in ${dir}`);
      for (const v of views) {
        if ('error' in v.active) {
          print(`${v.id}\tINVALID\t${v.active.error.replace(/\n/g, ' ')}`);
          continue;
        }
        const store = storeOf(deps, loaded, values['data-dir']);
        const m = store.resolveActive(v.id).pkg.manifest;
        print(`${v.id}\t${v.active.version}\ttask=${m.task}\tfiles=${m.files.map((f) => `${f.precision}[${f.providers.join('/')}]`).join(',')}\tactive=${v.active.source}\twhy=${v.active.why}`);
        if (v.bundled) print(`  ${v.bundled}\tbundled${v.active.source === 'bundled' ? '\tACTIVE' : ''}`);
        for (const i of v.installed) print(`  ${i.version}\tinstalled${i.active ? '\tACTIVE' : ''}`);
        for (const h of v.history.slice(-5)) print(`  ${h.at}\t${h.event}\t${h.version ?? 'bundled'}\t${h.by}${h.detail ? `\t${h.detail}` : ''}`);
      }
    },
  };
}

/** Every `models …` command, for the CLI's table. */
export function modelCommands(deps: ModelCommandDeps): ModelCommand[] {
  return [list(deps), keygen, pack, sign, verify, install(deps), activate(deps), rollback(deps)].map(withUsage);
}
