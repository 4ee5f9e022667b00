import { type Static, Type as T } from '@sinclair/typebox';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { MODEL_ID_PATTERN, MODEL_NAME_MAX_LENGTH } from '../../models/manifest.js';
import type { UploadPaceConfig } from '../../models/updates/config.js';
import type { InstallReport } from '../../models/updates/installer.js';
import { pacedBody } from '../../models/updates/upload-pace.js';
import { readPackageBody } from './models-body.js';
import type { ModelUpdateService } from '../../models/updates/service.js';

/**
 * Model updates over HTTP, technicians only (`config.access`, read by the access plugin):
 *   POST /api/models                 package as application/octet-stream → install (+ activate) → step report
 *   GET  /api/models                 per model: what serves and why, installed versions, history, health window
 *   POST /api/models/:id/rollback    back one version, swapped in live
 * A refused package answers 4xx with `code`, `message`, the failed `step` and the report of the steps before.
 * The body limit is `maxPackageBytes`, this route's own; an upload over it is refused at step "extract".
 * The upload is paced, not timed (`pace`, modelUpdates.upload): once the caller is known to be a technician its
 * socket joins `pacedSockets`, which tells the server to let Node's request timeout pass (src/server/app.ts), and
 * an upload that stalls or trickles is cut with 408 SONO_MODEL_UPLOAD_TOO_SLOW and the connection closed.
 */
export interface ModelsPluginOptions {
  service: ModelUpdateService;
  /** The largest package accepted (modelUpdates.maxPackageBytes at start-up). */
  maxPackageBytes: number;
  /** Who is asking (the access plugin's user), for history and audit. */
  actorOf?(req: import('fastify').FastifyRequest): string;
  /** The upload's pace (modelUpdates.upload at start-up) and where its socket is put while the body is arriving. */
  upload?: { pace: UploadPaceConfig; pacedSockets: WeakSet<Socket> };
}

const Step = T.Object({ step: T.String(), ok: T.Boolean(), ms: T.Number(), detail: T.Optional(T.String()), code: T.Optional(T.String()) });
const InstallReportDto = T.Object({
  ok: T.Boolean(),
  id: T.Optional(T.String()),
  version: T.Optional(T.String()),
  signer: T.Optional(T.String()),
  activated: T.Boolean(),
  steps: T.Array(Step),
  testVectors: T.Optional(T.Array(T.Object({ vector: T.String(), output: T.String(), meanAbs: T.Number(), maxAbs: T.Number(), fractionOver: T.Number(), ok: T.Boolean() }))),
  failed: T.Optional(T.Object({ step: T.String(), code: T.String(), message: T.String() })),
});
const RefusedDto = T.Object({ code: T.String(), message: T.String(), statusCode: T.Integer(), step: T.String(), report: InstallReportDto });
const ErrorDto = T.Object({ code: T.String(), message: T.String(), statusCode: T.Integer() });
const Event = T.Object({ at: T.String(), event: T.String(), version: T.Union([T.String(), T.Null()]), by: T.String(), detail: T.Optional(T.String()) });
const Health = T.Union([
  T.Null(),
  T.Object({ state: T.String(), id: T.String(), version: T.String(), seen: T.Integer(), of: T.Integer(), errors: T.Integer(), slow: T.Integer(), insane: T.Integer(), reason: T.Optional(T.String()) }),
]);
const ModelsDto = T.Object({
  models: T.Array(
    T.Object({
      id: T.String(),
      active: T.Union([T.Object({ version: T.String(), source: T.String(), why: T.String() }), T.Object({ error: T.String() })]),
      bundled: T.Union([T.String(), T.Null()]),
      installed: T.Array(T.Object({ version: T.String(), active: T.Boolean() })),
      history: T.Array(Event),
      health: Health,
    }),
  ),
});
const Query = T.Object({ activate: T.Boolean({ default: true }), allowDowngrade: T.Boolean({ default: false, description: 'Install a version older than the serving one (audited)' }) });
type Query = Static<typeof Query>;

/** 413 for size, 409 when the state forbids it (older, conflicting, busy, nothing to roll back), 422 for a package refused on its merits. */
function statusOf(code: string): number {
  if (code === ErrorCodes.MODEL_PACKAGE_TOO_LARGE) return 413;
  if (code === ErrorCodes.MODEL_UPLOAD_TOO_SLOW) return 408;
  const conflicts: string[] = [ErrorCodes.MODEL_VERSION_OLDER, ErrorCodes.MODEL_VERSION_CONFLICT, ErrorCodes.MODEL_INSTALL_BUSY, ErrorCodes.MODEL_NO_PREVIOUS_VERSION];
  if (conflicts.includes(code)) return 409;
  if (code === ErrorCodes.MODEL_ACTIVATE_FAILED) return 500;
  return 422;
}

function refused(reply: FastifyReply, report: InstallReport): FastifyReply {
  const f = report.failed!;
  const statusCode = statusOf(f.code);
  return reply.code(statusCode).send({ code: f.code, message: f.message, statusCode, step: f.step, report });
}

const models: FastifyPluginAsync<ModelsPluginOptions> = async (app, opts) => {
  const tags = ['models'];
  const actor = opts.actorOf ?? ((): string => 'technician');
  // The package is the body itself; this parser (and its limit) exists in this plugin's scope only.
  if (app.hasContentTypeParser('application/octet-stream')) app.removeContentTypeParser('application/octet-stream');
  app.addContentTypeParser('application/octet-stream', { bodyLimit: opts.maxPackageBytes }, (req: FastifyRequest, payload: Readable) => readPackageBody(req.headers, payload, opts.maxPackageBytes));
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const message = `Model package is over modelUpdates.maxPackageBytes (${opts.maxPackageBytes}); raise the limit if the model is really that large.`;
      const report: InstallReport = {
        ok: false,
        activated: false,
        steps: [{ step: 'extract', ok: false, ms: 0, code: ErrorCodes.MODEL_PACKAGE_TOO_LARGE, detail: message }],
        failed: { step: 'extract', code: ErrorCodes.MODEL_PACKAGE_TOO_LARGE, message },
      };
      reply.header('connection', 'close');
      return refused(reply, report);
    }
    if (err instanceof SonoError && err.code === ErrorCodes.MODEL_UPLOAD_TOO_SLOW) reply.header('connection', 'close'); // the rest of the body is not read
    if (err instanceof SonoError && err.code.startsWith('SONO_MODEL_')) return reply.code(statusOf(err.code)).send({ code: err.code, message: err.message, statusCode: statusOf(err.code) });
    throw err; // the server's own error handler answers the rest
  });

  app.post<{ Querystring: Query; Body: Buffer }>(
    '/api/models',
    {
      config: { access: 'technician' },
      bodyLimit: opts.maxPackageBytes,
      // after the access check (onRequest): only a technician's upload is exempt from the request timeout
      preParsing: async (req, _reply, payload) => {
        const upload = opts.upload;
        const socket = req.raw.socket;
        if (!upload || req.raw.complete) return payload;
        upload.pacedSockets.add(socket);
        return pacedBody(payload, upload.pace, () => upload.pacedSockets.delete(socket));
      },
      schema: {
        tags,
        summary: 'Install a signed model package (the body, application/octet-stream) and activate it unless ?activate=false',
        querystring: Query,
        response: { 200: InstallReportDto, 408: ErrorDto, 409: RefusedDto, 413: RefusedDto, 415: ErrorDto, 422: RefusedDto, 500: RefusedDto },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) throw new SonoError(ErrorCodes.REQUEST_MEDIA_UNSUPPORTED, 'Send the model package as the body with Content-Type: application/octet-stream');
      const report = await opts.service.install(req.body, { by: actor(req), activate: req.query.activate, allowDowngrade: req.query.allowDowngrade });
      return report.ok ? report : refused(reply, report);
    },
  );

  app.get(
    '/api/models',
    { config: { access: 'technician' }, schema: { tags, summary: 'Models: what serves and why, installed versions, history, health window', response: { 200: ModelsDto } } },
    async () => opts.service.list(),
  );

  app.post<{ Params: { id: string } }>(
    '/api/models/:id/rollback',
    {
      config: { access: 'technician' },
      schema: {
        tags,
        summary: 'Go back to the version that served before (the bundled one at the end)',
        params: T.Object({ id: T.String({ pattern: MODEL_ID_PATTERN, maxLength: MODEL_NAME_MAX_LENGTH }) }),
        response: { 200: T.Object({ id: T.String(), from: T.String(), to: T.String() }), 409: ErrorDto, 500: ErrorDto },
      },
    },
    async (req) => {
      try {
        return { id: req.params.id, ...(await opts.service.rollback(req.params.id, actor(req))) };
      } catch (err) {
        if (err instanceof SonoError) throw err;
        throw new SonoError(ErrorCodes.MODEL_ACTIVATE_FAILED as ErrorCode, `Rollback of ${req.params.id} failed: ${errorMessage(err)}`, { cause: err });
      }
    },
  );
};

export default models;
