import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, SonoError } from '../errors.js';

/** Validates `raw` against `schema` after filling defaults; reports every problem with its path. */
export function validateWithDefaults<S extends TSchema>(schema: S, raw: unknown, what: string): Static<S> {
  const value = Value.Default(schema, structuredClone(raw ?? {}));
  const errors = [...Value.Errors(schema, value)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path || '/'}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`);
    throw new SonoError(ErrorCodes.CONFIG_INVALID, `Invalid ${what}:\n${[...new Set(lines)].join('\n')}`);
  }
  return value as Static<S>;
}
