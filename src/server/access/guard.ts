/**
 * The two hooks every request and every route go through.
 * - onRoute: a route must declare who may call it (`config: { access }`), or be one the plugin recognises
 *   (`undeclared`); anything else throws, so the server does not start with an open route.
 * - onRequest, before body parsing and before any handler: the Host header, the credentials (session cookie
 *   or `Authorization: Bearer`), the Origin of cookie requests that change state and of every WebSocket
 *   upgrade, the role, and the cap on open WebSockets.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AccessServices } from '../../access/access.js';
import { type DeviceNames, deviceHostCheck } from '../../access/device-names.js';
import { type Access, allows, isAccess } from '../../access/roles.js';
import type { Principal } from '../../access/sessions.js';
import { type ErrorCode, ErrorCodes, SonoError } from '../../errors.js';
import { clientOf } from './client.js';
import { refuse as send } from './refuse.js';

export interface GuardOptions {
  services: AccessServices;
  /** The names the Host header may carry; a function is read again when a Host is not among them (deviceHostCheck). */
  names: DeviceNames | (() => DeviceNames);
  secure: boolean;
  cookieName: string;
  maxWebSockets: number;
  /**
   * server.live.maxViewersPerUser, read on each upgrade: a user already holding that many live views is let in on
   * a full device, because the live plugin then closes that user's oldest view (live-viewers.ts): no place is
   * taken in the end. Without it a clinician who reopens the tab on a full device was refused until pings freed a place.
   */
  viewersPerUser?: () => number;
  /** The access of a route that cannot carry a declaration (one added by a third-party plugin), or undefined. */
  undeclared: (route: RouteOptions) => Access | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes added by plugins that take no route config: Swagger UI (signed-in) and the static web UI shell (public). */
export function thirdPartyAccess(route: RouteOptions): Access | undefined {
  if (route.url === '/docs' || route.url.startsWith('/docs/')) return 'signed-in';
  // @fastify/static marks each file route with its root folder; the UI shell must load before sign-in
  const config = route.config as { rootPath?: unknown } | undefined;
  if (config?.rootPath !== undefined && !route.url.startsWith('/api/')) return 'public';
  return undefined;
}

/** A request that matched no route: probing /api, /metrics or /docs needs credentials too. */
function accessOfUnrouted(url: string): Access {
  return /^\/(api|metrics|docs)(\/|\?|$)/.test(url) ? 'signed-in' : 'public';
}

export function installGuard(app: FastifyInstance, o: GuardOptions): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const declared = route.config?.access ?? o.undeclared(route);
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    if (!isAccess(declared)) {
      throw new SonoError(
        ErrorCodes.ACCESS_ROUTE_UNDECLARED,
        `Route ${methods} ${route.url} declares no access: add config: { access: 'public' | 'signed-in' | 'clinician' | 'technician' | 'admin' } to its options (src/access/roles.ts).`,
      );
    }
    route.config = { ...route.config, access: declared };
  });

  let openWebSockets = 0;
  /** open WebSockets per user id (the live view is the only WebSocket route) */
  const openByUser = new Map<number, number>();
  const isDeviceHost = deviceHostCheck(o.names);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // asks for a WebSocket: held to the Origin rule of requests that change something
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    // and is one: Node handed the socket over to the upgrade (Connection: upgrade too), so it leaves the HTTP
    // server and carries no other request. Only these count against the cap: a keep-alive request that merely
    // carries the header is an ordinary request, and counting it (until its connection closed) let one client
    // fill the cap (review: 16 such GETs on one connection, then a clinician's live view got 503).
    const realUpgrade = upgrade && (req.raw as { upgrade?: boolean }).upgrade === true;
    const refuse = (status: number, code: ErrorCode, message: string): FastifyReply => {
      // a refused upgrade's socket has left the HTTP server: close it once the answer is out, or it lingers
      if (realUpgrade) reply.raw.once('finish', () => req.raw.socket.destroy());
      return send(reply, status, code, message);
    };
    const host = req.headers.host;
    if (!host || !isDeviceHost(host)) {
      return refuse(421, ErrorCodes.ACCESS_HOST_REFUSED, `Host "${host ?? ''}" is not a name of this device; use its address, or add the name to server.allowedHosts.`);
    }
    const access = req.is404 ? accessOfUnrouted(req.url) : (req.routeOptions.config.access ?? 'signed-in');
    const changesState = upgrade || !SAFE_METHODS.has(req.method);
    const origin = req.headers.origin;
    const sameOrigin = origin !== undefined && origin === `${o.secure ? 'https' : 'http'}://${host}`;
    // a page elsewhere must not sign someone in, or act with their cookie
    if (changesState && origin !== undefined && !sameOrigin) {
      return refuse(403, ErrorCodes.ACCESS_ORIGIN_REFUSED, `Origin ${origin} is not this device; requests that change something must come from the sonoedge UI itself.`);
    }
    const found = authenticate(req, o);
    if (found === 'expired' && access !== 'public') {
      void reply.clearCookie(o.cookieName, { path: '/' });
      return refuse(401, ErrorCodes.ACCESS_SESSION_EXPIRED, 'The session has ended (idle or too long); sign in again.');
    }
    const principal = found === 'expired' || found === 'invalid' || found === undefined ? null : found;
    if (access === 'public') {
      req.principal = principal;
      return;
    }
    if (!principal) {
      return refuse(
        401,
        ErrorCodes.ACCESS_UNAUTHENTICATED,
        found === 'invalid'
          ? 'The credentials sent are not valid (revoked token, ended session or disabled account); sign in again.'
          : 'Sign in first: POST /api/session with { user, secret }, or send Authorization: Bearer TOKEN.',
      );
    }
    // a cookie rides along with any request the browser makes; only the UI's own page may use it to act
    if (principal.via === 'session' && changesState && !sameOrigin) {
      return refuse(403, ErrorCodes.ACCESS_ORIGIN_REFUSED, 'This request carries the session cookie but no Origin header; it must come from the sonoedge UI itself.');
    }
    if (!allows(principal.role, access)) {
      o.services.audit.record({
        user: principal.name,
        role: principal.role,
        client: clientOf(req),
        action: 'access.denied',
        target: `${req.method} ${req.routeOptions.url ?? req.url}`,
        outcome: 'denied',
        details: { needs: access },
      });
      return refuse(403, ErrorCodes.ACCESS_FORBIDDEN, `${req.method} ${req.routeOptions.url ?? req.url} needs the ${access} role; ${principal.name} is signed in as ${principal.role}.`);
    }
    req.principal = principal;
    if (realUpgrade) {
      const uid = principal.userId;
      const own = openByUser.get(uid) ?? 0;
      const replacesOwn = o.viewersPerUser !== undefined && own >= o.viewersPerUser();
      if (openWebSockets >= o.maxWebSockets && !replacesOwn) {
        return refuse(
          503,
          ErrorCodes.ACCESS_TOO_MANY_WEBSOCKETS,
          `${openWebSockets} WebSocket connections are open, the most server.maxWebSockets allows; close a live view elsewhere or raise the limit.`,
        );
      }
      openWebSockets++;
      openByUser.set(uid, own + 1);
      req.raw.socket.once('close', () => {
        openWebSockets--;
        const left = (openByUser.get(uid) ?? 1) - 1;
        if (left > 0) openByUser.set(uid, left);
        else openByUser.delete(uid);
      });
    }
  });
}

/** The principal behind the request's credentials: a bearer token first (scripts), else the session cookie. */
function authenticate(req: FastifyRequest, o: GuardOptions): Principal | 'expired' | 'invalid' | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return (m && o.services.tokens.resolve(m[1]!)) || 'invalid';
  }
  const cookie = req.cookies[o.cookieName];
  if (cookie === undefined) return undefined;
  return o.services.sessions.resolve(cookie) ?? 'invalid';
}
