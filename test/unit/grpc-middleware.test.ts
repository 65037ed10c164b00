import { Writable } from 'node:stream';
import { Metadata, ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import pino from 'pino';
import { errors } from '../../src/errors';
import { AccessControl } from '../../src/domain';
import { abortedStatus, DEADLINE_CLOCK_SLACK_MS, DEADLINE_METADATA_KEY } from '../../src/grpc/call-deadline';
import { callScopeMiddleware } from '../support/call-scope-middleware';

function capturingLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(sink), lines };
}

function contextWith(signal = new AbortController().signal, metadata = Metadata()): CallContext {
  return { metadata, peer: 'test', header: Metadata(), trailer: Metadata(), sendHeader: () => undefined, signal };
}

/** A unary call whose handler throws `error` (or answers, when it is undefined). */
function callThrowing(error: unknown, path = '/taishang.ai.v1.VectorService/Search'): ServerMiddlewareCall<object, object> {
  return {
    method: { path, requestStream: false, responseStream: false, options: {} },
    requestStream: false,
    request: {},
    responseStream: false,
    async *next(): AsyncGenerator<never, object, undefined> {
      if (error !== undefined) throw error;
      return {};
    },
  };
}

/** The call through the call-scope middleware, the caller's request id being `req-1`. */
async function statusOf(error: unknown, log: pino.Logger, context: CallContext = contextWith()): Promise<ServerError> {
  context.metadata.set('x-request-id', 'req-1');
  const middleware = callScopeMiddleware({ logger: log, access: AccessControl.open(), measuredServices: [] });
  const thrown = await middleware(callThrowing(error) as never, context).next().then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(ServerError);
  return thrown as ServerError;
}

describe('call-scope middleware: errors and the call log', () => {
  it('sends INTERNAL with a generic message and logs the cause with the request id', async () => {
    const { log, lines } = capturingLogger();
    const status = await statusOf(new Error('db password is hunter2'), log);
    expect(status.code).toBe(Status.INTERNAL);
    expect(status.details).toBe('internal error');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, requestId: 'req-1', err: { message: 'db password is hunter2' } });
    expect(lines[1]).toMatchObject({ level: 50, requestId: 'req-1', method: '/taishang.ai.v1.VectorService/Search', code: 'INTERNAL', msg: 'grpc call failed' });
    expect(JSON.stringify(lines[1])).not.toContain('hunter2');
  });

  it('maps domain errors without logging them as failures of the service; the call line has the status', async () => {
    const { log, lines } = capturingLogger();
    const context = contextWith();
    const status = await statusOf(errors.collectionNotFound('docs'), log, context);
    expect(status.code).toBe(Status.NOT_FOUND);
    expect(lines).toEqual([expect.objectContaining({ level: 30, requestId: 'req-1', code: 'NOT_FOUND', msg: 'grpc call' })]);
    expect(context.header.get('x-request-id')).toBe('req-1');
  });

  it('puts google.rpc details of a refusal with details into the trailer', async () => {
    const { log } = capturingLogger();
    const context = contextWith();
    const status = await statusOf(errors.resourceExhausted('rate limit', 'too many calls', 2), log, context);
    expect(status.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(context.trailer.get('grpc-status-details-bin')).toBeInstanceOf(Uint8Array);
  });

  it('answers with one info line per successful call and a generated request id when none was sent', async () => {
    const { log, lines } = capturingLogger();
    const context = contextWith();
    const middleware = callScopeMiddleware({ logger: log, access: AccessControl.open(), measuredServices: [] });
    await expect(middleware(callThrowing(undefined) as never, context).next()).resolves.toEqual({ done: true, value: {} });
    const id = context.header.get('x-request-id');
    expect(typeof id).toBe('string');
    expect(lines).toEqual([expect.objectContaining({ level: 30, requestId: id, code: 'OK', msg: 'grpc call', durationMs: expect.any(Number) })]);
  });

  it('writes no line for a successful health probe, as the REST door for /healthz, but logs a failed one', async () => {
    const { log, lines } = capturingLogger();
    const middleware = callScopeMiddleware({ logger: log, access: AccessControl.open(), measuredServices: [], unloggedServices: ['grpc.health.v1.Health'] });
    const check = '/grpc.health.v1.Health/Check';
    await expect(middleware(callThrowing(undefined, check) as never, contextWith()).next()).resolves.toEqual({ done: true, value: {} });
    expect(lines).toEqual([]);
    await expect(middleware(callThrowing(errors.collectionNotFound('x'), check) as never, contextWith()).next()).rejects.toBeInstanceOf(ServerError);
    expect(lines).toEqual([expect.objectContaining({ level: 30, method: check, code: 'NOT_FOUND', msg: 'grpc call' })]);
    // Other services are still logged.
    await middleware(callThrowing(undefined) as never, contextWith()).next();
    expect(lines).toHaveLength(2);
  });

  it('reports an aborted call as CANCELLED, or DEADLINE_EXCEEDED once its deadline has passed', async () => {
    const { log } = capturingLogger();
    const aborted = new AbortController();
    aborted.abort();
    const cancelled = await statusOf(new Error('engine saw the abort'), log, contextWith(aborted.signal));
    expect(cancelled.code).toBe(Status.CANCELLED);
    const past = Metadata({ [DEADLINE_METADATA_KEY]: String(Date.now() - 5) });
    const expired = await statusOf(errors.cancelled(), log, contextWith(aborted.signal, past));
    expect(expired.code).toBe(Status.DEADLINE_EXCEEDED);
  });
});

describe('abortedStatus', () => {
  it('tells an expired deadline from a client cancel', () => {
    const now = 1_000_000;
    expect(abortedStatus({ metadata: Metadata() }, now)).toBe(Status.CANCELLED);
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: String(now + DEADLINE_CLOCK_SLACK_MS + 1) }) }, now)).toBe(Status.CANCELLED);
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: String(now) }) }, now)).toBe(Status.DEADLINE_EXCEEDED);
    // grpc-js' timer may fire a millisecond before Date.now() reaches the deadline.
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: String(now + 1) }) }, now)).toBe(Status.DEADLINE_EXCEEDED);
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: 'garbage' }) }, now)).toBe(Status.CANCELLED);
  });
});
