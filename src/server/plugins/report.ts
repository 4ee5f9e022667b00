import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { errorResponses } from '../../protocol/rest/errors.js';
import { IdParams } from '../../protocol/rest/exams.js';
import { ExamStore } from '../../records/exam-store.js';
import { buildExamReport } from '../../report/build-report.js';
import { reportLang } from '../../report/i18n.js';
import { auditIfWired } from './source-region.js';

const ReportQuery = T.Object(
  {
    lang: T.Optional(T.Union([T.Literal('en'), T.Literal('fr')], { description: 'Language of the report; default: from Accept-Language, else English' })),
  },
  { additionalProperties: false },
);

/** Who may call a route; read by the access plugin (clinicians: scan, exams, reports). */
type RouteAccess = { access: 'clinician' };

/** GET /api/exams/:id/report.pdf: the printable one-page report for the patient's notes. */
const report: FastifyPluginAsync = async (app) => {
  // the store is a view over the shared records database, like the records plugin's
  const store = new ExamStore(app.sono.db);
  app.get<{ Params: IdParams; Querystring: Static<typeof ReportQuery> }, RouteAccess>(
    '/api/exams/:id/report.pdf',
    {
      config: { access: 'clinician' },
      schema: {
        tags: ['records'],
        summary: "The exam's printable report (PDF): patient, exam, AI and final values with their decision state, GA, growth flags",
        params: IdParams,
        querystring: ReportQuery,
        produces: ['application/pdf'],
        response: { 200: T.String({ format: 'binary', description: 'application/pdf' }), ...errorResponses(400, 404, 500) },
      },
    },
    async (req, reply) => {
      const lang = reportLang(req.query.lang, req.headers['accept-language']);
      const pdf = await buildExamReport(store, req.params.id, { lang });
      auditIfWired(req, 'exam.report.export', req.params.id, { lang });
      return (
        reply
          .type('application/pdf')
          .header('content-language', lang)
          .header('content-disposition', `inline; filename="report-${req.params.id.replace(/[^A-Za-z0-9-]/g, '').slice(0, 36)}.pdf"`)
          // a patient's report is not kept by browsers or proxies
          .header('cache-control', 'no-store')
          .send(pdf)
      );
    },
  );
};

export default report;
