import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { DecisionHistoryDto, ExamDto, IdParams, VoidBody, errorResponses } from '../../protocol/rest/index.js';
import { examDecisions } from '../../records/exam-decisions.js';
import { auditRequest } from '../access/audit-request.js';

const clinician = { access: 'clinician' as const };
const tags = ['records'];

/**
 * The exam record view's own routes: the decision history of an exam, and voiding an exam started by
 * mistake (kept with who, when and why, audited; a voided exam is never closed, so never synced).
 */
const examRecord: FastifyPluginAsync = async (app) => {
  const store = app.exams;
  app.get<{ Params: IdParams }>(
    '/api/exams/:id/decisions',
    { config: clinician, schema: { tags, summary: "Every decision on the exam's measurements, oldest first", params: IdParams, response: { 200: DecisionHistoryDto, ...errorResponses(400, 404) } } },
    async (req) => {
      store.getExam(req.params.id); // 404 for an unknown exam
      auditRequest(req, 'exam.decisions.read', req.params.id);
      return examDecisions(app.sono.db, req.params.id);
    },
  );
  app.post<{ Params: IdParams; Body: VoidBody }>(
    '/api/exams/:id/void',
    {
      config: clinician,
      schema: { tags, summary: 'Void an open exam started by mistake (kept, never synced)', params: IdParams, body: VoidBody, response: { 200: ExamDto, ...errorResponses(400, 404, 409, 413, 415) } },
    },
    async (req) => {
      try {
        const exam = store.voidExam(req.params.id, req.principal!.name, req.body.reason);
        auditRequest(req, 'exam.void', exam.id, 'ok', { reason: req.body.reason, captures: exam.captures.length });
        app.sono.modelGate?.setOpenExams(store.openExamTypes());
        return { ...exam, sync: 'none' as const };
      } catch (err) {
        auditRequest(req, 'exam.void', req.params.id, 'failed', { code: (err as { code?: string }).code ?? null });
        throw err;
      }
    },
  );
};

export default fp(examRecord, { name: 'sonoedge-exam-record', dependencies: ['sonoedge-records'] });
