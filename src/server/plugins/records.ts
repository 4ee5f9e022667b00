import type { FastifyPluginAsync } from 'fastify';
import { Type as T } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import { assessGrowth } from '../../analysis/growth.js';
import {
  ActorBody, DecisionBody, ExamDto, ExamSummaryDto, type ExamSyncDto, GrowthDto, IdParams, MeasurementDto, NewExamBody, errorResponses,
} from '../../protocol/rest/index.js';
import { ExamStore } from '../../records/exam-store.js';

/** A corrected outline holds up to 40,000 numbers: the one JSON body allowed to be this large. */
const DECISION_BODY_LIMIT = 1024 * 1024;

/** Exams, clinician decisions on AI measurements, closing (→ sync), growth over a patient's visits. */
const records: FastifyPluginAsync = async (app) => {
  const store = new ExamStore(app.sono.db);
  app.decorate('exams', store);
  const tags = ['records'];
  const syncOf = (id: string): ExamSyncDto => app.sono.sync?.outbox.examState(id) ?? 'none';

  app.post<{ Body: NewExamBody }>('/api/exams', { schema: { tags, summary: 'Start an exam (no patient = anonymous)', body: NewExamBody, response: { 201: ExamDto, ...errorResponses(400, 413, 415) } } },
    async (req, reply) => {
      const exam = store.createExam(req.body);
      app.sono.modelGate?.setOpenExams(store.openExamTypes());
      return reply.code(201).send(exam);
    });
  app.get('/api/exams', { schema: { tags, summary: 'List exams with their sync state', response: { 200: T.Array(ExamSummaryDto) } } }, async () => store.listExams().map((e) => ({ ...e, sync: syncOf(e.id) })));
  app.get<{ Params: IdParams }>('/api/exams/:id', { schema: { tags, summary: 'One exam with captures and measurements', params: IdParams, response: { 200: ExamDto, ...errorResponses(400, 404) } } },
    async (req) => ({ ...store.getExam(req.params.id), sync: syncOf(req.params.id) }));
  app.get<{ Params: IdParams }>('/api/exams/:id/growth', {
    schema: { tags, summary: "This patient's HC over visits: INTERGROWTH-21st z-scores, velocity and referral flags", params: IdParams, response: { 200: GrowthDto, ...errorResponses(400, 404) } },
  }, async (req) => {
    const visits = store.hcVisits(req.params.id);
    return { visits, ...assessGrowth(visits) };
  });
  app.post<{ Params: IdParams; Body: DecisionBody }>('/api/measurements/:id/decision', {
    bodyLimit: DECISION_BODY_LIMIT,
    schema: { tags, summary: 'Confirm or correct an AI measurement', params: IdParams, body: DecisionBody, response: { 200: MeasurementDto, ...errorResponses(400, 404, 409, 413, 415) } },
  }, async (req) => store.decide(req.params.id, req.body));
  app.post<{ Params: IdParams; Body: ActorBody | undefined }>('/api/exams/:id/close', {
    schema: { tags, summary: 'Close the exam: it is queued for every sync target at once', params: IdParams, body: T.Optional(ActorBody), response: { 200: ExamDto, ...errorResponses(400, 404, 409, 413, 415) } },
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
