/**
 * Report sign-off: POST /api/exams/:id/sign (clinician) signs the report of a closed exam whose AI
 * measurements were all confirmed or corrected (a breast lesion's AI class and malignancy probability apart: AI
 * output, labelled AI in the report and SR, src/records/signatures.ts AI_ONLY_KINDS). The signed-in user is the Verifying Observer; the signature
 * is a new report revision (VERIFIED, naming the one it replaces) queued for the PACS like closing's, recorded
 * in the records database and in the audit trail. Signing again (after an amendment) makes the next revision;
 * not while a second reading disagrees with a value nobody adjudicated yet (409 SONO_REPORT_UNDECIDED, details.disagreements).
 */
import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { SonoError } from '../../errors.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { IdParams } from '../../protocol/rest/exams.js';
import { ExamStore } from '../../records/exam-store.js';
import { SignatureStore, checkNoOpenDisagreement, checkSignable } from '../../records/signatures.js';
import { auditRequest } from '../access/audit-request.js';
import { diskGuardedRecord } from '../disk-guarded.js';

const RevisionDto = T.Object({
  examId: T.String(),
  revision: T.Integer({ description: 'Report revision: 0 is the one closing sent, each signature or amendment the next' }),
  kind: T.Union([T.Literal('signature'), T.Literal('amendment')]),
  by: T.String({ description: 'The signed-in user who made it, as on the account' }),
  at: T.String({ format: 'date-time' }),
  srUid: T.Union([T.String(), T.Null()], { description: 'SOP Instance UID of the TID 1500 report as sent (de-identified)' }),
  obSrUid: T.Union([T.String(), T.Null()], { description: 'SOP Instance UID of the TID 5000 OB report as sent (obstetric exams)' }),
});
const SignDto = T.Composite([RevisionDto, T.Object({ verificationFlag: T.Literal('VERIFIED') })]);
const SignBody = T.Object({}, { additionalProperties: false, description: 'Nothing: the signer is the signed-in user' });

const clinician = { access: 'clinician' as const };

const signOff: FastifyPluginAsync = async (app) => {
  const exams = new ExamStore(app.sono.db);
  const signatures = new SignatureStore(app.sono.db);
  const tags = ['records'];

  app.post<{ Params: IdParams; Body: Static<typeof SignBody> | undefined }>(
    '/api/exams/:id/sign',
    {
      config: clinician,
      preHandler: diskGuardedRecord(app, 'signature'),
      schema: {
        tags,
        summary: 'Sign the report of a closed exam whose measurements are all decided: a VERIFIED revision is sent with the signed-in clinician as Verifying Observer',
        params: IdParams,
        body: T.Optional(SignBody),
        response: { 200: SignDto, ...errorResponses(400, 404, 409, 413, 415, 507) },
      },
    },
    async (req) => {
      const by = req.principal!.name;
      try {
        const exam = exams.getExam(req.params.id);
        checkSignable(exam);
        // a retry of the latest signature is answered as stored; a new one waits for every disagreement to be adjudicated
        if (!signatures.repeatsSignature(exam.id, by)) checkNoOpenDisagreement(exam);
        const at = new Date();
        const reports = app.sono.reports;
        const rec = signatures.addRevision(exam.id, { kind: 'signature', by, at }, (revision) =>
          reports?.revise(exam, {
            revision,
            at,
            verification: { observerName: by, organization: reports.organization, at },
          }),
        );
        auditRequest(req, 'report.sign', exam.id, 'ok', { revision: rec.revision, srUid: rec.srUid, obSrUid: rec.obSrUid });
        return { ...rec, verificationFlag: 'VERIFIED' as const };
      } catch (err) {
        auditRequest(req, 'report.sign', req.params.id, 'failed', { code: err instanceof SonoError ? err.code : 'internal' });
        throw err;
      }
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/exams/:id/signatures',
    {
      config: clinician,
      schema: {
        tags,
        summary: "The exam's report revisions after closing: signatures and amendments, who, when, which SR",
        params: IdParams,
        response: { 200: T.Array(RevisionDto), ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const exam = exams.getExam(req.params.id);
      auditRequest(req, 'report.signatures.read', exam.id);
      return signatures.revisions(exam.id);
    },
  );
};

export default fp(signOff, { name: 'sonoedge-sign-off' });
