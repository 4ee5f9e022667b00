import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { assessGrowth } from '../../analysis/growth.js';
import { PatientGrowthDto, PatientIdParams, PatientSummaryDto, PatientsQuery, errorResponses } from '../../protocol/rest/index.js';
import { PatientRecords } from '../../records/patient-records.js';
import { auditRequest } from '../access/audit-request.js';

const clinician = { access: 'clinician' as const };
const tags = ['records'];

/**
 * The patient picker (earlier patients by ID or name) and one patient's growth: a visit per exam with the HC
 * the clinician decided, only those plotted. Patient data: clinicians only, each read audited.
 */
const patients: FastifyPluginAsync = async (app) => {
  const records = new PatientRecords(app.sono.db);
  app.get<{ Querystring: PatientsQuery }>(
    '/api/patients',
    {
      config: clinician,
      schema: {
        tags,
        summary: 'Earlier patients whose ID or name holds q, most recently seen first',
        querystring: PatientsQuery,
        response: { 200: T.Array(PatientSummaryDto), ...errorResponses(400) },
      },
    },
    async (req) => {
      const found = records.search(req.query.q, req.query.limit ?? 20);
      // the search text may be a name: the audit keeps its length, not the text
      auditRequest(req, 'patient.search', null, 'ok', { queryLength: req.query.q?.length ?? 0, count: found.length });
      return found;
    },
  );
  app.get<{ Params: PatientIdParams }>(
    '/api/patients/:patientId/growth',
    {
      config: clinician,
      schema: {
        tags,
        summary: "One patient's HC over their visits, from the decided captures (INTERGROWTH-21st)",
        params: PatientIdParams,
        response: { 200: PatientGrowthDto, ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const patient = records.summary(req.params.patientId);
      const visits = records.hcVisits(req.params.patientId);
      const plotted = visits.flatMap((v) => (v.hcMm !== null && v.gaWeeks !== null ? [{ examId: v.examId, date: v.date, gaWeeks: v.gaWeeks, hcMm: v.hcMm }] : []));
      const { points, flags } = assessGrowth(plotted);
      auditRequest(req, 'patient.growth.read', req.params.patientId, 'ok', { visits: visits.length });
      return { patient, visits, points, flags };
    },
  );
};

export default fp(patients, { name: 'sonoedge-patients' });
