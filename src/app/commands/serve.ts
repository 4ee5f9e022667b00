import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { startDaemon } from '../daemon.js';
import { ConfigReloader } from '../reload.js';
import { exposeServiceLifecycle, startServiceLifecycle } from '../service-wiring.js';
import { type Command, UsageError } from '../../util/cli-command.js';

export const serve: Command = {
  name: 'serve',
  usage: 'sonoedge serve [--config FILE] [--port N] [--host ADDR] [--data-dir DIR]',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } } });
    const overrides: Array<[string[], unknown]> = [];
    if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) throw new UsageError(`--port needs a port number (0 to 65535), got "${values.port}"`);
    if (values.port !== undefined) overrides.push([['server', 'port'], Number(values.port)]);
    if (values.host !== undefined) overrides.push([['server', 'host'], values.host]);
    if (values['data-dir'] !== undefined) overrides.push([['dataDir'], resolve(values['data-dir'])]);
    const load = (): ReturnType<typeof loadConfig> => loadConfig(values.config, { overrides });
    // Start-up can take minutes (a TensorRT engine build): a SIGHUP meanwhile is a reload to do once running (its
    // default action would kill the daemon), a SIGTERM/SIGINT a stop to do once the stop can be clean.
    const early: { reload: boolean; stop: string | undefined } = { reload: false, stop: undefined };
    const onEarlyHup = (): void => void (early.reload = true);
    const onEarlyStop = (sig: string): void => void (early.stop ??= sig);
    process.on('SIGHUP', onEarlyHup);
    process.on('SIGINT', onEarlyStop);
    process.on('SIGTERM', onEarlyStop);
    let daemon: Awaited<ReturnType<typeof startDaemon>>;
    try {
      daemon = await startDaemon(load(), { guardProcess: true });
    } finally {
      process.off('SIGHUP', onEarlyHup);
      process.off('SIGINT', onEarlyStop);
      process.off('SIGTERM', onEarlyStop);
    }
    process.stderr.write(`sonoedge is running: open ${daemon.url}/ (API docs at ${daemon.url}/docs)\n`);
    const lifecycle = startServiceLifecycle(daemon.runtime.pipeline, daemon.url, daemon.app.log);
    exposeServiceLifecycle(daemon.runtime, lifecycle);
    // An edited config file (or SIGHUP, the conventional reload signal) switches the source without a restart.
    const audit = daemon.runtime.access.services.audit;
    const reloader = new ConfigReloader(daemon.runtime, daemon.config, load, daemon.app.log, (why, o) => {
      try {
        audit.record({
          user: null,
          role: null,
          client: 'config-file',
          action: 'config.reload',
          target: why,
          outcome: o.ok ? 'ok' : 'failed',
          details: { sourceSwitched: o.sourceSwitched, applied: o.applied.join(','), needsRestart: o.needsRestart.join(',') },
        });
      } catch (err) {
        daemon.app.log.error({ err: err instanceof Error ? err.message : String(err) }, 'config reload could not be audited');
      }
    });
    if (values.config) reloader.watch(values.config);
    process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
    let closing = false;
    const shutdown = (sig: string): void => {
      if (closing) return;
      closing = true;
      reloader.close();
      daemon.app.log.info({ signal: sig }, 'shutting down');
      lifecycle
        .stopping(sig)
        .catch(() => {})
        .then(() => daemon.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    if (early.stop) shutdown(early.stop);
    else if (early.reload) void reloader.reload('SIGHUP');
  },
};
