import type { FastifyReply } from 'fastify';
import { ErrorCodes, type ErrorCode, SonoError } from '../../errors.js';
import { httpStatusOf } from '../error-status.js';
import { refuse } from './refuse.js';

export { RoleSchema } from '../../protocol/rest/access.js';

/** The account and token errors a route answers itself; their statuses are the one table's (src/server/error-status.ts). */
const ACCOUNT_ERRORS: ReadonlySet<ErrorCode> = new Set([
  ErrorCodes.ACCESS_SECRET_INVALID,
  ErrorCodes.ACCESS_USER_INVALID,
  ErrorCodes.ACCESS_USER_EXISTS,
  ErrorCodes.ACCESS_USER_NOT_FOUND,
  ErrorCodes.ACCESS_TOKEN_NOT_FOUND,
]);

/** Sends an account or token error with its status; anything else is rethrown to the app's error handler. */
export function sendAccessError(reply: FastifyReply, err: SonoError): FastifyReply {
  if (!ACCOUNT_ERRORS.has(err.code)) throw err;
  return refuse(reply, httpStatusOf(err.code), err.code, err.message);
}
