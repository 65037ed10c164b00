import type { FastifySchemaValidationError } from 'fastify';
import { DomainError, errors, type ErrorCode } from '../errors';
import { MethodNotAllowed } from './method-not-allowed';
import { validationViolations } from './validation-violations';

/** A framework error restated in our vocabulary, with the HTTP status it answers with. */
export interface TranslatedError {
  status: number;
  error: DomainError;
}

interface FastifyErrorShape {
  code?: unknown;
  statusCode?: unknown;
  validation?: FastifySchemaValidationError[];
  validationContext?: string;
  message: string;
}

export interface RequestFacts {
  bodyLimitBytes: number;
  contentType: string | undefined;
}

/**
 * Fastify's own failures (schema validation, content-type, body size, bad URL) as problem-ready
 * errors; undefined for anything that did not come from Fastify (or the door's 405). 415 and 405
 * have no ErrorCode of their own, so they travel as INVALID_ARGUMENT with their own status.
 */
export function translateFastifyError(error: unknown, facts: RequestFacts): TranslatedError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof MethodNotAllowed) return { status: 405, error: errors.invalidArgument('method', error.message) };
  const e = error as FastifyErrorShape;
  if (Array.isArray(e.validation)) {
    return { status: 400, error: errors.invalidArguments(validationViolations(e.validation, e.validationContext)) };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      // The header is echoed back, so only its start: headers may be kilobytes long.
      const sent = facts.contentType === undefined ? 'no Content-Type' : `Content-Type '${facts.contentType.slice(0, 100)}'`;
      return { status: 415, error: errors.invalidArgument('content-type', `${sent} is not supported; send application/json`) };
    }
    case 'FST_ERR_BAD_URL':
      return { status: 400, error: errors.invalidArgument('url', 'is not validly percent-encoded') };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, error: errors.tooLarge('body', `larger than the ${facts.bodyLimitBytes}-byte limit`) };
    default:
      break;
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (typeof e.code === 'string' && e.code.startsWith('FST_') && status >= 400 && status < 500) {
    return { status, error: new DomainError(codeForClientStatus(status), e.message) };
  }
  return undefined;
}

function codeForClientStatus(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'RESOURCE_EXHAUSTED';
  return 'INVALID_ARGUMENT';
}
