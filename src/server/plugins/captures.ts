import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { CaptureBody, CaptureDto, CaptureFrameQuery, IdParams, errorResponses } from '../../protocol/rest/index.js';
import type { CaptureInput } from '../../records/exam-store.js';
import { TASK_OF_EXAM } from '../../protocol/exam-types.js';
import type { ResultEvent } from '../../pipeline/bus.js';
import { readBounded } from '../bounded-body.js';
import { readCaptureExtras } from '../capture-extras.js';
import { MAX_EXTRAS_BYTES } from '../../protocol/rest/manual-measures.js';
import { FRAME_HEADER_BYTES_WITH_KIND, decodeFrameHeader } from '../frame-message.js';
import { RecentFrames } from '../recent-frames.js';
import { frameGeometry } from '../sent-frames.js';
import { frameRetry, liveRetry } from '../capture-retry.js';
import { inputOf, keyedFrameBytes } from '../../records/keyed-capture.js';
import { auditRequest } from '../access/audit-request.js';
import { diskGuarded } from '../disk-guarded.js';
import { ExamStarts, markExamStarts } from '../capture-exam-start.js';
import { checkCaptureSide } from '../../records/capture-side.js';

const tags = ['records'];
const ClientKeyHeaders = { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128 } } } as const;
type Capturable = NonNullable<ReturnType<RecentFrames['capture']>>;
const stored = (rs: ResultEvent[]): CaptureInput['results'] => rs.map((r) => ({ modelId: r.modelId, modelVersion: r.modelVersion, provider: r.provider, result: r.result }));

/** The clinician's calipers as the audit trail keeps them: "distance 1: 12.34 mm". */
const auditedMeasures = (c: { clinicianMeasurements?: Array<{ kind: string; n: number; value: number; unit: string }> | undefined }): string[] =>
  (c.clinicianMeasurements ?? []).map((m) => `${m.kind} ${m.n}: ${m.value.toFixed(2)} ${m.unit}`);

/** The next frame that gets a result of `task` while it is still kept (and `accept` takes it), or undefined after `ms`. */
function nextCaptureOf(app: FastifyInstance, recent: RecentFrames, task: string, ms: number, accept: (c: Capturable) => boolean): Promise<ReturnType<RecentFrames['capture']>> {
  return new Promise((resolve) => {
    const done = (v: ReturnType<RecentFrames['capture']>): void => {
      off();
      clearTimeout(timer);
      resolve(v);
    };
    const off = app.sono.bus.on('result', (e) => {
      const c = e.result.task === task ? recent.capture(e.seq) : undefined;
      if (c && accept(c)) done(c);
    });
    const timer = setTimeout(() => done(undefined), ms);
  });
}

/**
 * Captures of live frames into an exam: the newest frame with results (or a frozen cine frame still kept),
 * or a frame frozen in a browser posted back as the binary /api/live frame message. The same frame posted
 * twice to one exam is stored once; the second answer (200) is the capture already stored. An
 * Idempotency-Key stored with another frame (sequences restart with the source) answers 409
 * SONO_IDEMPOTENCY_KEY_REUSED, never the other frame's capture.
 */
const captures: FastifyPluginAsync = async (app) => {
  const store = app.exams;
  const recent = new RecentFrames();
  // where each exam begins in the stream: a frame received before is refused for it (src/server/capture-exam-start.ts)
  const starts = new ExamStarts();
  app.decorate('examStarts', starts);
  const offs = [app.sono.bus.on('frame', (f) => (recent.keepFrame(f), starts.keep(f))), app.sono.bus.on('result', (e) => recent.keepResult(e))];
  app.addHook('onClose', async () => offs.forEach((o) => o()));
  markExamStarts(app, starts);

  app.post<{ Params: IdParams; Body: CaptureBody | undefined; Headers: { 'idempotency-key'?: string } }>(
    '/api/exams/:id/captures',
    {
      config: { access: 'clinician' },
      preHandler: diskGuarded(app, 'capture'),
      schema: {
        tags,
        summary: 'Capture the current live frame (or a frozen cine frame) with its results',
        params: IdParams,
        body: T.Optional(CaptureBody),
        headers: ClientKeyHeaders,
        response: { 201: CaptureDto, 200: CaptureDto, ...errorResponses(400, 404, 409, 413, 415) },
      },
    },
    async (req, reply) => {
      const seq = req.body?.seq;
      const exam = store.getExam(req.params.id);
      const task = TASK_OF_EXAM[exam.examType];
      const key = req.headers['idempotency-key'];
      // a retry first: the frame and its results may be gone since (daemon restart), the capture is not
      const retry = liveRetry(app.sono.db, req.params.id, key, seq, seq !== undefined && recent.frame(seq) !== undefined);
      if (retry) {
        const r = store.addCaptureOnce(req.params.id, inputOf(retry, key!, req.body?.clinicianMeasurements), req.principal!.name, { keyNamesFrame: seq !== undefined });
        if (r.created) auditRequest(req, 'capture.add', r.capture.id, 'ok', { examId: req.params.id, frameSeq: r.capture.frameSeq, clinicianMeasurements: auditedMeasures(r.capture) });
        if (r.addedMeasures > 0) auditRequest(req, 'capture.calipers.add', r.capture.id, 'ok', { examId: req.params.id, clinicianMeasurements: auditedMeasures(r.capture) });
        return reply.code(r.created ? 201 : 200).send(r.capture);
      }
      // a breast capture names its breast (src/protocol/laterality.ts): refused before any wait for a frame
      const laterality = checkCaptureSide(exam.examType, req.body?.laterality, exam.id);
      let c = recent.capture(seq, task);
      // A model that runs every few frames may have no result on a frame still kept, and the newest frame may
      // have come before the exam began (just started or resumed): wait for the next one after it.
      const sinceExam = (x: Capturable): boolean => !starts.before(exam, req.principal?.credentialId, x.frame.seq, x.frame.timestampMs);
      if (seq === undefined && c && !(sinceExam(c) && c.results.some((r) => r.result.task === task))) {
        c = (await nextCaptureOf(app, recent, task, 3000, sinceExam)) ?? c;
        if (!c.results.some((r) => r.result.task === task)) {
          throw new SonoError(
            ErrorCodes.FRAME_RESULTS_UNKNOWN,
            `No kept live frame has a ${task} result (is a ${task} model configured and running?); try again, or freeze and save the frame from the live view`,
          );
        }
      }
      if (!c) {
        throw seq === undefined
          ? new SonoError(ErrorCodes.NO_LIVE_FRAME, 'No live frame to capture yet; wait for the source to deliver frames')
          : new SonoError(ErrorCodes.FRAME_NOT_KEPT, `Frame ${seq} is no longer in the cine buffer; capture a newer frame`, { details: { seq } });
      }
      const f = c.frame;
      starts.check(exam, req.principal?.credentialId, f.seq, f.timestampMs);
      const { capture, created, addedMeasures } = store.addCaptureOnce(
        req.params.id,
        {
          frameSeq: f.seq,
          frameTimestampMs: f.timestampMs,
          width: f.width,
          height: f.height,
          channels: f.channels,
          pixels: f.data,
          pixelSpacing: f.pixelSpacing,
          region: f.region,
          results: stored(c.results),
          clientKey: req.headers['idempotency-key'],
          clinicianMeasurements: req.body?.clinicianMeasurements,
          laterality,
        },
        req.principal!.name,
        // a key with a seq names that frame; without one it names a tap on the newest frame (a retry may meet a newer one)
        { keyNamesFrame: seq !== undefined },
      );
      if (created)
        auditRequest(req, 'capture.add', capture.id, 'ok', { examId: req.params.id, frameSeq: f.seq, laterality: capture.laterality ?? null, clinicianMeasurements: auditedMeasures(capture) });
      if (addedMeasures > 0) auditRequest(req, 'capture.calipers.add', capture.id, 'ok', { examId: req.params.id, clinicianMeasurements: auditedMeasures(capture) });
      return reply.code(created ? 201 : 200).send(capture);
    },
  );

  // A frame frozen in a browser may be older than the daemon's frame ring: the browser sends the frame
  // message it holds (header + pixels, as /api/live sent it) and the daemon pairs it with its own results.
  // Only this route reads octet-stream, bounded by the largest frame the source sent lately.
  await app.register(async (frameRoute) => {
    frameRoute.removeAllContentTypeParsers();
    frameRoute.addContentTypeParser('application/octet-stream', (_req, payload, done) => {
      // a retry of a stored frame is taken even before the source's first frame (after a restart)
      const { id } = _req.params as IdParams;
      const largest = Math.max(recent.largestFrameBytes(), keyedFrameBytes(app.sono.db, id, _req.headers['idempotency-key'] as string | undefined));
      if (largest === 0) {
        done(new SonoError(ErrorCodes.FRAME_RESULTS_UNKNOWN, 'No frame of the current source is known yet (the daemon restarted or the source changed); capture a newer frame'), undefined);
        return;
      }
      readBounded(payload, FRAME_HEADER_BYTES_WITH_KIND + largest + MAX_EXTRAS_BYTES, 'The frame message').then(
        (b) => done(null, b),
        (err: Error) => done(err, undefined),
      );
    });
    frameRoute.post<{ Params: IdParams; Querystring: CaptureFrameQuery; Headers: { 'idempotency-key'?: string } }>(
      '/api/exams/:id/captures/frame',
      {
        config: { access: 'clinician' },
        preHandler: diskGuarded(frameRoute, 'capture'),
        schema: {
          tags,
          summary: 'Capture a frozen frame sent back as the binary /api/live frame message, optionally followed by { clinicianMeasurements } as UTF-8 JSON',
          params: IdParams,
          querystring: CaptureFrameQuery,
          headers: ClientKeyHeaders,
          consumes: ['application/octet-stream'],
          response: { 201: CaptureDto, 200: CaptureDto, ...errorResponses(400, 404, 409, 413, 415) },
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer;
        let h: ReturnType<typeof decodeFrameHeader>;
        try {
          h = decodeFrameHeader(body);
        } catch (err) {
          throw new SonoError(ErrorCodes.FRAME_MESSAGE_INVALID, `The body is not a frame message (${errorMessage(err)}); post the binary message /api/live sent`, { cause: err });
        }
        if (h.kind !== 0) throw new SonoError(ErrorCodes.FRAME_MESSAGE_INVALID, `Frame ${h.seq} is an enhanced frame (display only); capture the raw frame`);
        // a retry first (src/server/capture-retry.ts): the capture stored under its key is the truth for its
        // frame, whose results the daemon may no longer hold (restart); its pixels are compared by the store
        const retry = frameRetry(app.sono.db, req.params.id, req.headers['idempotency-key'], h);
        // the frame as the daemon sent it: its own size and region are the truth for it (a source may change
        // size from frame to frame), never the newest frame's
        const seen = retry ?? recent.seenFrame(h.seq, h.timestampMs);
        // results of this very frame: same sequence AND capture time (sequences restart with a new source);
        // an enhanced image is display only, never part of a record
        const results = retry ? retry.results : stored(recent.resultsOf(h.seq).filter((r) => r.frameTimestampMs === h.timestampMs && r.result.task !== 'enhance'));
        if (!seen || (!retry && results.length === 0)) {
          throw new SonoError(ErrorCodes.FRAME_RESULTS_UNKNOWN, `No results are known for frame ${h.seq} captured at ${h.timestampMs}; capture a newer frame`, { details: { seq: h.seq } });
        }
        const exam = retry ? undefined : store.getExam(req.params.id);
        if (exam) starts.check(exam, req.principal?.credentialId, h.seq, h.timestampMs);
        // the header carries the region's rectangle, not its origin (a region set by a technician, a DICOM source's)
        if (frameGeometry(h) !== frameGeometry(seen)) {
          throw new SonoError(ErrorCodes.FRAME_MESSAGE_INVALID, `Frame ${h.seq} claims ${frameGeometry(h)}, but the daemon sent it as ${frameGeometry(seen)}; post the frame message unchanged`);
        }
        const bytes = h.width * h.height * h.channels;
        if (body.length < h.pixelOffset + bytes) {
          throw new SonoError(ErrorCodes.FRAME_MESSAGE_INVALID, `Frame ${h.seq} claims ${h.width}×${h.height}×${h.channels} pixels but carries ${body.length - h.pixelOffset} bytes`);
        }
        // the clinician's calipers on this frame may follow its pixels (src/server/capture-extras.ts)
        const extras = readCaptureExtras(body.subarray(h.pixelOffset + bytes), h.seq);
        // the breast it was taken on, sent after the pixels with the calipers; a retry keeps the side stored
        const laterality = exam ? checkCaptureSide(exam.examType, extras.laterality, exam.id) : (retry?.laterality ?? undefined);
        const { capture, created, addedMeasures } = store.addCaptureOnce(
          req.params.id,
          {
            frameSeq: h.seq,
            frameTimestampMs: h.timestampMs,
            width: h.width,
            height: h.height,
            channels: h.channels,
            pixels: new Uint8Array(body.buffer, body.byteOffset + h.pixelOffset, bytes),
            pixelSpacing: seen.pixelSpacing,
            region: seen.region,
            results,
            clientKey: req.headers['idempotency-key'],
            clinicianMeasurements: extras.clinicianMeasurements,
            laterality,
          },
          req.principal!.name,
        );
        if (created)
          auditRequest(req, 'capture.add', capture.id, 'ok', {
            examId: req.params.id,
            frameSeq: h.seq,
            frozen: true,
            laterality: capture.laterality ?? null,
            clinicianMeasurements: auditedMeasures(capture),
          });
        if (addedMeasures > 0) auditRequest(req, 'capture.calipers.add', capture.id, 'ok', { examId: req.params.id, clinicianMeasurements: auditedMeasures(capture) });
        return reply.code(created ? 201 : 200).send(capture);
      },
    );
  });
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Where each exam begins in the live stream (the clip route checks its frames against it too). */
    examStarts: ExamStarts;
  }
}

export default fp(captures, { name: 'sonoedge-captures', dependencies: ['sonoedge-records'] });
