/**
 * Signing in and out, and what the sign-in screen needs before anyone has signed in (all under /api/session):
 * - POST /api/session { user, secret } → 200 and the session cookie; 401 coded otherwise (Retry-After when locked);
 *   503 SONO_ACCESS_SIGN_IN_BUSY with Retry-After, at once, when this address or the device has its fill of
 *   sign-ins waiting for their hash (src/access/hash-queue.ts); the client address is read at the request's
 *   start, and a sign-in whose connection is already gone when its body has come is audited, not hashed
 * - DELETE /api/session → signs out (the session is revoked in the database, the cookie cleared)
 * - GET /api/session → who is signed in
 * - GET /api/session/users → names and roles for the touchscreen's name picker (no patient data)
 * - POST /api/session/setup { user, secret } → the first administrator, only from the device itself and only
 *   while no account exists
 */
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from '../../access/device-names.js';
import { secretKindOf } from '../../access/roles.js';
import type { User } from '../../access/users.js';
import { ErrorCodes, SonoError } from '../../errors.js';
import { SessionDto, SessionUsersDto } from '../../protocol/rest/access.js';
import { captureClients, clientGone, clientOf, whileConnected } from './client.js';
import { refuse } from './refuse.js';
import { sendAccessError } from './schemas.js';

export interface SessionRouteOptions {
  cookieName: string;
  secure: boolean;
  signInLimit: { max: number; timeWindow: number };
}

const Credentials = T.Object(
  {
    user: T.String({ minLength: 1, maxLength: 40 }),
    secret: T.String({ minLength: 1, maxLength: 256, description: 'PIN (clinician) or password (technician, admin)' }),
  },
  { additionalProperties: false },
);
const Me = SessionDto;

export function sessionRoutes(app: FastifyInstance, o: SessionRouteOptions): void {
  const services = app.access;
  captureClients(app.server);

  const startSession = (req: FastifyRequest, reply: FastifyReply, user: User): void => {
    const { id } = services.sessions.create(user.id, clientOf(req));
    // no Max-Age: the browser forgets it when closed; the server ends it after the idle or absolute timeout
    void reply.setCookie(o.cookieName, id, { path: '/', httpOnly: true, sameSite: 'strict', secure: o.secure });
  };

  app.post(
    '/api/session',
    {
      config: { access: 'public', rateLimit: o.signInLimit },
      schema: { tags: ['access'], summary: 'Sign in with a name and a PIN or password', body: Credentials },
    },
    async (req, reply) => {
      const { user, secret } = req.body as { user: string; secret: string };
      const client = clientOf(req);
      if (clientGone(req)) {
        // nobody to answer: a hash would only spend the queue (a reset after each request kept it full)
        services.audit.record({ client, action: 'session.sign-in', target: user, outcome: 'denied', details: { reason: 'connection closed' } });
        return refuse(reply, 503, ErrorCodes.ACCESS_SIGN_IN_BUSY, 'The connection closed before the sign-in was checked; sign in again.');
      }
      const result = await whileConnected(req, (gone) => services.signIn.attempt(user, secret, client, undefined, gone));
      if (!result.ok) {
        if (result.reason === 'gone') return refuse(reply, 503, ErrorCodes.ACCESS_SIGN_IN_BUSY, 'The connection closed before the sign-in was checked; sign in again.');
        if (result.reason === 'busy') {
          void reply.header('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
          return refuse(reply, 503, ErrorCodes.ACCESS_SIGN_IN_BUSY, result.message);
        }
        if (result.reason === 'locked') {
          void reply.header('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
          return refuse(
            reply,
            401,
            ErrorCodes.ACCESS_LOCKED,
            `Too many failed sign-ins for "${user}"; try again in ${Math.ceil(result.retryAfterMs / 1000)} s, or ask an administrator to set a new PIN or password.`,
          );
        }
        return refuse(reply, 401, ErrorCodes.ACCESS_SIGN_IN_FAILED, 'That name and PIN or password do not match an active account; try again.');
      }
      startSession(req, reply, result.user);
      return { user: result.user.name, role: result.user.role, via: 'session' as const, autoLockMinutes: services.autoLockMinutes };
    },
  );

  app.delete('/api/session', { config: { access: 'signed-in' }, schema: { tags: ['access'], summary: 'Sign out' } }, async (req, reply) => {
    const p = req.principal!;
    if (p.via === 'session') {
      services.sessions.revoke(p.credentialId);
      app.credentialsEnded.tell();
    }
    services.audit.record({ user: p.name, role: p.role, client: clientOf(req), action: 'session.sign-out', target: p.via, outcome: 'ok' });
    void reply.clearCookie(o.cookieName, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/session', { config: { access: 'signed-in' }, schema: { tags: ['access'], summary: 'Who is signed in', response: { 200: Me } } }, async (req) => {
    const p = req.principal!;
    return { user: p.name, role: p.role, via: p.via, autoLockMinutes: services.autoLockMinutes };
  });

  app.get(
    '/api/session/users',
    {
      config: { access: 'public' },
      schema: {
        tags: ['access'],
        summary: 'Active accounts for the sign-in name picker; setupNeeded while there is none',
        response: { 200: SessionUsersDto },
      },
    },
    async () => {
      const all = services.users.list();
      return {
        setupNeeded: all.length === 0,
        autoLockMinutes: services.autoLockMinutes,
        users: all.filter((u) => !u.disabled).map((u) => ({ name: u.name, role: u.role, secret: secretKindOf(u.role) })),
      };
    },
  );

  app.post(
    '/api/session/setup',
    {
      config: { access: 'public', rateLimit: o.signInLimit },
      schema: { tags: ['access'], summary: 'Create the first administrator (from the device itself, while no account exists)', body: Credentials },
    },
    async (req, reply) => {
      const { user, secret } = req.body as { user: string; secret: string };
      const client = clientOf(req);
      if (!isLoopback(req.socket.remoteAddress)) {
        services.audit.record({ client, action: 'user.setup', target: user, outcome: 'denied', details: { reason: 'not from the device itself' } });
        return refuse(reply, 403, ErrorCodes.ACCESS_SETUP_REFUSED, 'The first administrator can only be created on the device itself (its own screen) or with `sonoedge users add NAME --role admin`.');
      }
      let created: User | undefined;
      try {
        created = await services.users.addFirst(user, 'admin', secret);
      } catch (err) {
        if (err instanceof SonoError) return sendAccessError(reply, err);
        throw err;
      }
      if (!created) return refuse(reply, 409, ErrorCodes.ACCESS_SETUP_REFUSED, 'Accounts already exist; an administrator adds the others (Users page, or POST /api/users).');
      services.audit.record({ user: created.name, role: created.role, client, action: 'user.create', target: created.name, outcome: 'ok', details: { role: 'admin', firstAdministrator: true } });
      startSession(req, reply, created);
      return reply.code(201).send({ user: created.name, role: created.role, via: 'session', autoLockMinutes: services.autoLockMinutes });
    },
  );
}
