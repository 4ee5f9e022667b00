import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, ErrorCodes, SonoError } from '../../errors.js';
import { ErrorBody, type ErrorDetails } from '../../protocol/rest/errors.js';
import { storageErrorOf } from '../../records/sqlite-errors.js';
import { httpStatusOf } from '../error-status.js';
import { type SchemaIssue, issueInWords } from '../validation-words.js';

type RequestFault = FastifyError & { validation?: SchemaIssue[]; validationContext?: string };

const WHERE: Record<string, string> = { body: 'The request body', params: 'The address', querystring: 'The query string', headers: 'A request header' };

/** A validation failure in words: which field, what it must be, what to do (Ajv's text is only a detail). */
function invalidRequest(err: RequestFault): SonoError {
  const all = err.validation ?? [];
  // a union reports one failure per branch: the most specific (deepest path) says the most
  const first = [...all].sort((a, b) => (b.instancePath?.length ?? 0) - (a.instancePath?.length ?? 0))[0];
  const where = WHERE[err.validationContext ?? 'body'] ?? 'The request';
  const issues = all.slice(0, 5).map((v) => `${v.instancePath || '/'} ${v.message ?? 'is not valid'}`);
  return new SonoError(ErrorCodes.REQUEST_INVALID, `${where} was refused: ${first ? issueInWords(first) : 'it is not valid'}. Correct it and send the request again (the API is described at /docs)`, {
    cause: err,
    details: { issues },
  });
}

/** Turns whatever a route, hook or body parser threw into a coded error. */
export function toSonoError(err: unknown): SonoError {
  if (err instanceof SonoError) return err;
  // a full disk (507) or failed storage under SQLite, said as such rather than as an internal error
  const storage = storageErrorOf(err);
  if (storage) return storage;
  const e = err as RequestFault;
  if (e.validation) return invalidRequest(e);
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const code: ErrorCode | undefined =
    status === 413 ? ErrorCodes.REQUEST_TOO_LARGE : status === 415 ? ErrorCodes.REQUEST_MEDIA_UNSUPPORTED : status >= 400 && status < 500 ? ErrorCodes.REQUEST_INVALID : undefined;
  if (code === ErrorCodes.REQUEST_TOO_LARGE) return new SonoError(code, 'The request body is larger than this route accepts; send a smaller body', { cause: err });
  if (code === ErrorCodes.REQUEST_MEDIA_UNSUPPORTED) return new SonoError(code, `This route does not accept the content type sent (${e.message}); send application/json`, { cause: err });
  if (code) return new SonoError(code, `The request was refused: ${e.message}. Correct it and send it again`, { cause: err });
  return new SonoError(ErrorCodes.INTERNAL, 'The daemon failed while answering this request; it was logged. Try again, and report it if it persists', { cause: err });
}

export function errorBody(e: SonoError): ErrorBody {
  return { code: e.code, message: e.message, statusCode: httpStatusOf(e.code), ...(e.details ? { details: e.details as ErrorDetails } : {}) };
}

/**
 * The one error handler: every error becomes `{ code, message, statusCode, details? }` with the status of
 * its code. Registered as a plain (encapsulating) plugin: the feature plugins registered inside it get this
 * handler, and nothing outside it is changed by accident.
 */
const errors: FastifyPluginAsync<{ features: FastifyPluginAsync[] }> = async (api: FastifyInstance, opts) => {
  // Every API route answers its errors with the one body, declared: a route that lists no error status of
  // its own still documents (and serialises) 4xx and 5xx as ErrorBody.
  api.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || (route as { websocket?: boolean }).websocket) return;
    const schema = (route.schema ??= {}) as { response?: Record<string, unknown> };
    schema.response = { '4xx': ErrorBody, '5xx': ErrorBody, ...schema.response };
  });
  api.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toSonoError(err);
    const body = errorBody(e);
    if (body.statusCode >= 500) req.log.error({ err, code: e.code, url: req.url }, 'request failed');
    else req.log.info({ code: e.code, url: req.url, status: body.statusCode }, e.message);
    // A body refused before it was read (too large, wrong type) is not read to its end: the connection is
    // closed after the answer, so a client sending 60 MB cannot keep it (or the daemon) busy.
    if (!req.raw.complete) reply.header('connection', 'close');
    return reply.code(body.statusCode).send(body);
  });
  api.setNotFoundHandler((req, reply) => {
    const e = new SonoError(ErrorCodes.ROUTE_NOT_FOUND, `No route ${req.method} ${req.url.split('?')[0]}; the API is described at /docs`);
    return reply.code(404).send(errorBody(e));
  });
  for (const feature of opts.features) await api.register(feature);
};

export default errors;
