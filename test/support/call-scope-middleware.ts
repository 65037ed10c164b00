import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc';
import type { AuthContext, RequestContext } from '../../src/grpc/call-context';
import { callScopes, type CallScopeOptions } from '../../src/grpc/call-scope';

/**
 * The service's call scope as one nice-grpc middleware, so unit tests can drive it with a fake
 * call: streams go to the scope's stream middleware, a unary call through its unary scope, its
 * single answer handed back as a one-step iterator as nice-grpc would see it.
 */
export function callScopeMiddleware(options: CallScopeOptions): ServerMiddleware<AuthContext & RequestContext> {
  const { unary, stream } = callScopes(options);
  return <Request, Response>(call: ServerMiddlewareCall<Request, Response, AuthContext & RequestContext>, context: CallContext) =>
    call.requestStream || call.responseStream ? stream(call, context) : answerOnce(unary(call.method.path, context, (extended) => firstAnswer(call.next(call.request, extended))));
}

/** The single result of a unary handler's iterator. */
async function firstAnswer<Response>(handler: AsyncIterator<unknown, Response | void>): Promise<Response> {
  const result = await handler.next();
  if (result.done !== true) throw new Error('a unary method yielded a message instead of returning one');
  return result.value as Response;
}

/** `answer` as the iterator nice-grpc drives a unary middleware with: done at the first step. */
function answerOnce<Response>(answer: Promise<Response>): AsyncGenerator<Response, Response | void, undefined> {
  const iterator = {
    next: () => answer.then((value) => ({ done: true as const, value })),
    return: (value: Response | void) => Promise.resolve({ done: true as const, value }),
    throw: (error: unknown) => Promise.reject(error),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator as unknown as AsyncGenerator<Response, Response | void, undefined>;
}
