import { Status, type CallContext, type ServerError, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import type { Access, AccessControl } from '../domain';
import { presentedKey } from '../transport/bearer-token';
import { REQUEST_ID_KEY, requestIdOf } from '../transport/request-id';
import type { RequestTelemetry } from '../transport/request-telemetry';
import type { AuthContext, RequestContext } from './call-context';
import { putErrorDetails, serverErrorOf } from './call-errors';
import { statusSeenByClient } from './call-status';
import { accessOfMethod } from './method-access';
import { methodLabel } from './method-label';

export interface CallScopeOptions {
  /** The door's logger: one line per call, and the parent of each call's child logger. */
  logger: Logger;
  /** API keys, roles and rate limits. */
  access: AccessControl;
  /** Counts every call (in flight, then by method and status); without it nothing is counted. */
  telemetry?: RequestTelemetry;
  /** Full names of the services whose methods get their own metrics label. */
  measuredServices: readonly string[];
}

/** What a method path means for every call to it, worked out once. */
interface MethodFacts {
  label: string;
  access: Access;
}

/**
 * Every call's scope, in one middleware (one generator frame per call instead of five), doing in
 * this order what the call needs:
 * 1. metrics: counted in flight from the start, so a refused call is counted too;
 * 2. request id: the caller's `x-request-id` when safe, else generated, echoed in the header;
 * 3. API key and rate limit (the domain's AccessControl): a method with no access rule is refused
 *    (fail closed), a denied call is still logged with its status and, for a known key, its name;
 * 4. the handler, with `requestId`, `caller` and `principal` in its context;
 * 5. errors: mapped once to the status the client gets (call-errors.ts), with google.rpc details
 *    put on the wire;
 * 6. one log line (request id, method, final status, duration; error level for INTERNAL/UNKNOWN)
 *    and the metrics, both with the status the client saw (streams: when they end).
 * Per-path facts (metrics label, access rule) are kept in a map bounded by the served methods.
 */
export function callScopeMiddleware(options: CallScopeOptions): ServerMiddleware<AuthContext & RequestContext> {
  const { logger, access, telemetry } = options;
  const measured = new Set(options.measuredServices);
  const facts = new Map<string, MethodFacts>();
  const factsOf = (path: string): MethodFacts => {
    let known = facts.get(path);
    if (known === undefined) {
      // accessOfMethod throws for a method without a rule; the call is refused below, uncached.
      known = { label: methodLabel(path, measured), access: accessOfMethod(path) };
      facts.set(path, known);
    }
    return known;
  };

  return async function* callScope<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, AuthContext & RequestContext>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const path = call.method.path;
    const started = performance.now();
    telemetry?.requestStarted('grpc');
    const incoming = context.metadata.get(REQUEST_ID_KEY);
    const requestId = requestIdOf(typeof incoming === 'string' ? incoming : undefined);
    context.header.set(REQUEST_ID_KEY, requestId);
    const caller: { keyName?: string } = {};
    let failure: ServerError | undefined;
    let label: string | undefined;
    try {
      const method = factsOf(path);
      label = method.label;
      const authorization = context.metadata.get('authorization');
      const principal = access.authenticate(method.access, presentedKey(typeof authorization === 'string' ? authorization : undefined));
      if (principal !== undefined) caller.keyName = principal.name;
      access.throttle(method.access, principal, addressOf(context.peer));
      return yield* call.next(call.request, { ...context, requestId, caller, principal });
    } catch (error) {
      // A child logger only for a failure, whose cause may be logged besides the call's line.
      const log = logger.child(caller.keyName === undefined ? { requestId } : { requestId, keyName: caller.keyName });
      failure = serverErrorOf(error, context, log, path);
      await putErrorDetails(failure, context);
      throw failure;
    } finally {
      const code = failure === undefined && !context.signal.aborted ? Status.OK : statusSeenByClient(failure, context);
      const seconds = (performance.now() - started) / 1000;
      const name = Status[code];
      telemetry?.grpcCallEnded(label ?? methodLabel(path, measured), name, seconds);
      const failed = code === Status.INTERNAL || code === Status.UNKNOWN;
      if (logger.isLevelEnabled(failed ? 'error' : 'info')) {
        const durationMs = Math.round(seconds * 1e6) / 1000;
        const line = caller.keyName === undefined ? { requestId, method: path, code: name, durationMs } : { requestId, method: path, code: name, durationMs, keyName: caller.keyName };
        if (failed) logger.error(line, 'grpc call failed');
        else logger.info(line, 'grpc call');
      }
    }
  };
}

/** grpc-js peers look like `ipv4:127.0.0.1:53412` or `ipv6:[::1]:53412`: the port changes per connection. */
function addressOf(peer: string): string {
  return peer.replace(/:\d+$/, '');
}
