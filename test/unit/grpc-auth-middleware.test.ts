import { createHash } from 'node:crypto';
import { Metadata, ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import pino from 'pino';
import { AccessControl } from '../../src/domain';
import type { AuthContext, RequestContext } from '../../src/grpc/call-context';
import { callScopeMiddleware } from '../support/call-scope-middleware';
import { accessOfMethod } from '../../src/grpc/method-access';

const KEY = 'grpc-reader-key-000001';
const access = new AccessControl({
  keys: [{ name: 'reader', sha256: createHash('sha256').update(KEY).digest('hex'), roles: ['read'] }],
  metricsPublic: false,
  rateLimit: { perSecond: 0, burst: 0 },
});

/** Runs the call middleware on a unary call to `path`; resolves with what the handler saw, or rejects with the refusal. */
async function call(path: string, authorization?: string): Promise<{ principal: unknown; caller: { keyName?: string } | undefined }> {
  const metadata = Metadata(authorization === undefined ? {} : { authorization });
  const context: CallContext = {
    metadata,
    peer: 'ipv4:127.0.0.1:50000',
    header: Metadata(),
    trailer: Metadata(),
    sendHeader: () => undefined,
    signal: new AbortController().signal,
  };
  let seen: { principal: unknown; caller: { keyName?: string } | undefined } | undefined;
  const next: ServerMiddlewareCall<object, object, AuthContext & RequestContext> = {
    method: { path, requestStream: false, responseStream: false, options: {} },
    requestStream: false,
    responseStream: false,
    request: {},
    async *next(_request, ctx) {
      seen = { principal: ctx.principal, caller: ctx.caller };
      return {};
    },
  };
  const run = callScopeMiddleware({ logger: pino({ level: 'silent' }), access, measuredServices: [] })(next as never, context);
  await run.next();
  return seen!;
}

/** The status name a refused call gets on the wire. */
async function refusal(path: string, authorization?: string): Promise<string> {
  const error = await call(path, authorization).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ServerError);
  return Status[(error as ServerError).code];
}

describe('gRPC API key check (call-scope middleware)', () => {
  it('looks methods up in the shared access table; health and reflection are public; anything else has no rule', () => {
    expect(accessOfMethod('/taishang.ai.v1.VectorService/Search')).toBe('read');
    expect(accessOfMethod('/taishang.ai.v1.VectorService/CreateCollection')).toBe('admin');
    expect(accessOfMethod('/taishang.ai.v1.ModelService/StreamGenerateText')).toBe('read');
    expect(accessOfMethod('/taishang.ai.v1.VectorService/Health')).toBe('public');
    expect(accessOfMethod('/grpc.health.v1.Health/Watch')).toBe('public');
    expect(accessOfMethod('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo')).toBe('public');
    expect(accessOfMethod('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo')).toBe('public');
    for (const unknown of ['/taishang.ai.v1.VectorService/DropEverything', '/taishang.ai.v1.VectorService/toString', '/other.Service/Search', 'Search']) {
      expect(() => accessOfMethod(unknown)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED', message: expect.stringContaining('has no access rule') }));
    }
  });

  it('refuses a method without a rule even with a valid key (fail closed)', async () => {
    expect(await refusal('/taishang.ai.v1.VectorService/DropEverything', `Bearer ${KEY}`)).toBe('PERMISSION_DENIED');
  });

  it('hands the principal to the handler and its name to the call log', async () => {
    expect(await call('/taishang.ai.v1.VectorService/Search', `Bearer ${KEY}`)).toEqual({
      principal: { name: 'reader', roles: new Set(['read']) },
      caller: { keyName: 'reader' },
    });
    expect(await refusal('/taishang.ai.v1.VectorService/Search')).toBe('UNAUTHENTICATED');
    expect(await refusal('/taishang.ai.v1.VectorService/Insert', `Bearer ${KEY}`)).toBe('PERMISSION_DENIED');
    expect(await call('/grpc.health.v1.Health/Check')).toEqual({ principal: undefined, caller: {} });
  });
});
