/**
 * Accounts, sessions, tokens and the audit trail (issue 17): the bodies and answers of /api/session…,
 * /api/users, /api/tokens and /api/audit. The access routes validate with these; the UI imports their types.
 */
import { type Static, Type as T } from '@sinclair/typebox';

export const RoleSchema = T.Union([T.Literal('clinician'), T.Literal('technician'), T.Literal('admin')]);
export type RoleDto = Static<typeof RoleSchema>;

/** Who is signed in (GET/POST /api/session, POST /api/session/setup). */
export const SessionDto = T.Object({ user: T.String(), role: RoleSchema, via: T.Union([T.Literal('session'), T.Literal('token')]), autoLockMinutes: T.Number() });
export type SessionDto = Static<typeof SessionDto>;

/** GET /api/session/users: what the name picker shows before anyone has signed in. */
export const SessionUsersDto = T.Object({
  setupNeeded: T.Boolean(),
  autoLockMinutes: T.Number(),
  users: T.Array(T.Object({ name: T.String(), role: RoleSchema, secret: T.Union([T.Literal('pin'), T.Literal('password')]) })),
});
export type SessionUsersDto = Static<typeof SessionUsersDto>;

export const UserDto = T.Object({ name: T.String(), role: RoleSchema, createdAt: T.String(), disabled: T.Boolean() });
export type UserDto = Static<typeof UserDto>;

export const TokenDto = T.Object({
  id: T.String(),
  user: T.String(),
  role: RoleSchema,
  label: T.Union([T.String(), T.Null()]),
  createdAt: T.String(),
  createdBy: T.Union([T.String(), T.Null()]),
  lastUsedAt: T.Union([T.String(), T.Null()]),
  revokedAt: T.Union([T.String(), T.Null()]),
});
export type TokenDto = Static<typeof TokenDto>;

export const AuditOutcomeSchema = T.Union([T.Literal('ok'), T.Literal('denied'), T.Literal('failed')]);
export const AuditRowDto = T.Object({
  id: T.Number(),
  at: T.String(),
  user: T.Union([T.String(), T.Null()]),
  role: T.Union([T.String(), T.Null()]),
  client: T.Union([T.String(), T.Null()]),
  action: T.String(),
  target: T.Union([T.String(), T.Null()]),
  outcome: AuditOutcomeSchema,
  details: T.Union([T.Record(T.String(), T.Unknown()), T.Null()]),
});
export type AuditRowDto = Static<typeof AuditRowDto>;

/** GET /api/audit/verify (src/audit/verify.ts VerifyResult). */
export type AuditVerifyDto = { ok: true; rows: number } | { ok: false; rows: number; firstBadId: number; problem: 'removed' | 'edited' | 'reordered'; message: string };
