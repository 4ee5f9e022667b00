/**
 * Auditing from a route: who (the request's principal), from where (its client address), what and how it went.
 * For the feature plugins: `auditRequest(req, 'exam.read', exam.id)` after a patient record is read,
 * `auditRequest(req, 'source.change', driver, 'failed', { code })` after a refused change, and so on.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditOutcome, AuditRow } from '../../audit/audit-trail.js';
import { clientOf } from './client.js';

export function auditRequest(req: FastifyRequest, action: string, target: string | null, outcome: AuditOutcome = 'ok', details?: Record<string, unknown>): AuditRow {
  const p = req.principal;
  return req.server.access.audit.record({ user: p?.name ?? null, role: p?.role ?? null, client: clientOf(req), action, target, outcome, details });
}
