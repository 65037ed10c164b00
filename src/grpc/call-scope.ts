import { Status, type CallContext, type ServerError, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import type { Access, AccessControl } from '../domain';
import { presentedKey } from '../transport/bearer-token';
import { REQUEST_ID_KEY, requestIdOf } from '../transport/request-id';
import type { RequestTelemetry } from '../transport/request-telemetry';
import type { AuthContext, RequestContext } from './call-context';
import { putErrorDetails, serverErrorOf } from './call-errors';
import { statusSeenByClient } from './call-status';
import type { CallScopes } from './grpc-server';
import { accessOfMethod } from './method-access';
import { methodLabel } from './method-label';
import { callAborted } from './unary-call';

export interface CallScopeOptions {
  /** The door's logger: one line per call, and the parent of each call's child logger. */
  logger: Logger;
  /** API keys, roles and rate limits. */
  access: AccessControl;
  /** Counts every call (in flight, then by method and status); without it nothing is counted. */
  telemetry?: RequestTelemetry;
  /** Full names of the services whose methods get their own metrics label. */
  measuredServices: readonly string[];
  /**
   * Full names of the services whose successful calls write no log line: health probes, which
   * orchestrators send every few seconds, as the REST door skips /healthz and /readyz. Their
   * failures are still logged, and every call is still counted in the metrics.
   */
  unloggedServices?: readonly string[];
}

/** What a method path means for every call to it, worked out once. */
interface MethodFacts {
  label: string;
  access: Access;
  /** False for the probes' services: no line for a successful call. */
  logged: boolean;
}

/**
 * Every call's scope, as one async function around a unary handler and one middleware around a
 * stream (one frame per call instead of five middlewares), doing in this order what the call needs:
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
export function callScopes(options: CallScopeOptions): CallScopes<AuthContext & RequestContext> {
  const { logger, access, telemetry } = options;
  const measured = new Set(options.measuredServices);
  const unlogged = new Set(options.unloggedServices ?? []);
  const facts = new Map<string, MethodFacts>();
  const factsOf = (path: string): MethodFacts => {
    let known = facts.get(path);
    if (known === undefined) {
      // accessOfMethod throws for a method without a rule; the call is refused below, uncached.
      known = { label: methodLabel(path, measured), access: accessOfMethod(path), logged: !unlogged.has(serviceOf(path)) };
      facts.set(path, known);
    }
    return known;
  };

  // The call line holds only fields built here (request id, method, status, duration, key name),
  // never a credential, so it skips the logger's redaction pass: measured, that pass was more than
  // half of the line's cost. Failure causes go through the redacting logger.
  const lines = logger.child({}, { redact: [] });
  const labelOf = (path: string): string => methodLabel(path, measured);
  const scopeOf = (path: string, context: CallContext): CallScope => new CallScope(path, context, logger, lines, telemetry, labelOf);

  /** Streams keep the generator form, which follows every message. */
  async function* stream<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, AuthContext & RequestContext>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const scope = scopeOf(call.method.path, context);
    try {
      return yield* call.next(call.request, scope.enter(factsOf, access));
    } catch (error) {
      throw await scope.fail(error);
    } finally {
      scope.end();
    }
  }

  /** A unary call is one answer: an async function around the handler, no generator frames. */
  async function unary<Response>(path: string, context: CallContext, handler: (context: CallContext & AuthContext & RequestContext) => Promise<Response>): Promise<Response> {
    const scope = scopeOf(path, context);
    try {
      return await handler(scope.enter(factsOf, access));
    } catch (error) {
      throw await scope.fail(error);
    } finally {
      scope.end();
    }
  }

  return { unary, stream };
}

/** One call's state from its start to its log line. */
class CallScope {
  private readonly started = performance.now();
  private readonly requestId: string;
  private readonly caller: { keyName?: string } = {};
  private label: string | undefined;
  /** Known once the method's facts are; a call refused before that is logged. */
  private logged = true;
  private failure: ServerError | undefined;

  constructor(
    private readonly path: string,
    private readonly context: CallContext,
    private readonly logger: Logger,
    /** The same logger without redaction, for the call line. */
    private readonly lines: Logger,
    private readonly telemetry: RequestTelemetry | undefined,
    /** The metrics label of a call refused before its method's facts were known. */
    private readonly labelOf: (path: string) => string,
  ) {
    telemetry?.requestStarted('grpc');
    const incoming = context.metadata.get(REQUEST_ID_KEY);
    this.requestId = requestIdOf(typeof incoming === 'string' ? incoming : undefined);
    context.header.set(REQUEST_ID_KEY, this.requestId);
  }

  /** Checks the key and the rate limit; the handler's context. */
  enter(factsOf: (path: string) => MethodFacts, access: AccessControl): CallContext & AuthContext & RequestContext {
    const { context } = this;
    const method = factsOf(this.path);
    this.label = method.label;
    this.logged = method.logged;
    const authorization = context.metadata.get('authorization');
    const principal = access.authenticate(method.access, presentedKey(typeof authorization === 'string' ? authorization : undefined));
    if (principal !== undefined) this.caller.keyName = principal.name;
    access.throttle(method.access, principal, addressOf(context.peer));
    // Extended in place: the context is this call's alone, and a spread copy of it was a visible
    // share of a small call's CPU.
    return Object.assign(context, { requestId: this.requestId, caller: this.caller, principal });
  }

  /** What the client gets for `error`, details in the trailer; a child logger only here, for the cause. */
  async fail(error: unknown): Promise<ServerError> {
    const { keyName } = this.caller;
    const log = this.logger.child(keyName === undefined ? { requestId: this.requestId } : { requestId: this.requestId, keyName });
    this.failure = serverErrorOf(error, this.context, log, this.path);
    await putErrorDetails(this.failure, this.context);
    return this.failure;
  }

  /** The metrics and the call's one log line, with the status the client saw. */
  end(): void {
    const { failure, context, lines: logger } = this;
    const code = failure === undefined && !callAborted(context) ? Status.OK : statusSeenByClient(failure, context);
    const seconds = (performance.now() - this.started) / 1000;
    const name = Status[code];
    this.telemetry?.grpcCallEnded(this.label ?? this.labelOf(this.path), name, seconds);
    const failed = code === Status.INTERNAL || code === Status.UNKNOWN;
    if (!this.logged && code === Status.OK) return;
    if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
    const { requestId, path: method } = this;
    const { keyName } = this.caller;
    const durationMs = Math.round(seconds * 1e6) / 1000;
    const line = keyName === undefined ? { requestId, method, code: name, durationMs } : { requestId, method, code: name, durationMs, keyName };
    if (failed) logger.error(line, 'grpc call failed');
    else logger.info(line, 'grpc call');
  }
}

/** `/grpc.health.v1.Health/Check` → `grpc.health.v1.Health`. */
function serviceOf(path: string): string {
  return path.slice(1, path.lastIndexOf('/'));
}

/** grpc-js peers look like `ipv4:127.0.0.1:53412` or `ipv6:[::1]:53412`: the port changes per connection. */
function addressOf(peer: string): string {
  return peer.replace(/:\d+$/, '');
}
