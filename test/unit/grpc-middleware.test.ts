import { Writable } from 'node:stream';
import { Metadata, ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import pino from 'pino';
import { errors } from '../../src/errors';
import { abortedStatus, DEADLINE_METADATA_KEY } from '../../src/grpc/call-deadline';
import { errorMappingMiddleware } from '../../src/grpc/error-mapping-middleware';
import type { RequestContext } from '../../src/grpc/logging-middleware';

function capturingLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(sink).child({ requestId: 'req-1' }), lines };
}

function contextWith(log: pino.Logger, signal = new AbortController().signal, metadata = Metadata()): CallContext & RequestContext {
  return { metadata, peer: 'test', header: Metadata(), trailer: Metadata(), sendHeader: () => undefined, signal, requestId: 'req-1', log };
}

/** A unary call whose handler throws `error`. */
function failingCall(error: unknown): ServerMiddlewareCall<object, object, RequestContext> {
  return {
    method: { path: '/taishang.ai.v1.VectorService/Search', requestStream: false, responseStream: false, options: {} },
    requestStream: false,
    request: {},
    responseStream: false,
    async *next(): AsyncGenerator<never, object, undefined> {
      throw error;
    },
  };
}

async function statusOf(error: unknown, context: CallContext & RequestContext): Promise<ServerError> {
  const thrown = await errorMappingMiddleware(failingCall(error), context).next().then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(ServerError);
  return thrown as ServerError;
}

describe('error-mapping middleware', () => {
  it('sends INTERNAL with a generic message and logs the cause with the request id', async () => {
    const { log, lines } = capturingLogger();
    const status = await statusOf(new Error('db password is hunter2'), contextWith(log));
    expect(status.code).toBe(Status.INTERNAL);
    expect(status.details).toBe('internal error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, requestId: 'req-1', err: { message: 'db password is hunter2' } });
  });

  it('maps domain errors without logging them as failures of the service', async () => {
    const { log, lines } = capturingLogger();
    const status = await statusOf(errors.collectionNotFound('docs'), contextWith(log));
    expect(status.code).toBe(Status.NOT_FOUND);
    expect(lines).toEqual([]);
  });

  it('reports an aborted call as CANCELLED, or DEADLINE_EXCEEDED once its deadline has passed', async () => {
    const { log } = capturingLogger();
    const aborted = new AbortController();
    aborted.abort();
    const cancelled = await statusOf(new Error('engine saw the abort'), contextWith(log, aborted.signal));
    expect(cancelled.code).toBe(Status.CANCELLED);
    const past = Metadata({ [DEADLINE_METADATA_KEY]: String(Date.now() - 5) });
    const expired = await statusOf(errors.cancelled(), contextWith(log, aborted.signal, past));
    expect(expired.code).toBe(Status.DEADLINE_EXCEEDED);
  });
});

describe('abortedStatus', () => {
  it('tells an expired deadline from a client cancel', () => {
    const now = 1_000_000;
    expect(abortedStatus({ metadata: Metadata() }, now)).toBe(Status.CANCELLED);
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: String(now + 10) }) }, now)).toBe(Status.CANCELLED);
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: String(now) }) }, now)).toBe(Status.DEADLINE_EXCEEDED);
    expect(abortedStatus({ metadata: Metadata({ [DEADLINE_METADATA_KEY]: 'garbage' }) }, now)).toBe(Status.CANCELLED);
  });
});
