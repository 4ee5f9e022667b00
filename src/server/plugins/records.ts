import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { assessGrowth } from '../../analysis/growth.js';
import { ExamStore, RecordError } from '../../records/exam-store.js';
import { TASK_OF_EXAM } from '../../records/measurement-rows.js';
import { decodeFrameHeader } from '../frame-message.js';
import { RecentFrames } from '../recent-frames.js';

const PN = '^[^\\\\^=\\n\\r]{0,64}(\\^[^\\\\^=\\n\\r]{0,64}){0,4}$';
const PatientBody = T.Object({
  name: T.Optional(T.String({ pattern: PN, maxLength: 320, description: 'DICOM PN form, e.g. DOE^JANE' })),
  id: T.Optional(T.String({ minLength: 1, maxLength: 64, pattern: '^[^\\\\\\n\\r]+$' })),
  birthDate: T.Optional(T.String({ pattern: '^(19|20)\\d\\d(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])$', description: 'YYYYMMDD' })),
  sex: T.Optional(T.Union([T.Literal('M'), T.Literal('F'), T.Literal('O')])),
}, { additionalProperties: false });
const ExamTypeSchema = T.Union([T.Literal('obstetric'), T.Literal('breast')], { description: 'Chooses the models whose results become measurements: fetal head (obstetric) or breast lesion (breast)' });
const NewExamBody = T.Object({
  examType: T.Optional(ExamTypeSchema),
  patient: T.Optional(PatientBody),
  datingGaWeeks: T.Optional(T.Number({ minimum: 4, maximum: 44 })),
  operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
const Measurement = T.Object({
  id: T.String(), captureId: T.String(), kind: T.String(), unit: T.String(), aiValue: T.Union([T.Number(), T.Null()]), finalValue: T.Union([T.Number(), T.Null()]),
  aiText: T.Union([T.String(), T.Null()]), finalText: T.Union([T.String(), T.Null()]), aiGeometry: T.Unknown(), finalGeometry: T.Unknown(),
  state: T.String(), modelId: T.Union([T.String(), T.Null()]), modelVersion: T.Union([T.String(), T.Null()]), provider: T.Union([T.String(), T.Null()]),
  decidedBy: T.Union([T.String(), T.Null()]), decidedAt: T.Union([T.String(), T.Null()]),
});
const Capture = T.Object({
  id: T.String(), examId: T.String(), createdAt: T.String(), frameSeq: T.Number(), width: T.Number(), height: T.Number(),
  pixelSpacing: T.Union([T.Object({ x: T.Number(), y: T.Number() }), T.Null()]), results: T.Array(T.Unknown()), measurements: T.Array(Measurement),
});
const SyncState = T.Union([T.Literal('none'), T.Literal('pending'), T.Literal('sent'), T.Literal('rejected')], { description: 'Delivery to the PACS targets' });
const ExamBase = {
  id: T.String(), createdAt: T.String(), closedAt: T.Union([T.String(), T.Null()]), anonymous: T.Boolean(), examType: ExamTypeSchema,
  patient: T.Union([T.Object({ name: T.Optional(T.String()), id: T.Optional(T.String()), birthDate: T.Optional(T.String()), sex: T.Optional(T.String()) }), T.Null()]),
  datingGaWeeks: T.Union([T.Number(), T.Null()]), operator: T.Union([T.String(), T.Null()]),
};
const Exam = T.Object({ ...ExamBase, captures: T.Array(Capture), sync: T.Optional(SyncState) });
const ExamSummary = T.Object({ ...ExamBase, captureCount: T.Number(), sync: SyncState });
const ErrorBody = T.Object({ statusCode: T.Number(), error: T.String(), message: T.String() });
const IdParams = T.Object({ id: T.String({ minLength: 1, maxLength: 64 }) });
const DecisionBody = T.Object({
  decision: T.Union([T.Literal('confirmed'), T.Literal('corrected')]),
  value: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 20000, description: 'Corrected number (mm, px, weeks, % or ratio, as the measurement\'s unit)' })),
  text: T.Optional(T.String({ minLength: 1, maxLength: 32, description: 'Corrected category of a categorical measurement (orientation, margin, class)' })),
  geometry: T.Optional(T.Union([
    T.Object({ x1: T.Number(), y1: T.Number(), x2: T.Number(), y2: T.Number() }, { additionalProperties: false, description: 'Corrected caliper end points, frame pixels' }),
    T.Object({ outline: T.Array(T.Number(), { minItems: 6, maxItems: 40000 }) }, { additionalProperties: false, description: 'Corrected lesion outline, flat [x0, y0, x1, y1, …] in frame pixels' }),
  ])),
  by: T.String({ minLength: 1, maxLength: 64, description: 'Who decided (clinician name or id)' }),
}, { additionalProperties: false });
const ActorBody = T.Object({ operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });
const CaptureBody = T.Object({
  operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
  seq: T.Optional(T.Integer({ minimum: 0, description: 'A frozen cine frame; default: the newest frame with results' })),
}, { additionalProperties: false });

/** Exams, captures of the live frame, clinician decisions on AI measurements, closing (→ sync). */
const records: FastifyPluginAsync = async (app) => {
  const store = new ExamStore(app.sono.db);
  app.decorate('exams', store);
  const recent = new RecentFrames();
  const offs = [app.sono.bus.on('frame', (f) => recent.keepFrame(f)), app.sono.bus.on('result', (e) => recent.keepResult(e))];
  app.addHook('onClose', async () => offs.forEach((o) => o()));
  /** The next frame that gets a result of `task` while it is still kept, or undefined after `ms`. */
  const nextCaptureOf = (task: string, ms: number): Promise<ReturnType<RecentFrames['capture']>> => new Promise((resolve) => {
    const done = (v: ReturnType<RecentFrames['capture']>): void => {
      off();
      clearTimeout(timer);
      resolve(v);
    };
    const off = app.sono.bus.on('result', (e) => {
      const c = e.result.task === task ? recent.capture(e.seq) : undefined;
      if (c) done(c);
    });
    const timer = setTimeout(() => done(undefined), ms);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof RecordError) return reply.code(err.status).send({ statusCode: err.status, error: err.status === 404 ? 'Not Found' : err.status === 409 ? 'Conflict' : 'Bad Request', message: err.message });
    if (err.validation) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
    app.log.error({ err: err.message }, 'request failed');
    return reply.code(err.statusCode ?? 500).send({ statusCode: err.statusCode ?? 500, error: 'Error', message: err.message });
  });

  const tags = ['records'];
  app.post<{ Body: Static<typeof NewExamBody> }>('/api/exams', { schema: { tags, summary: 'Start an exam (no patient = anonymous)', body: NewExamBody, response: { 201: Exam, 400: ErrorBody } } },
    async (req, reply) => {
      const exam = store.createExam(req.body);
      app.sono.modelGate?.setOpenExams(store.openExamTypes());
      return reply.code(201).send(exam);
    });
  const syncOf = (id: string): 'none' | 'pending' | 'sent' | 'rejected' => app.sono.sync?.outbox.examState(id) ?? 'none';
  app.get('/api/exams', { schema: { tags, summary: 'List exams with their sync state', response: { 200: T.Array(ExamSummary) } } }, async () => store.listExams().map((e) => ({ ...e, sync: syncOf(e.id) })));
  app.get<{ Params: Static<typeof IdParams> }>('/api/exams/:id', { schema: { tags, summary: 'One exam with captures and measurements', params: IdParams, response: { 200: Exam, 404: ErrorBody } } },
    async (req) => ({ ...store.getExam(req.params.id), sync: syncOf(req.params.id) }));
  app.get<{ Params: Static<typeof IdParams> }>('/api/exams/:id/growth', {
    schema: { tags, summary: "This patient's HC over visits: INTERGROWTH-21st z-scores, velocity and referral flags", params: IdParams, response: { 404: ErrorBody } },
  }, async (req) => {
    const visits = store.hcVisits(req.params.id);
    return { visits, ...assessGrowth(visits) };
  });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CaptureBody> }>('/api/exams/:id/captures', {
    schema: { tags, summary: 'Capture the current live frame (or a frozen cine frame) with its results', params: IdParams, body: T.Optional(CaptureBody), response: { 201: Capture, 404: ErrorBody, 409: ErrorBody } },
  }, async (req, reply) => {
    const seq = req.body?.seq;
    const task = TASK_OF_EXAM[store.getExam(req.params.id).examType];
    let c = recent.capture(seq, task);
    // A model that runs every few frames may have no result on a frame still kept: wait for its next one.
    if (seq === undefined && c && !c.results.some((r) => r.result.task === task)) {
      c = (await nextCaptureOf(task, 3000)) ?? c;
      if (!c.results.some((r) => r.result.task === task)) {
        throw new RecordError(409, `No kept live frame has a ${task} result (is a ${task} model configured and running?); try again, or freeze and save the frame from the live view`);
      }
    }
    if (!c) throw new RecordError(409, seq === undefined ? 'No live frame to capture yet' : `Frame ${seq} is no longer in the cine buffer; capture a newer frame`);
    const f = c.frame;
    const capture = store.addCapture(req.params.id, {
      frameSeq: f.seq, width: f.width, height: f.height, channels: f.channels, pixels: f.data, pixelSpacing: f.pixelSpacing, region: f.region,
      results: c.results.map((r) => ({ modelId: r.modelId, modelVersion: r.modelVersion, provider: r.provider, result: r.result })),
    }, req.body?.operator ?? null);
    return reply.code(201).send(capture);
  });
  // A frame frozen in a browser may be older than the daemon's frame ring: the browser sends the frame
  // message it holds (header + pixels, as /api/live sent it) and the daemon pairs it with its own results.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.post<{ Params: Static<typeof IdParams>; Querystring: { operator?: string } }>('/api/exams/:id/captures/frame', {
    schema: {
      tags, summary: 'Capture a frozen frame sent back as the binary /api/live frame message', params: IdParams,
      querystring: T.Object({ operator: T.Optional(T.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      consumes: ['application/octet-stream'], response: { 201: Capture, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (req, reply) => {
    const body = req.body as Buffer;
    let h: ReturnType<typeof decodeFrameHeader>;
    try {
      h = decodeFrameHeader(body);
    } catch (err) {
      throw new RecordError(400, `The body is not a frame message: ${(err as Error).message}`);
    }
    const bytes = h.width * h.height * h.channels;
    if (body.length !== h.pixelOffset + bytes || (h.channels !== 1 && h.channels !== 3)) throw new RecordError(400, `Frame ${h.seq} claims ${h.width}×${h.height}×${h.channels} pixels but carries ${body.length - h.pixelOffset} bytes`);
    if (h.kind !== 0) throw new RecordError(400, `Frame ${h.seq} is an enhanced frame (display only); capture the raw frame`);
    // results of this very frame: same sequence AND capture time (sequences restart with a new source);
    // an enhanced image is display only, never part of a record
    const results = recent.resultsOf(h.seq).filter((r) => r.frameTimestampMs === h.timestampMs && r.result.task !== 'enhance');
    if (results.length === 0) throw new RecordError(409, `No results are known for frame ${h.seq} captured at ${h.timestampMs}; capture a newer frame`);
    const live = recent.latestFrame();
    if (live && JSON.stringify(live.region) !== JSON.stringify(h.region)) throw new RecordError(400, `Frame ${h.seq} claims imaging region ${JSON.stringify(h.region)}, but the source's is ${JSON.stringify(live.region)}`);
    const capture = store.addCapture(req.params.id, {
      frameSeq: h.seq, width: h.width, height: h.height, channels: h.channels, pixels: new Uint8Array(body.buffer, body.byteOffset + h.pixelOffset, bytes),
      pixelSpacing: h.pixelSpacing, region: h.region,
      results: results.map((r) => ({ modelId: r.modelId, modelVersion: r.modelVersion, provider: r.provider, result: r.result })),
    }, req.query.operator ?? null);
    return reply.code(201).send(capture);
  });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> }>('/api/measurements/:id/decision', {
    schema: { tags, summary: 'Confirm or correct an AI measurement', params: IdParams, body: DecisionBody, response: { 200: Measurement, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
  }, async (req) => store.decide(req.params.id, req.body));
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ActorBody> }>('/api/exams/:id/close', {
    schema: { tags, summary: 'Close the exam: it is queued for every sync target at once', params: IdParams, body: T.Optional(ActorBody), response: { 200: Exam, 404: ErrorBody, 409: ErrorBody } },
  }, async (req) => {
    const exam = store.closeExam(req.params.id, req.body?.operator ?? null, (e) => app.sono.onExamClosed?.(e));
    app.sono.modelGate?.setOpenExams(store.openExamTypes());
    return exam;
  });
};

declare module 'fastify' {
  interface FastifyInstance {
    exams: ExamStore;
  }
}

export default fp(records, { name: 'sonoedge-records' });
