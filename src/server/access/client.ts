import type { FastifyRequest } from 'fastify';

/** The client address the audit trail records (no proxy is trusted: the socket's peer). */
export function clientOf(req: FastifyRequest): string {
  return req.ip;
}
