import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallOptions } from '../domain';
import { errors } from '../errors';

const controllers = new WeakMap<FastifyRequest, AbortController>();

/**
 * onRequest hook: aborts the request's signal when the client goes away before the response is
 * written. The response's 'close' is used because since Node 16 the request's 'close' fires as
 * soon as the body has been read, not when the socket drops.
 */
export function watchClientDisconnect(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const controller = new AbortController();
  controllers.set(request, controller);
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(errors.cancelled());
  });
  done();
}

/** The options every domain call receives: the signal that fires when the caller leaves. */
export function callOptions(request: FastifyRequest): CallOptions {
  return { signal: controllers.get(request)?.signal };
}
