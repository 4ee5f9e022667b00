import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type as T } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import { assessGrowth } from '../../analysis/growth.js';
import { ActorBody, DecisionBody, ExamDto, ExamSummaryDto, type ExamSyncDto, ExamsQuery, GrowthDto, IdParams, MeasurementDto, NewExamBody, errorResponses } from '../../protocol/rest/index.js';
import { ExamStore } from '../../records/exam-store.js';
import { decideMeasurement } from '../../records/late-decision.js';
import { auditRequest } from '../access/audit-request.js';
import { diskGuarded, diskGuardedRecord } from '../disk-guarded.js';

/** A corrected outline holds up to 40,000 numbers: the one JSON body allowed to be this large. */
const DECISION_BODY_LIMIT = 1024 * 1024;

const ClientKeyHeaders = { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128 } } } as const;

/** JSON with its object keys sorted: one text for one value, whatever order a client wrote it in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What a decision's Idempotency-Key is checked against: the body but `by` (ignored), as a SHA-256. */
function decisionDigest(body: DecisionBody): string {
  const { by: _by, ...request } = body;
  return createHash('sha256').update(canonical(request)).digest('hex');
}

/** Patient records: clinicians (and admins) only (src/access/roles.ts). */
const clinician = { access: 'clinician' as const };

/** Exams, clinician decisions on AI measurements, closing (→ sync), growth over a patient's visits. */
const records: FastifyPluginAsync = async (app) => {
  const store = new ExamStore(app.sono.db);
  app.decorate('exams', store);
  const tags = ['records'];
  const syncOf = (id: string): ExamSyncDto => app.sono.sync?.outbox.examState(id) ?? 'none';

  app.post<{ Body: NewExamBody }>(
    '/api/exams',
    {
      config: clinician,
      preHandler: diskGuarded(app, 'exam'),
      schema: { tags, summary: 'Start an exam (no patient = anonymous)', body: NewExamBody, response: { 201: ExamDto, ...errorResponses(400, 409, 413, 415, 507) } },
    },
    async (req, reply) => {
      const exam = store.createExam(req.body);
      auditRequest(req, 'exam.create', exam.id, 'ok', { anonymous: !req.body.patient, examType: exam.examType });
      app.sono.modelGate?.setOpenExams(store.openExamTypes());
      return reply.code(201).send(exam);
    },
  );
  app.get<{ Querystring: ExamsQuery }>(
    '/api/exams',
    {
      config: clinician,
      schema: { tags, summary: "List exams (or one patient's) with their sync state", querystring: ExamsQuery, response: { 200: T.Array(ExamSummaryDto), ...errorResponses(400) } },
    },
    async (req) => {
      const exams = store.listExams({ patientId: req.query.patientId });
      auditRequest(req, 'exam.list', null, 'ok', { count: exams.length, byPatient: req.query.patientId !== undefined });
      return exams.map((e) => ({ ...e, sync: e.voidedAt ? ('none' as const) : syncOf(e.id) }));
    },
  );
  app.get<{ Params: IdParams }>(
    '/api/exams/:id',
    { config: clinician, schema: { tags, summary: 'One exam with captures and measurements', params: IdParams, response: { 200: ExamDto, ...errorResponses(400, 404) } } },
    async (req) => {
      const exam = store.getExam(req.params.id);
      auditRequest(req, 'exam.read', exam.id);
      return { ...exam, sync: syncOf(req.params.id) };
    },
  );
  app.get<{ Params: IdParams }>(
    '/api/exams/:id/growth',
    {
      config: clinician,
      schema: { tags, summary: "This patient's HC over visits: INTERGROWTH-21st z-scores, velocity and referral flags", params: IdParams, response: { 200: GrowthDto, ...errorResponses(400, 404) } },
    },
    async (req) => {
      const visits = store.hcVisits(req.params.id);
      auditRequest(req, 'exam.growth.read', req.params.id);
      return { visits, ...assessGrowth(visits) };
    },
  );
  app.post<{ Params: IdParams; Body: DecisionBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/measurements/:id/decision',
    {
      config: clinician,
      bodyLimit: DECISION_BODY_LIMIT,
      // below the disk's reserve a decision carrying an outline (up to thousands of numbers, kept twice) is refused; a plain Confirm, a value, a caliper or an ellipse still works
      preHandler: diskGuardedRecord<FastifyRequest<{ Body: DecisionBody }>>(app, 'decision carrying an outline', (req) =>
        Array.isArray((req.body.geometry as { outline?: unknown } | undefined)?.outline),
      ),
      schema: {
        tags,
        summary:
          'Confirm or correct an AI measurement. An Idempotency-Key (scoped to the measurement) stores it once: a retry answers the stored decision, the key with another body 409; `expect` refuses (409) a decision over one made since',
        params: IdParams,
        body: DecisionBody,
        headers: ClientKeyHeaders,
        response: { 200: MeasurementDto, ...errorResponses(400, 404, 409, 413, 415, 507) },
      },
    },
    async (req) => {
      // a retry whose answer was lost: answered from its stored row before anything else (even on an exam closed since)
      const clientKey = req.headers['idempotency-key'];
      const requestDigest = clientKey !== undefined ? decisionDigest(req.body) : undefined;
      const replayed = clientKey !== undefined ? store.replayedDecision(req.params.id, clientKey, requestDigest!) : undefined;
      if (replayed) return replayed;
      // who decided is who is signed in: a `by` in the body is never trusted
      const by = req.principal!.name;
      // a closed exam's undecided measurement is decided with an amended report (src/records/late-decision.ts)
      const { measurement: m } = decideMeasurement(app.sono.db, store, req.params.id, { ...req.body, by, clientKey, requestDigest }, (exam, revision, at, notes) =>
        app.sono.reports?.revise(exam, { revision, at, notes }),
      );
      auditRequest(req, `measurement.${req.body.decision}`, m.id, 'ok', { aiValue: m.aiValue, finalValue: m.finalValue, aiText: m.aiText, finalText: m.finalText });
      return m;
    },
  );
  app.post<{ Params: IdParams; Body: ActorBody | undefined }>(
    '/api/exams/:id/close',
    {
      config: clinician,
      schema: {
        tags,
        summary: 'Close the exam: it is queued for every sync target at once',
        params: IdParams,
        body: T.Optional(ActorBody),
        response: { 200: ExamDto, ...errorResponses(400, 404, 409, 413, 415) },
      },
    },
    async (req) => {
      const exam = store.closeExam(req.params.id, req.principal!.name, (e) => app.sono.onExamClosed?.(e));
      auditRequest(req, 'exam.close', exam.id, 'ok', { captures: exam.captures.length });
      app.sono.modelGate?.setOpenExams(store.openExamTypes());
      return exam;
    },
  );
};

declare module 'fastify' {
  interface FastifyInstance {
    exams: ExamStore;
  }
}

export default fp(records, { name: 'sonoedge-records' });
