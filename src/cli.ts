#!/usr/bin/env node
/**
 * sonoedge command line: serve, analyze, models list, doctor. Results go to stdout, logs to stderr.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import pino from 'pino';
import { loadConfig } from './config/load.js';
import { startDaemon, modelsDirOf, openSessions } from './daemon.js';
import { runDoctor } from './doctor.js';
import { analyzeFiles } from './analyze/analyze-files.js';
import { enhanceFiles } from './analyze/enhance-files.js';
import { readPixelSizeCsv } from '../drivers/replay/replay.js';
import { listModelPackages } from './models/package.js';
import { errorMessage } from './errors.js';
import { ConfigReloader } from './reload.js';

const USAGE = `Usage:
  sonoedge serve [--config FILE] [--port N] [--host ADDR] [--data-dir DIR]
  sonoedge analyze --model ID [--pixel-size MM | --pixel-size-csv FILE] [--mask-dir DIR] [--image-dir DIR]
                   [--dating-ga WEEKS] [--config FILE] [--provider NAME] [--precision int8|fp32] IMAGE...
  sonoedge models list [--config FILE]
  sonoedge doctor [--config FILE]`;

function fail(message: string, code = 2): never {
  process.stderr.write(`sonoedge: ${message}\n`);
  process.exit(code);
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const overrides: Array<[string[], unknown]> = [];
  if (values.port !== undefined) overrides.push([['server', 'port'], Number(values.port)]);
  if (values.host !== undefined) overrides.push([['server', 'host'], values.host]);
  if (values['data-dir'] !== undefined) overrides.push([['dataDir'], resolve(values['data-dir'])]);
  const load = (): ReturnType<typeof loadConfig> => loadConfig(values.config, { overrides });
  const daemon = await startDaemon(load(), { guardProcess: true });
  process.stderr.write(`sonoedge is running: open ${daemon.url}/ (API docs at ${daemon.url}/docs)\n`);
  // An edited config file (or SIGHUP, the conventional reload signal) switches the source without a restart.
  const reloader = new ConfigReloader(daemon.runtime, load, daemon.app.log);
  if (values.config) reloader.watch(values.config);
  process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
  let closing = false;
  const shutdown = (sig: string): void => {
    if (closing) return;
    closing = true;
    reloader.close();
    daemon.app.log.info({ signal: sig }, 'shutting down');
    daemon.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function analyze(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' }, 'pixel-size': { type: 'string' }, 'pixel-size-csv': { type: 'string' }, 'mask-dir': { type: 'string' }, 'image-dir': { type: 'string' },
      'dating-ga': { type: 'string' }, config: { type: 'string' }, provider: { type: 'string' }, precision: { type: 'string' },
    },
  });
  if (!values.model) fail(`analyze needs --model ID\n${USAGE}`);
  if (positionals.length === 0) fail(`analyze needs at least one IMAGE\n${USAGE}`);
  if (values['pixel-size'] && values['pixel-size-csv']) fail('give --pixel-size or --pixel-size-csv, not both');
  const pixelSize = values['pixel-size'] !== undefined ? Number(values['pixel-size']) : undefined;
  if (pixelSize !== undefined && !(pixelSize > 0)) fail(`--pixel-size must be a positive number of millimetres, got "${values['pixel-size']}"`);
  const datingGa = values['dating-ga'] !== undefined ? Number(values['dating-ga']) : undefined;
  if (datingGa !== undefined && !(datingGa > 0 && datingGa < 45)) fail(`--dating-ga must be weeks between 0 and 45, got "${values['dating-ga']}"`);
  const overrides: Array<[string[], unknown]> = [[['models'], [{ id: values.model, everyN: 1 }]], [['inference', 'warmupRuns'], 0]];
  if (values.provider) overrides.push([['inference', 'providers'], values.provider.split(',')]);
  if (values.precision) overrides.push([['inference', 'precision'], values.precision]);
  const loaded = loadConfig(values.config, { overrides });
  const log = pino({ level: loaded.config.log.level }, pino.destination(2));
  const pixelSizes = values['pixel-size-csv'] ? readPixelSizeCsv(values['pixel-size-csv']) : undefined;
  const [session] = await openSessions(loaded, log);
  // an image-to-image model (enhance) writes images (--image-dir), not measurements
  const lines = session!.pkg.manifest.task === 'enhance'
    ? enhanceFiles(session!, positionals, { imageDir: values['image-dir'] })
    : analyzeFiles(session!, positionals, { pixelSize, pixelSizes, maskDir: values['mask-dir'], datingGaWeeks: datingGa });
  for await (const line of lines) {
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  await session!.release();
}

async function models(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'list') fail(`unknown models command "${sub ?? ''}"\n${USAGE}`);
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } } });
  const dir = modelsDirOf(loadConfig(values.config));
  const list = listModelPackages(dir);
  if (list.length === 0) process.stdout.write(`no model packages in ${dir}\n`);
  for (const p of list) {
    if ('manifest' in p) {
      const m = p.manifest;
      process.stdout.write(`${m.id}\t${m.version}\ttask=${m.task}\tfiles=${m.files.map((f) => `${f.precision}[${f.providers.join('/')}]`).join(',')}\n`);
    } else process.stdout.write(`${p.dir}\tINVALID\t${p.error.replace(/\n/g, ' ')}\n`);
  }
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'serve':
      return serve(rest);
    case 'analyze':
      return analyze(rest);
    case 'models':
      return models(rest);
    case 'doctor': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } } });
      const ok = await runDoctor(loadConfig(values.config), (line) => process.stdout.write(line + '\n'));
      process.exitCode = ok ? 0 : 1;
      return;
    }
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      fail(`unknown command "${cmd}"\n${USAGE}`);
  }
}

main().catch((err: unknown) => fail(errorMessage(err), 1));
