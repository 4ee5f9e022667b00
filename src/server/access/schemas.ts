import type { FastifyReply } from 'fastify';
import { ErrorCodes, type ErrorCode, SonoError } from '../../errors.js';
import { refuse } from './refuse.js';

export { RoleSchema } from '../../protocol/rest/access.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.ACCESS_SECRET_INVALID]: 400,
  [ErrorCodes.ACCESS_USER_INVALID]: 400,
  [ErrorCodes.ACCESS_USER_EXISTS]: 409,
  [ErrorCodes.ACCESS_USER_NOT_FOUND]: 404,
  [ErrorCodes.ACCESS_TOKEN_NOT_FOUND]: 404,
};

/** Sends an account or token error with its status; anything else is rethrown to the app's error handler. */
export function sendAccessError(reply: FastifyReply, err: SonoError): FastifyReply {
  const status = STATUS[err.code];
  if (status === undefined) throw err;
  return refuse(reply, status, err.code, err.message);
}
