import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, LogController } from 'fastify';
import type { Logger } from 'pino';
import accessPlugin, { accessPluginOptions } from './access/plugin.js';
import bestFrame from './plugins/best-frame.js';
import captures from './plugins/captures.js';
import clips from './plugins/clips.js';
import errors from './plugins/errors.js';
import health from './plugins/health.js';
import live from './plugins/live.js';
import metrics from './plugins/metrics.js';
import models from './plugins/models.js';
import examRecord from './plugins/exam-record.js';
import patients from './plugins/patients.js';
import records from './plugins/records.js';
import report from './plugins/report.js';
import secondRead from './plugins/second-read.js';
import signOff from './plugins/sign-off.js';
import sync from './plugins/sync.js';
import source from './plugins/source.js';
import sourceRegion from './plugins/source-region.js';
import systemBackup from './plugins/system-backup.js';
import systemTls from './plugins/system-tls.js';
import webUi from './plugins/web-ui.js';
import worklist from './plugins/worklist.js';
import type { Runtime } from './runtime.js';

/**
 * JSON bodies are small (an exam, a decision, a source switch): 64 KiB, unless a route sets its own limit
 * (a corrected outline; the frame capture, bounded by the source's frame size). Only the frame-capture route
 * reads application/octet-stream.
 */
export const JSON_BODY_LIMIT = 64 * 1024;

/** How often Node looks for requests past their timeout (see buildApp). */
const CONNECTION_CHECKS = { connectionsCheckingInterval: 1000 } as const;

/**
 * Lets the requests whose socket is in `paced` run past Node's requestTimeout: when it expires Node hands the
 * socket to the server's 'clientError' listeners (ERR_HTTP_REQUEST_TIMEOUT) and no longer times that request;
 * Fastify's listener would answer 408 and destroy it. A paced request is a technician's model package upload,
 * which its own pace guard cuts instead (src/models/updates/upload-pace.ts); every other error and request goes
 * to Fastify's listener as before.
 */
function exemptPacedRequests(server: Server, paced: WeakSet<Socket>): void {
  const listeners = server.listeners('clientError') as Array<(err: NodeJS.ErrnoException, socket: Socket) => void>;
  server.removeAllListeners('clientError');
  server.on('clientError', function (this: Server, err: NodeJS.ErrnoException, socket: Socket) {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && paced.has(socket)) return;
    if (listeners.length === 0) socket.destroy(); // what Node does with no listener, less its 400
    for (const l of listeners) l.call(this, err, socket);
  });
}

/**
 * Builds the HTTP app: the access plugin first (every route added after it must declare who may call it, and
 * every request is checked before anything else), then one plugin per feature, services from `runtime`, every
 * error through one handler. HTTPS when `runtime.access` carries a certificate.
 */
export async function buildApp(runtime: Runtime, logger: Logger): Promise<FastifyInstance> {
  const { access } = runtime;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    ajv: { customOptions: { removeAdditional: false } },
    // Fastify sets server.requestTimeout after making the server, leaving headersTimeout at Node's 60 s: Node then
    // times a request's headers by the shorter of the two and the whole request by the longer (it swaps them).
    requestTimeout: runtime.config.server.requestTimeoutMs,
    // Node drops a request past requestTimeout only when it next checks its connections (every 30 s by default),
    // so a stalled client (slowloris) could hold its socket that much longer; checking every second bounds it.
    ...(access.https ? { https: { ...access.https, ...CONNECTION_CHECKS } } : { http: CONNECTION_CHECKS }),
  }) as unknown as FastifyInstance;
  const pacedSockets = new WeakSet<Socket>();
  exemptPacedRequests(app.server, pacedSockets);
  app.decorate('sono', runtime);
  await app.register(accessPlugin, accessPluginOptions(access.services, runtime.config.server, { secure: access.secure }));
  await app.register(fastifySwagger, {
    openapi: { info: { title: 'sonoedge', version: '0.1.0', description: 'Point-of-care ultrasound AI runtime API' } },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  const updates = runtime.modelUpdates;
  const modelRoutes: FastifyPluginAsync[] = updates
    ? [
        async (api) => {
          const { maxPackageBytes, upload } = runtime.config.modelUpdates;
          await api.register(models, { service: updates, maxPackageBytes, actorOf: (req) => req.principal?.name ?? 'unknown', upload: { pace: upload, pacedSockets } });
        },
      ]
    : [];
  await app.register(errors, {
    features: [
      health,
      metrics,
      live,
      bestFrame,
      records,
      examRecord,
      patients,
      captures,
      clips,
      sync,
      source,
      sourceRegion,
      report,
      signOff,
      secondRead,
      worklist,
      systemTls,
      systemBackup,
      ...modelRoutes,
      webUi,
    ],
  });
  return app;
}
