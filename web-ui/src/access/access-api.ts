/**
 * The access routes (issue 17) through the page's one HTTP client (api.ts `request`): sign-in and out, the
 * name picker, the first administrator, and the admin screens' accounts, tokens and audit trail.
 */
import type { AuditRowDto, AuditVerifyDto, RoleDto, SessionDto, SessionUsersDto, TokenDto, UserDto } from '../../../src/protocol/rest/index.js';
import { request } from '../api';

export type Role = RoleDto;
export type Session = SessionDto;

export interface AuditFilter {
  user?: string;
  action?: string;
  outcome?: 'ok' | 'denied' | 'failed';
  since?: string;
  until?: string;
}

const q = encodeURIComponent;

export const accessApi = {
  /** Who is signed in; a 401 (ApiError) when nobody is. */
  me: () => request<Session>('GET', '/api/session'),
  users: () => request<SessionUsersDto>('GET', '/api/session/users'),
  signIn: (user: string, secret: string) => request<Session>('POST', '/api/session', { json: { user, secret } }),
  signOut: () => request<undefined>('DELETE', '/api/session'),
  setup: (user: string, secret: string) => request<Session>('POST', '/api/session/setup', { json: { user, secret } }),

  listUsers: () => request<{ users: UserDto[] }>('GET', '/api/users'),
  addUser: (name: string, role: Role, secret: string) => request<UserDto>('POST', '/api/users', { json: { name, role, secret } }),
  disableUser: (name: string) => request<UserDto>('POST', `/api/users/${q(name)}/disable`),
  setSecret: (name: string, secret: string) => request<UserDto>('PUT', `/api/users/${q(name)}/secret`, { json: { secret } }),

  listTokens: () => request<{ tokens: TokenDto[] }>('GET', '/api/tokens'),
  createToken: (user: string, label?: string) => request<{ id: string; token: string }>('POST', '/api/tokens', { json: { user, ...(label ? { label } : {}) } }),
  revokeToken: (id: string) => request<unknown>('DELETE', `/api/tokens/${q(id)}`),

  audit: (f: AuditFilter) => {
    const params = new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    return request<{ rows: AuditRowDto[] }>('GET', `/api/audit${params.toString() ? `?${params.toString()}` : ''}`);
  },
  verifyAudit: () => request<AuditVerifyDto>('GET', '/api/audit/verify'),
};

/** Which screens a role sees (the server's rule, src/access/roles.ts: admin all; clinician and technician apart). */
export type ScreenAccess = 'signed-in' | Role;
export function roleSees(role: Role, access: ScreenAccess): boolean {
  return role === 'admin' || access === 'signed-in' || role === access;
}
