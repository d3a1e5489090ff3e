/** One of Ajv's errors, as Fastify attaches them to a failed validation (`err.validation`). */
export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * What was wrong with a request, for the 400 answer: where (`body/memory`), and for the cases Ajv's
 * own words leave vague, which field is unknown or which values are allowed.
 */
export function validationMessage(context: string | undefined, errors: readonly AjvError[]): string {
  const e = errors[0];
  if (!e) return 'invalid input';
  const where = `${context ?? 'request'}${e.instancePath}`;
  if (e.keyword === 'additionalProperties')
    return `${where} has an unknown field "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${where} needs the field "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues))
    return `${where} must be one of: ${e.params.allowedValues.map(String).join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}
