import type { FastifyPluginAsync } from 'fastify';
import { ErrorCodes, SonoError } from '../../errors.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { WorklistDto, WorklistQuery } from '../../protocol/rest/worklist.js';
import { findWorklist } from '../../worklist/find-scu.js';
import { dicomDate, localDate } from '../../worklist/identifier.js';

/**
 * GET /api/worklist: today's (or a chosen day's) scheduled ultrasound procedures from the RIS, by DICOM
 * Modality Worklist C-FIND, for the patient picker. The settings are read per request, so an edited
 * config applies to the next query.
 */
/**
 * The date filter's days must be real (20261399 is not) and a range must run forwards: caught here as the
 * client's mistake, rather than sent to the RIS, which answers an error blamed on the RIS or an empty list.
 */
function checkDateFilter(date: string): void {
  const days = date.split('-');
  const bad = days.find((d) => dicomDate(d) === null);
  if (bad !== undefined) throw new SonoError(ErrorCodes.REQUEST_INVALID, `${bad} is not a calendar date; send the scheduled date as YYYYMMDD (e.g. ${localDate()})`, { details: { date } });
  if (days.length === 2 && days[0]! > days[1]!)
    throw new SonoError(ErrorCodes.REQUEST_INVALID, `The date range ${date} ends before it starts; send the earlier day first (YYYYMMDD-YYYYMMDD)`, { details: { date } });
}

/** Who may call a route; read by the access plugin (clinicians: scan, exams, reports). */
type RouteAccess = { access: 'clinician' };

const worklist: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: WorklistQuery }, RouteAccess>(
    '/api/worklist',
    {
      config: { access: 'clinician' },
      schema: {
        tags: ['records'],
        summary: "The RIS's scheduled procedures (DICOM Modality Worklist): patient, accession number, scheduled date",
        querystring: WorklistQuery,
        response: { 200: WorklistDto, ...errorResponses(400, 409, 502, 504) },
      },
    },
    async (req, reply) => {
      const settings = app.sono.config.worklist;
      if (!settings) {
        throw new SonoError(
          ErrorCodes.WORKLIST_NOT_CONFIGURED,
          'No worklist is configured; add a "worklist" section (host, port, calledAeTitle, callingAeTitle) to the config, or type the patient\'s details',
        );
      }
      const date = req.query.date ?? localDate();
      checkDateFilter(date);
      const modality = req.query.modality === 'any' ? undefined : (req.query.modality ?? 'US');
      // a client that goes away abandons the association rather than leaving it to the timeout
      const gone = new AbortController();
      const onClose = (): void => gone.abort(new Error('The client closed the connection'));
      reply.raw.once('close', onClose);
      try {
        const answer = await findWorklist(settings, { date, modality }, { signal: gone.signal });
        return { date, modality: modality ?? null, ...answer };
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
};

export default worklist;
