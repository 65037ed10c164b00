import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors';
import { fromDomainError, PROBLEM_JSON, toProblem, type ProblemReply } from './problem-details';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * The one place REST errors are written: domain errors, Fastify's own errors and unknown throws all
 * become RFC 9457 problem+json; unknown causes are logged with the request id, never sent.
 */
export function registerErrorHandlers(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, bodyLimitBytes));
  app.setNotFoundHandler((request, reply) => {
    const error = new DomainError('NOT_FOUND', `no route for ${request.method} ${pathOf(request)}`);
    return sendProblem(request, reply, fromDomainError(error, 404, pathOf(request)), error);
  });
}

/**
 * Also used as Fastify's `frameworkErrors` hook, which runs before routing (bad URL encoding);
 * `bodyLimitBytes` is the app's cap, named when the request has no route of its own.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimitBytes: number): FastifyReply {
  const facts = { bodyLimitBytes: routeBodyLimit(request, bodyLimitBytes), contentType: request.headers['content-type'] };
  return sendProblem(request, reply, toProblem(error, facts, pathOf(request)), error);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, answer: ProblemReply, error: unknown): FastifyReply {
  const { problem } = answer;
  if (answer.unexpected) request.log.error({ err: error }, 'request failed unexpectedly');
  else if (problem.status >= 500) request.log.warn({ code: problem.code, detail: problem.detail }, 'request failed');
  else request.log.info({ code: problem.code, detail: problem.detail }, 'request rejected');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(answer.retryAfterSeconds)));
  // Hooks do not run for errors raised before routing, so the id is echoed here as well.
  reply.header(REQUEST_ID_HEADER, request.id);
  // A string bypasses the route's response serializers, which know only the success shapes.
  return reply.code(problem.status).type(PROBLEM_JSON).send(JSON.stringify(problem));
}

/** The limit the request was held to: its route's own (body-limits.ts), else the app's. */
export function routeBodyLimit(request: FastifyRequest, fallback: number): number {
  return request.routeOptions?.bodyLimit ?? fallback;
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}
