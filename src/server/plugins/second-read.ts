/**
 * Second reading of a signed report. POST /api/measurements/:id/second-read { agree, value?, text?, note? }
 * (a clinician other than the signer); POST /api/measurements/:id/adjudicate { value | text, note? } (the signer
 * or the second reader) resolves a disagreement and sends an amended report revision whose comments carry the
 * first, second and adjudicated values (no names); GET /api/exams/:id/second-reads lists all three per measurement.
 */
import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SonoError } from '../../errors.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { IdParams } from '../../protocol/rest/exams.js';
import { ExamStore } from '../../records/exam-store.js';
import { SecondReadStore } from '../../records/second-read.js';
import { auditRequest } from '../access/audit-request.js';
import { diskGuardedRecord } from '../disk-guarded.js';

const Value = T.Number({ exclusiveMinimum: 0, maximum: 1e6 });
const Text = T.String({ minLength: 1, maxLength: 64 });
const Note = T.String({ maxLength: 500 });
const SecondReadBody = T.Object({ agree: T.Boolean(), value: T.Optional(Value), text: T.Optional(Text), note: T.Optional(Note) }, { additionalProperties: false });
const AdjudicateBody = T.Object({ value: T.Optional(Value), text: T.Optional(Text), note: T.Optional(Note) }, { additionalProperties: false });
const ReadingDto = T.Object({ value: T.Union([T.Number(), T.Null()]), text: T.Union([T.String(), T.Null()]), by: T.String(), at: T.String(), note: T.Optional(T.Union([T.String(), T.Null()])) });
const ReadingsDto = T.Object({
  measurementId: T.String(),
  kind: T.String(),
  unit: T.String(),
  first: ReadingDto,
  second: T.Union([T.Composite([ReadingDto, T.Object({ agree: T.Boolean() })]), T.Null()]),
  adjudicated: T.Union([ReadingDto, T.Null()]),
  flagged: T.Boolean({ description: 'A disagreement not yet adjudicated' }),
});

const clinician = { access: 'clinician' as const };

const secondRead: FastifyPluginAsync = async (app) => {
  const reads = new SecondReadStore(app.sono.db);
  const exams = new ExamStore(app.sono.db);
  const tags = ['records'];
  const audited = <R>(req: FastifyRequest, action: string, target: string, fn: () => R): R => {
    try {
      const out = fn();
      auditRequest(req, action, target, 'ok');
      return out;
    } catch (err) {
      auditRequest(req, action, target, 'failed', { code: err instanceof SonoError ? err.code : 'internal' });
      throw err;
    }
  };

  app.post<{ Params: IdParams; Body: Static<typeof SecondReadBody> }>(
    '/api/measurements/:id/second-read',
    {
      config: clinician,
      preHandler: diskGuardedRecord(app, 'second reading'),
      schema: {
        tags,
        summary: "A second clinician's agreement or disagreement with one measurement of a signed exam",
        params: IdParams,
        body: SecondReadBody,
        response: { 200: ReadingsDto, ...errorResponses(400, 404, 409, 413, 415, 507) },
      },
    },
    async (req) => audited(req, 'measurement.second-read', req.params.id, () => reads.secondRead(req.params.id, { ...req.body, reader: req.principal!.name })),
  );

  app.post<{ Params: IdParams; Body: Static<typeof AdjudicateBody> }>(
    '/api/measurements/:id/adjudicate',
    {
      config: clinician,
      preHandler: diskGuardedRecord(app, 'adjudication'),
      schema: {
        tags,
        summary: 'Resolve a flagged disagreement (signer or second reader): an amended report revision carries all three values',
        params: IdParams,
        body: AdjudicateBody,
        response: { 200: ReadingsDto, ...errorResponses(400, 404, 409, 413, 415, 507) },
      },
    },
    // the adjudication and its amended revision are saved together or not at all (a full disk answers 507, and the request can be sent again)
    async (req) =>
      audited(req, 'measurement.adjudicate', req.params.id, () =>
        reads.adjudicate(req.params.id, { ...req.body, by: req.principal!.name }, (exam, revision, at, notes) => app.sono.reports?.revise(exam, { revision, at, notes })),
      ),
  );

  app.get<{ Params: IdParams }>(
    '/api/exams/:id/second-reads',
    {
      config: clinician,
      schema: { tags, summary: 'First, second and adjudicated values of each second-read measurement', params: IdParams, response: { 200: T.Array(ReadingsDto), ...errorResponses(400, 404) } },
    },
    async (req) => {
      const exam = exams.getExam(req.params.id);
      auditRequest(req, 'exam.second-reads.read', exam.id);
      return reads.readings(exam.id);
    },
  );
};

export default fp(secondRead, { name: 'sonoedge-second-read' });
