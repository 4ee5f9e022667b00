import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, SonoError } from '../../errors.js';
import { IdParams, errorResponses } from '../../protocol/rest/index.js';
import { ClipStore, clipKeyReused } from '../../records/clip-store.js';
import { auditRequest } from '../access/audit-request.js';
import { readBounded } from '../bounded-body.js';
import { clipBodyLimit, parseClip } from '../clip-body.js';
import { diskGuarded } from '../disk-guarded.js';
import { SentFrames } from '../sent-frames.js';

const tags = ['records'];
const throwError = (err: Error): never => {
  throw err;
};
const ClientKeyHeaders = { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128 } } } as const;

/** A clip as the routes answer it: no pixels (they leave only in the DICOM export). */
export const ClipDto = T.Object({
  id: T.String(),
  examId: T.String(),
  createdAt: T.String(),
  createdBy: T.String(),
  frameCount: T.Integer(),
  width: T.Integer(),
  height: T.Integer(),
  firstSeq: T.Integer(),
  lastSeq: T.Integer(),
  durationMs: T.Number(),
});

/**
 * Cine clips saved to an exam: POST takes the frame messages of the clip (as /api/live sent them, one after
 * another), checks each against the frames this daemon sent lately, and stores the clip once (the same client
 * key or the same frame range answers 200 with the clip already stored; a key stored with other frames, 409
 * SONO_IDEMPOTENCY_KEY_REUSED). The body limit is this route's own:
 * MAX_CLIP_FRAMES of the largest recent frame (src/server/clip-body.ts); everything else stays at 64 KiB.
 */
const clips: FastifyPluginAsync = async (app) => {
  const store = new ClipStore(app.sono.db);
  const sent = new SentFrames();
  const off = app.sono.bus.on('frame', (f) => sent.keep(f));
  app.addHook('onClose', async () => off());

  app.get<{ Params: IdParams }>(
    '/api/exams/:id/clips',
    {
      config: { access: 'clinician' },
      schema: { tags, summary: "An exam's cine clips (no pixels)", params: IdParams, response: { 200: T.Array(ClipDto), ...errorResponses(404) } },
    },
    async (req) => {
      app.exams.getExam(req.params.id); // 404 for an exam that does not exist
      return store.listClips(req.params.id);
    },
  );

  await app.register(async (clipRoute) => {
    clipRoute.removeAllContentTypeParsers();
    clipRoute.addContentTypeParser('application/octet-stream', (_req, payload, done) => {
      // a retry of a stored clip is taken even before the source's first frame (after a restart)
      const kept = store.clipUnderKey((_req.params as IdParams).id, _req.headers['idempotency-key'] as string | undefined)?.frames[0];
      const largest = Math.max(sent.largestFrameBytes(), kept ? kept.width * kept.height * kept.channels : 0);
      if (largest === 0) {
        done(new SonoError(ErrorCodes.CLIP_FRAME_UNKNOWN, 'No frame of the current source is known yet (the daemon restarted or the source changed); freeze again and save a newer clip'), undefined);
        return;
      }
      const limit = clipBodyLimit(largest);
      readBounded(payload, limit, 'The clip').then(
        (b) => done(null, b),
        (err: SonoError) =>
          done(
            err.code === ErrorCodes.FRAME_TOO_LARGE
              ? new SonoError(ErrorCodes.CLIP_TOO_LARGE, `The clip is larger than ${limit} bytes (90 frames of this source's largest frame); save a shorter clip`, { cause: err, details: { limit } })
              : err,
            undefined,
          ),
      );
    });
    clipRoute.post<{ Params: IdParams; Headers: { 'idempotency-key'?: string } }>(
      '/api/exams/:id/clips',
      {
        config: { access: 'clinician' },
        preHandler: diskGuarded(clipRoute, 'capture'),
        schema: {
          tags,
          summary: 'Save a cine clip: the frame messages /api/live sent, one after another',
          params: IdParams,
          headers: ClientKeyHeaders,
          consumes: ['application/octet-stream'],
          response: { 201: ClipDto, 200: ClipDto, ...errorResponses(400, 404, 409, 413, 415) },
        },
      },
      async (req, reply) => {
        if (!Buffer.isBuffer(req.body)) throw new SonoError(ErrorCodes.CLIP_INVALID, 'The request carries no clip; post the frame messages as application/octet-stream');
        const key = req.headers['idempotency-key'];
        // a retry first: its frames are checked against the clip stored under its key, not against the frames
        // sent lately, which a daemon restart drops; a frame not in that clip: the key was stored with another
        const retry = store.clipUnderKey(req.params.id, key);
        // a frame received before the exam began (created or resumed) is another patient's: the clip is refused
        const exam = retry ? undefined : app.exams.getExam(req.params.id);
        const frameOf = retry
          ? (seq: number, ts: number) => retry.frames.find((f) => f.seq === seq && f.timestampMs === ts) ?? throwError(clipKeyReused(req.params.id, key!, retry.id, seq))
          : (seq: number, ts: number) => {
              const f = sent.sent(seq, ts);
              if (f) app.examStarts.check(exam!, req.principal?.credentialId, seq, ts);
              return f;
            };
        const clip = parseClip(req.body, frameOf);
        const { clip: saved, created } = store.addClipOnce(req.params.id, { ...clip, clientKey: key }, req.principal!.name);
        if (created) auditRequest(req, 'clip.add', saved.id, 'ok', { examId: req.params.id, frames: saved.frameCount, firstSeq: saved.firstSeq, lastSeq: saved.lastSeq });
        return reply.code(created ? 201 : 200).send(saved);
      },
    );
  });
};

export default fp(clips, { name: 'sonoedge-clips', dependencies: ['sonoedge-records', 'sonoedge-captures'] });
