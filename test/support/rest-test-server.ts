import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { ArrowRecordChunkCodec } from '../../src/adapters/snapshot';
import { SnapshotService, VectorService, type AccessControl, type ModelService, type VectorStore } from '../../src/domain';
import { buildHttp } from '../../src/http/build-http-app';
import { PrometheusMetrics } from '../../src/metrics';
import { openModelService } from './model-services';

/** One REST answer, with the body parsed when it is JSON. */
export interface RestAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Tests assert on wire shapes, so the parsed body stays untyped. */
  body: any;
}

export interface RestCall {
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  /** Sent byte for byte (for malformed JSON and 1e999); content-type defaults to application/json. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface RestTestServer {
  app: FastifyInstance;
  baseUrl: string;
  call(method: string, path: string, request?: RestCall): Promise<RestAnswer>;
  close(): Promise<void>;
}

export interface RestServerOptions {
  bodyLimitBytes?: number;
  isReady?: () => Promise<boolean>;
  logger?: Logger;
  /** The model tests' service; otherwise one without providers (the vector tests never call a model). */
  models?: ModelService;
  /** A VectorService shared with another door (the door-parity app); otherwise one over `store`. */
  vectors?: VectorService;
  /** API keys and limits; absent = none, as a service started without keys. */
  access?: AccessControl;
}

/** The real REST door on 127.0.0.1 and an ephemeral port, driven with fetch() over loopback. */
export async function startRestServer(store: VectorStore, options: RestServerOptions = {}): Promise<RestTestServer> {
  const app = await buildHttp({
    vectors: options.vectors ?? new VectorService(store),
    snapshots: new SnapshotService(store, new ArrowRecordChunkCodec()),
    models: options.models ?? (await openModelService()),
    logger: options.logger ?? pino({ level: 'silent' }),
    readiness: { isReady: options.isReady ?? (async () => true) },
    bodyLimitBytes: options.bodyLimitBytes,
    access: options.access,
    // As in the service, so /metrics is served and listed in /openapi.json.
    metrics: new PrometheusMetrics({ processMetrics: false }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  async function call(method: string, path: string, request: RestCall = {}): Promise<RestAnswer> {
    const hasBody = request.json !== undefined || request.raw !== undefined;
    const headers: Record<string, string> = hasBody ? { 'content-type': 'application/json', ...request.headers } : { ...request.headers };
    const payload = request.raw ?? (request.json === undefined ? undefined : JSON.stringify(request.json));
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, text, body: type.includes('json') && text !== '' ? JSON.parse(text) : undefined };
  }

  async function close(): Promise<void> {
    const closing = app.close();
    // fetch() may hold a connection that never carried a request; Node counts it as active, so a
    // graceful close would wait for its headers timeout. No call is in flight here, so end them all.
    app.server.closeAllConnections();
    await closing;
  }

  return { app, baseUrl, call, close };
}

/** Asserts an RFC 9457 body with the given status and code; returns it for further checks. */
export function expectProblem(answer: RestAnswer, status: number, code: string): { detail: string; errors?: { field: string; message: string }[] } {
  expect({ status: answer.status, type: answer.headers.get('content-type') }).toEqual({
    status,
    type: 'application/problem+json; charset=utf-8',
  });
  expect(answer.body).toMatchObject({ type: 'about:blank', status, code, title: expect.any(String), detail: expect.any(String) });
  return answer.body;
}

/** The field names of a problem's violations. */
export function fieldsOf(answer: RestAnswer): string[] {
  return ((answer.body?.errors ?? []) as { field: string }[]).map((e) => e.field);
}
