import { type Static, Type as T } from '@sinclair/typebox';

const Scalar = T.Union([T.String(), T.Number(), T.Boolean(), T.Null()]);
const DetailValue = T.Union([Scalar, T.Array(Scalar)]);
export type ErrorDetails = Record<string, Static<typeof DetailValue>>;

/**
 * The one error body every route answers with, whatever failed (validation, a refused body, a record that
 * does not exist, a bug): `code` is stable for software (src/errors.ts), `message` is for people.
 */
export const ErrorBody = T.Object({
  code: T.String({ description: 'Stable error code, e.g. SONO_EXAM_NOT_FOUND' }),
  message: T.String({ description: 'What was wrong and what to do, in plain words' }),
  statusCode: T.Integer({ minimum: 400, maximum: 599 }),
  details: T.Optional(T.Record(T.String(), DetailValue, { description: 'Facts about the fault (the value at fault, the allowed range); never patient data' })),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** Response schemas for the error statuses a route may answer, all with the one error body. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<S, typeof ErrorBody>;
}
