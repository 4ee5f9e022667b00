/** One failed schema check as Ajv reports it (the parts used here). */
export interface SchemaIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * A schema failure in plain words ("datingGaWeeks must be at most 44"), for the message a person reads;
 * Ajv's own text stays in the error's details.
 */
export function issueInWords(v: SchemaIssue): string {
  const field = v.instancePath ? v.instancePath.slice(1).replaceAll('/', '.') : 'the body';
  const p = v.params ?? {};
  const limit = String(p.limit);
  switch (v.keyword) {
    case 'required':
      return `${field === 'the body' ? '' : `${field}.`}${String(p.missingProperty)} is missing`;
    case 'additionalProperties':
      return `${field === 'the body' ? '' : `${field}.`}${String(p.additionalProperty)} is not a field this request takes`;
    case 'maximum':
      return `${field} must be at most ${limit}`;
    case 'minimum':
      return `${field} must be at least ${limit}`;
    case 'exclusiveMaximum':
      return `${field} must be less than ${limit}`;
    case 'exclusiveMinimum':
      return `${field} must be more than ${limit}`;
    case 'maxLength':
      return `${field} must be at most ${limit} characters`;
    case 'minLength':
      return `${field} must be at least ${limit} characters`;
    case 'maxItems':
      return `${field} must hold at most ${limit} items`;
    case 'minItems':
      return `${field} must hold at least ${limit} items`;
    case 'pattern':
      return `${field} is not in the expected form`;
    case 'type':
      return `${field} must be a ${String(p.type)}`;
    case 'const':
    case 'enum':
    case 'anyOf':
      return `${field} is not one of the accepted values`;
    default:
      return `${field} ${v.message ?? 'is not valid'}`;
  }
}
