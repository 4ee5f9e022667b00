/**
 * Administration (role admin): accounts (/api/users), API tokens (/api/tokens), the audit trail (/api/audit).
 * Every change is audited with the administrator who made it.
 */
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEvent } from '../../audit/audit-trail.js';
import { type Role } from '../../access/roles.js';
import { SonoError } from '../../errors.js';
import { AuditOutcomeSchema, AuditRowDto, TokenDto, UserDto } from '../../protocol/rest/access.js';
import { clientOf } from './client.js';
import { RoleSchema, sendAccessError } from './schemas.js';

const UserOut = UserDto;
const NameParams = T.Object({ name: T.String({ minLength: 1, maxLength: 40 }) });
const Secret = T.String({ minLength: 1, maxLength: 256, description: 'PIN of 6–12 digits (clinician) or password of ≥ 12 characters' });
const TokenOut = TokenDto;
const Outcome = AuditOutcomeSchema;
const AuditRowOut = AuditRowDto;
const AuditQuery = T.Object(
  {
    user: T.Optional(T.String({ maxLength: 40 })),
    action: T.Optional(T.String({ maxLength: 64, description: "Exact action, or a prefix ending in '.' such as 'session.'" })),
    outcome: T.Optional(Outcome),
    since: T.Optional(T.String({ format: 'date-time' })),
    until: T.Optional(T.String({ format: 'date-time' })),
    before: T.Optional(T.Integer({ minimum: 1, description: 'Rows older than this id (paging)' })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);

const admin = { access: 'admin' as const };

export function adminRoutes(app: FastifyInstance): void {
  const services = app.access;
  const audit = (req: FastifyRequest, e: Omit<AuditEvent, 'user' | 'role' | 'client'>): void => {
    services.audit.record({ ...e, user: req.principal!.name, role: req.principal!.role, client: clientOf(req) });
  };
  /** Runs an account change and sends its result with `status`; a coded account error becomes its 4xx (and a failed audit row). */
  const change = async (req: FastifyRequest, reply: FastifyReply, action: string, target: string, run: () => unknown, status = 200): Promise<FastifyReply> => {
    try {
      const result = await run();
      audit(req, { action, target, outcome: 'ok' });
      // a disable, a new secret or a revoked token may end credentials an open live view holds
      if (action !== 'user.create' && action !== 'token.create') app.credentialsEnded.tell();
      return reply.code(status).send(result);
    } catch (err) {
      if (!(err instanceof SonoError)) throw err;
      audit(req, { action, target, outcome: 'failed', details: { code: err.code } });
      return sendAccessError(reply, err);
    }
  };
  const userOut = (u: { name: string; role: Role; createdAt: string; disabled: boolean }): object => ({ name: u.name, role: u.role, createdAt: u.createdAt, disabled: u.disabled });

  app.get('/api/users', { config: admin, schema: { tags: ['admin'], summary: 'Accounts', response: { 200: T.Object({ users: T.Array(UserOut) }) } } }, async () => ({
    users: services.users.list().map(userOut),
  }));

  app.post(
    '/api/users',
    {
      config: admin,
      schema: { tags: ['admin'], summary: 'Add an account', body: T.Object({ name: T.String({ minLength: 1, maxLength: 40 }), role: RoleSchema, secret: Secret }, { additionalProperties: false }) },
    },
    async (req, reply) => {
      const b = req.body as { name: string; role: Role; secret: string };
      return change(req, reply, 'user.create', b.name, async () => userOut(await services.users.add(b.name, b.role, b.secret)), 201);
    },
  );

  app.post('/api/users/:name/disable', { config: admin, schema: { tags: ['admin'], summary: 'Disable an account (its sessions and tokens end at once)', params: NameParams } }, async (req, reply) => {
    const { name } = req.params as { name: string };
    return change(req, reply, 'user.disable', name, () => userOut(services.users.disable(name)));
  });

  app.post(
    '/api/users/:name/enable',
    { config: admin, schema: { tags: ['admin'], summary: 'Enable a disabled account again (its old sessions and tokens stay revoked)', params: NameParams } },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      return change(req, reply, 'user.enable', name, () => userOut(services.users.enable(name)));
    },
  );

  app.put(
    '/api/users/:name/secret',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Set a new PIN or password: lifts a lockout and signs the account out everywhere (its sessions end; an admin changing their own keeps the session they do it from; API tokens stay)',
        params: NameParams,
        body: T.Object({ secret: Secret }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const { secret } = req.body as { secret: string };
      const p = req.principal!;
      const keepSession = p.via === 'session' && p.name === name ? p.credentialId : undefined;
      return change(req, reply, 'user.set-secret', name, async () => userOut(await services.users.setSecret(name, secret, { keepSession })));
    },
  );

  app.get('/api/tokens', { config: admin, schema: { tags: ['admin'], summary: 'API tokens (never their value)', response: { 200: T.Object({ tokens: T.Array(TokenOut) }) } } }, async () => ({
    tokens: services.tokens.list(),
  }));

  app.post(
    '/api/tokens',
    {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create an API token for a user; the token is shown this once',
        body: T.Object({ user: T.String({ minLength: 1, maxLength: 40 }), label: T.Optional(T.String({ maxLength: 80 })) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const b = req.body as { user: string; label?: string };
      return change(req, reply, 'token.create', b.user, () => services.tokens.create(b.user, { label: b.label, createdBy: req.principal!.name }), 201);
    },
  );

  app.delete(
    '/api/tokens/:id',
    { config: admin, schema: { tags: ['admin'], summary: 'Revoke an API token', params: T.Object({ id: T.String({ minLength: 1, maxLength: 40 }) }) } },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      return change(req, reply, 'token.revoke', id, () => services.tokens.revoke(id));
    },
  );

  app.get(
    '/api/audit',
    { config: admin, schema: { tags: ['admin'], summary: 'The audit trail, newest first, filtered', querystring: AuditQuery, response: { 200: T.Object({ rows: T.Array(AuditRowOut) }) } } },
    async (req) => {
      const q = req.query as { user?: string; action?: string; outcome?: 'ok' | 'denied' | 'failed'; since?: string; until?: string; before?: number; limit?: number };
      audit(req, { action: 'audit.read', target: null, outcome: 'ok' });
      return { rows: services.audit.list({ user: q.user, action: q.action, outcome: q.outcome, since: q.since, until: q.until, beforeId: q.before, limit: q.limit }) };
    },
  );

  app.get('/api/audit/verify', { config: admin, schema: { tags: ['admin'], summary: 'Check the audit chain; names the first row edited, removed or reordered' } }, async () =>
    services.audit.verifyInSlices(),
  ); // in slices: live frames and requests go on meanwhile
}
