import { STATUS_CODES } from 'node:http';
import { INTERNAL_MESSAGE, isDomainError, type DomainError, type ErrorCode, type FieldViolation } from '../errors';
import { translateFastifyError, type RequestFacts } from './fastify-error-translation';
import { httpStatusOf } from './http-status-table';

export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** An RFC 9457 problem details body, extended with our error code and field violations. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldViolation[];
  instance?: string;
}

export interface ProblemReply {
  problem: ProblemDetails;
  retryAfterSeconds?: number;
  /** Nothing about the cause was sent, so it must be logged. */
  unexpected: boolean;
}


/** Every error the REST door can meet, as the problem it answers with. */
export function toProblem(error: unknown, facts: RequestFacts, instance?: string): ProblemReply {
  if (isDomainError(error)) return fromDomainError(error, httpStatusOf(error), instance);
  const translated = translateFastifyError(error, facts);
  if (translated) return fromDomainError(translated.error, translated.status, instance);
  return {
    problem: problem(500, 'INTERNAL', INTERNAL_MESSAGE, [], instance),
    unexpected: true,
  };
}

export function fromDomainError(error: DomainError, status: number, instance?: string): ProblemReply {
  // INTERNAL messages may carry engine internals; CONVENTIONS.md keeps them in the log.
  const internal = error.code === 'INTERNAL';
  return {
    problem: problem(status, error.code, internal ? INTERNAL_MESSAGE : error.message, error.violations, instance),
    retryAfterSeconds: error.retryAfterSeconds,
    unexpected: internal,
  };
}

function problem(status: number, code: ErrorCode, detail: string, violations: readonly FieldViolation[], instance?: string): ProblemDetails {
  return {
    // RFC 9457 §4.2.1: "about:blank" says the status code is all the semantics; `code` refines it.
    type: 'about:blank',
    title: STATUS_CODES[status] ?? (status === 499 ? 'Client Closed Request' : 'Error'),
    status,
    detail,
    code,
    ...(violations.length > 0 ? { errors: violations.map((v) => ({ field: v.field, message: v.message })) } : {}),
    ...(instance === undefined ? {} : { instance }),
  };
}
