import type { FastifySchemaValidationError } from 'fastify';
import type { FieldViolation } from '../errors';

/**
 * Turns schema validation failures into field violations named the way the domain and the gRPC
 * door name them: JSON Pointer `/vectors/0/vector/3` becomes `vectors[0].vector[3]`.
 */
export function validationViolations(issues: readonly FastifySchemaValidationError[], context: string | undefined): FieldViolation[] {
  return mergeUnions(issues).map((issue) => {
    const at = pointerToField(issue.instancePath);
    const params = issue.params as Record<string, unknown>;
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      return { field: join(at, params.missingProperty), message: 'is required' };
    }
    if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return { field: join(at, params.additionalProperty), message: 'is not a known field' };
    }
    return { field: at === '' ? rootName(context) : at, message: messageOf(issue, params) };
  });
}

/**
 * A value matching no branch of a union (`stop`: a string or strings) makes Ajv report each
 * branch's failure and then the union's; one field is named once, with the types it may have.
 */
function mergeUnions(issues: readonly FastifySchemaValidationError[]): FastifySchemaValidationError[] {
  const unions = issues.filter((i) => i.keyword === 'anyOf' || i.keyword === 'oneOf');
  if (unions.length === 0) return [...issues];
  const at = new Set(unions.map((u) => u.instancePath));
  const types = new Map<string, string[]>();
  for (const i of issues) {
    const type = (i.params as { type?: unknown }).type;
    if (i.keyword === 'type' && at.has(i.instancePath) && typeof type === 'string') types.set(i.instancePath, [...(types.get(i.instancePath) ?? []), type]);
  }
  return issues
    .filter((i) => !(i.keyword === 'type' && at.has(i.instancePath)))
    .map((i) => (at.has(i.instancePath) && types.has(i.instancePath) ? { ...i, message: `must be ${types.get(i.instancePath)!.join(' or ')}` } : i));
}

/** Ajv's "must be number" also covers 1e999 (JSON.parse gives Infinity), so say what is really wanted. */
function messageOf(issue: FastifySchemaValidationError, params: Record<string, unknown>): string {
  if (issue.keyword === 'type' && params.type === 'number') return 'must be a finite number';
  if (issue.keyword === 'type' && params.type === 'integer') return 'must be an integer';
  return issue.message ?? 'is invalid';
}

function pointerToField(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : join(field, part)), '');
}

function join(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

/** A failure about the whole body (say, an array where an object belongs) names the body itself. */
function rootName(context: string | undefined): string {
  return context === 'params' ? 'path' : context === 'querystring' ? 'query' : context ?? 'body';
}
