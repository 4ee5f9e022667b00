/**
 * A small fastify app of the access tests' own: the real access plugin over a real SQLite file, a route of
 * every declaration (one of them the WebSocket), Swagger UI (routes that cannot carry a declaration), and a
 * list of every route fastify registered, collected independently of the plugin.
 */
import { join } from 'node:path';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { type AccessServices, openAccess } from '../../src/access/access.js';
import { deviceNames } from '../../src/access/device-names.js';
import { type Db, loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { auditRequest } from '../../src/server/access/audit-request.js';
import accessPlugin from '../../src/server/access/plugin.js';
import type { HttpsOptions } from '../../src/access/tls.js';

export interface AccessTestApp {
  app: FastifyInstance;
  services: AccessServices;
  db: Db;
  deviceSecret: string;
  /** Every route fastify registered; `options` is the object the onRoute hooks saw (the plugin writes the resolved access into its config). */
  routes: Array<{ method: string; url: string; options: { config?: { access?: string } } }>;
}

/** Opens the same database and keys the CLI opens for `--data-dir dir`. */
export function openDataDir(dir: string): { db: Db; deviceSecret: string } {
  const db = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'keys', 'records.key'), {}));
  return { db, deviceSecret: loadOrCreateKey(join(dir, 'keys', 'device.secret'), {}, 'sonoedge-device-secret') };
}

export async function accessTestApp(dir: string, o: { https?: HttpsOptions; maxWebSockets?: number; signInMax?: number } = {}): Promise<AccessTestApp> {
  const { db, deviceSecret } = openDataDir(dir);
  const services = openAccess(db, deviceSecret);
  const app = (o.https ? Fastify({ https: o.https }) : Fastify()) as unknown as FastifyInstance;
  const routes: AccessTestApp['routes'] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, options: r });
  });
  await app.register(accessPlugin, {
    services, secure: o.https !== undefined, names: deviceNames(), maxWebSockets: o.maxWebSockets ?? 16,
    rateLimit: { max: 10_000, windowMs: 60_000, signInMax: o.signInMax ?? 1000 },
  });
  await app.register(fastifySwagger, { openapi: { info: { title: 'test', version: '0' } } });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket);
  app.get('/api/health', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/api/exams', { config: { access: 'clinician' } }, async (req) => {
    auditRequest(req, 'exam.list', null);
    return { exams: [{ patient: 'DOE^JANE' }] };
  });
  app.post('/api/exams', { config: { access: 'clinician' } }, async (req) => ({ by: req.principal?.name }));
  app.put('/api/source', { config: { access: 'technician' } }, async () => ({ ok: true }));
  app.get('/metrics', { config: { access: 'technician' } }, async () => 'metrics');
  app.get('/api/live', { websocket: true, config: { access: 'signed-in' } }, (socket, req) => socket.send(`hello ${req.principal?.name}`));
  app.addHook('onClose', async () => db.close());
  await app.ready();
  return { app, services, db, deviceSecret, routes };
}

export const PINS = { clinician: '482913', technician: 'technician-pass-1', admin: 'admin-password-1' } as const;

/** One account of each role (named after it), created through the services like the CLI does. */
export async function addRoleUsers(services: AccessServices): Promise<void> {
  for (const role of ['clinician', 'technician', 'admin'] as const) await services.users.add(role, role, PINS[role]);
}
