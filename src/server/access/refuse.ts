/** Coded refusals sent by the access hooks and routes themselves (they run before any route's error handler). */
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ErrorCode } from '../../errors.js';

export interface RefusalBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
}

export function refusal(status: number, code: ErrorCode, message: string): RefusalBody {
  return { statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message };
}

export function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(refusal(status, code, message));
}
