import { statfs } from 'node:fs/promises';
import { HealthDto } from '../../protocol/rest/index.js';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { isLoopback } from '../../access/device-names.js';
import type { Role } from '../../access/roles.js';
import { checkDeviceSecret } from '../../service/device-secret-check.js';
import type { Runtime } from '../runtime.js';

/** Health says so when a clinic chose plain HTTP beyond loopback (issue 17): it is a choice to see, not hide. */
function insecureHttp(server: Runtime['config']['server']): boolean {
  return server.tls === undefined && server.allowInsecureHttp && !isLoopback(server.host);
}

async function diskOf(path: string): Promise<{ path: string; freeBytes: number; totalBytes: number } | undefined> {
  try {
    const s = await statfs(path);
    return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/** Free space with the disk guard's level and what to do (never a patient's data); statfs alone where no guard is wired. */
async function diskWithGuard(rt: Runtime): Promise<HealthDto['disk']> {
  const disk = await diskOf(rt.dataDir);
  const g = rt.disk?.state;
  if (!disk || !g) return disk;
  return { ...disk, level: g.level, message: g.message, warnFreeMb: g.warnFreeMb, stopCineFreeMb: g.stopCineFreeMb, refuseFreeMb: g.refuseFreeMb };
}

/** Who may read the host's details: the data folder's path and disk sizes, and error texts (which can name files or devices). */
function seesHost(role: Role | undefined): boolean {
  return role === 'admin' || role === 'technician';
}

/** The fields `keys` of `o` that it has (undefined stays undefined). */
function pick<T extends object, K extends keyof T>(o: T | undefined, keys: readonly K[]): Pick<T, K> | undefined {
  if (o === undefined) return undefined;
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * Health as anyone else reads it (no account, or a clinician), by allow-list so a field added later stays with
 * the technician until chosen here: readiness, models, source, pipeline and fault counters, the service and the
 * plain-HTTP warning. Never the disk (the data folder's path, the host's disk sizes) nor an error text (a file,
 * a device, a library path: source, pipeline, probe, start-up, provider attempts), nor the device secret's state
 * (deviceSecretWarning: a technician's or an administrator's to act on, and it names a file).
 */
function withoutHostDetails(h: HealthDto): HealthDto {
  return {
    ...pick(h, ['status', 'provider', 'insecureHttp', 'uptimeSeconds', 'service'])!,
    models: h.models.map((m) => ({ ...pick(m, ['id', 'version', 'task', 'provider', 'precision', 'healthWindow'])!, attempts: m.attempts.map(({ provider, ok }) => ({ provider, ok })) })),
    source: pick(h.source, ['driver', 'state', 'connected', 'fps', 'framesDelivered', 'errors']),
    pipeline: pick(h.pipeline, ['framesIn', 'framesTaken', 'framesDropped', 'errors', 'framesRejected', 'sourceFaults', 'framesSkipped']),
    faults: pick(h.faults, ['attributed', 'unattributed']),
    probe: pick(h.probe, ['driver', 'connected', 'framesOk', 'crcErrors', 'unknownTypes', 'garbageBytes']),
  };
}

/** The device secret's state, for those who see the host's details only: it costs a file read, done for them alone. */
function deviceSecretOf(access: { isDeviceSecret(s: string): boolean } | undefined, dataDir: string, sees: boolean): Pick<HealthDto, 'deviceSecretWarning'> {
  if (!sees || !access) return {};
  const warning = checkDeviceSecret(dataDir, (s) => access.isDeviceSecret(s));
  return warning ? { deviceSecretWarning: warning } : {};
}

/** GET /api/health: 503 "starting" until sessions are warm and the source runs, then 200. */
const health: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Readiness, execution provider, models and source',
        description: 'Public. Without an account, and to a clinician: no disk (data folder path, sizes) and no error texts (they can name files); a technician or admin reads all of it.',
        response: { 200: HealthDto, 503: HealthDto },
      },
    },
    async (req, reply) => {
      const rt = app.sono;
      const source = rt.pipeline?.source?.health();
      const stats = rt.pipeline?.stats();
      const body: HealthDto = {
        status: rt.state.startupError ? ('failed' as const) : rt.state.ready ? ('ok' as const) : ('starting' as const),
        provider: rt.sessions[0]?.provider,
        models: rt.sessions.map((s) => {
          const window = rt.modelUpdates?.health(s.id);
          return {
            id: s.id,
            version: s.version,
            task: s.pkg.manifest.task,
            provider: s.provider,
            precision: s.file.precision,
            attempts: s.attempts,
            ...(window ? { healthWindow: window.state } : {}),
          };
        }),
        source,
        pipeline: stats && {
          framesIn: stats.framesIn,
          framesTaken: stats.framesTaken,
          framesDropped: stats.framesDropped,
          errors: stats.errors,
          lastError: stats.lastError,
          framesRejected: stats.framesRejected,
          lastRejected: stats.lastRejected,
          sourceFaults: stats.sourceFaults,
          lastSourceFault: stats.lastSourceFault,
          framesSkipped: Object.fromEntries(Object.entries(stats.models).map(([id, m]) => [id, m.framesSkipped])),
        },
        faults: rt.faults,
        error: rt.state.startupError,
        ...(insecureHttp(rt.config.server) ? { insecureHttp: true as const } : {}),
        uptimeSeconds: (Date.now() - rt.startedAt) / 1000,
        disk: await diskWithGuard(rt),
        ...deviceSecretOf(app.access, rt.dataDir, seesHost(req.principal?.role)),
        service: rt.service?.snapshot(),
        probe: rt.probe?.health(),
      };
      // what a caller sees depends on who it is: no shared cache may hand one caller's answer to another
      void reply.header('cache-control', 'no-store');
      return reply.code(body.status === 'ok' ? 200 : 503).send(seesHost(req.principal?.role) ? body : withoutHostDetails(body));
    },
  );
};

export default fp(health, { name: 'sonoedge-health' });
