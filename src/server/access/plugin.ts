/**
 * The access plugin: sign-in, sessions, roles, tokens, audit and the browser-facing defences, as one fastify
 * plugin. Register it FIRST in buildApp (before Swagger and every feature plugin): its onRoute hook must see
 * every route added after it, and it refuses to start when one declares no access.
 *
 *   await app.register(accessPlugin, accessPluginOptions(services, config.server, { secure }))
 *
 * Adds: `app.access` (the services), `request.principal` (who is calling), the routes under /api/session,
 * /api/users, /api/tokens and /api/audit; @fastify/cookie, @fastify/rate-limit (per client address) and
 * @fastify/helmet (security headers, HSTS on HTTPS).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessServices } from '../../access/access.js';
import { type DeviceNames, deviceNames } from '../../access/device-names.js';
import type { Access } from '../../access/roles.js';
import type { Config } from '../../config/schema.js';
import { ErrorCodes, SonoError } from '../../errors.js';
import { errorBody, toSonoError } from '../plugins/errors.js';
import { LIVE_DEFAULTS } from '../plugins/live-viewers.js';
import { adminRoutes } from './admin-routes.js';
import { installGuard, thirdPartyAccess } from './guard.js';
import { sessionRoutes } from './session-routes.js';
import './types.js';

export interface AccessPluginOptions {
  services: AccessServices;
  /** Served over HTTPS: the cookie becomes `__Host-sonoedge` with Secure, and HSTS is sent. */
  secure: boolean;
  /**
   * Names and addresses the Host header may carry: fixed, or a function read again (at most every 5 s) when a
   * Host is not among them, so an address the device gets after start-up is accepted without a restart.
   */
  names: DeviceNames | (() => DeviceNames);
  rateLimit: { max: number; windowMs: number; signInMax: number };
  maxWebSockets: number;
  /** server.live.maxViewersPerUser, read on each live upgrade (guard.ts) */
  viewersPerUser?: () => number;
  /** Access of routes added by plugins that take no route config; default: Swagger UI signed-in, static UI files public. */
  undeclared?: (route: RouteOptions) => Access | undefined;
}

/** The plugin's options from the `server` config section. */
export function accessPluginOptions(services: AccessServices, server: Config['server'], o: { secure: boolean }): AccessPluginOptions {
  return {
    services,
    secure: o.secure,
    names: () => deviceNames(server.allowedHosts, server.host),
    rateLimit: server.rateLimit,
    maxWebSockets: server.maxWebSockets,
    viewersPerUser: () => server.live?.maxViewersPerUser ?? LIVE_DEFAULTS.maxViewersPerUser,
  };
}

export function cookieNameFor(secure: boolean): string {
  // __Host- makes the browser refuse the cookie unless Secure, path=/ and no Domain: no subdomain can plant one
  return secure ? '__Host-sonoedge' : 'sonoedge';
}

async function accessPlugin(app: FastifyInstance, o: AccessPluginOptions): Promise<void> {
  const cookieName = cookieNameFor(o.secure);
  app.decorate('access', o.services);
  const checks = new Set<() => void>();
  app.decorate('credentialsEnded', {
    listen: (check: () => void) => {
      checks.add(check);
      return () => void checks.delete(check);
    },
    tell: () => {
      for (const check of [...checks]) check();
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    hsts: o.secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:', 'blob:'],
        'worker-src': ["'self'", 'blob:'],
        // on plain HTTP (loopback) asking the browser to upgrade would break every request
        'upgrade-insecure-requests': o.secure ? [] : null,
      },
    },
  });
  installGuard(app, {
    services: o.services,
    names: o.names,
    secure: o.secure,
    cookieName,
    maxWebSockets: o.maxWebSockets,
    ...(o.viewersPerUser ? { viewersPerUser: o.viewersPerUser } : {}),
    undeclared: o.undeclared ?? thirdPartyAccess,
  });
  await app.register(fastifyRateLimit, {
    global: true,
    max: o.rateLimit.max,
    timeWindow: o.rateLimit.windowMs,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(
        new SonoError(ErrorCodes.ACCESS_RATE_LIMITED, `Too many requests from this address (${ctx.max} per ${Math.round(ctx.ttl / 1000) || 1} s at most); wait ${Math.ceil(ctx.ttl / 1000)} s.`),
        { statusCode: ctx.statusCode },
      ),
  });
  // The account routes in a scope of their own with the app's one error handler: bad input, a body too large or
  // a storage failure answer { code: SONO_*, message, statusCode } like every other API route, not fastify's
  // FST_* codes or a bare 500. A scope: the handler must not reach the routes added after this plugin.
  await app.register(async (scope) => {
    scope.setErrorHandler(accessErrorHandler);
    sessionRoutes(scope, { cookieName, secure: o.secure, signInLimit: { max: o.rateLimit.signInMax, timeWindow: o.rateLimit.windowMs } });
    adminRoutes(scope);
  });
}

/** What the errors plugin's handler does (src/server/plugins/errors.ts), for the account routes. */
function accessErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toSonoError(err);
  const body = errorBody(e);
  if (body.statusCode >= 500) req.log.error({ err, code: e.code, url: req.url }, 'request failed');
  else req.log.info({ code: e.code, url: req.url, status: body.statusCode }, e.message);
  // a body refused before it was read to its end: close the connection after the answer
  if (!req.raw.complete) void reply.header('connection', 'close');
  return reply.code(body.statusCode).send(body);
}

export default fp(accessPlugin, { name: 'sonoedge-access', fastify: '5.x' });
